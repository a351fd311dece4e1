//! ipcpd-broadcast: the broadcast IPC process (started by the IRMd only).

fn main() {
    ipcpd::broadcast::main()
}

//! ipcpd-unicast: the unicast IPC process (started by the IRMd only).

fn main() {
    ipcpd::unicast::main()
}

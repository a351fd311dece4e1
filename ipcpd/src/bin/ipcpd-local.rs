//! ipcpd-local: the local IPC process (started by the IRMd only).

fn main() {
    ipcpd::run(
        ouroboros::ipcp::IpcpType::Local,
        Box::new(ipcpd::local::Local::default()),
    )
}

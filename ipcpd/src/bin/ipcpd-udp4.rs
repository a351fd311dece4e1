//! ipcpd-udp4: the UDP/IPv4 shim IPC process (started by the IRMd only).

fn main() {
    ipcpd::udp::main(ipcpd::udp::Family::V4)
}

//! ipcpd-udp6: the UDP/IPv6 shim IPC process (started by the IRMd only).

fn main() {
    ipcpd::udp::main(ipcpd::udp::Family::V6)
}

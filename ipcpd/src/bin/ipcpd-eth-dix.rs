//! ipcpd-eth-dix: the Ethernet (DIX) shim IPC process (started by the
//! IRMd only).

fn main() {
    ipcpd::eth::main(ipcpd::eth::Kind::Dix)
}

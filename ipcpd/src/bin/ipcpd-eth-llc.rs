//! ipcpd-eth-llc: the Ethernet (802.2 LLC) shim IPC process (started by
//! the IRMd only).

fn main() {
    ipcpd::eth::main(ipcpd::eth::Kind::Llc)
}

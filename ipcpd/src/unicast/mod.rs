//! ipcpd-unicast: the parts that need no running system, one module per
//! wire format or algorithm (network-plane spec §5). The IPCP process that
//! wires them to flows and threads is assembled on top of these.

pub mod addr;
pub mod ca;
pub mod dht;
pub mod dht_msg;
pub mod dt_pci;
pub mod eid;
pub mod fa_msg;
pub mod graph;
pub mod lsa;
pub mod lsdb;
pub mod pff;
#[cfg(test)]
mod test_util;

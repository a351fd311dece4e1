//! ipcpd-unicast: one module per wire format or algorithm (network-plane
//! spec §5), and the running IPCP assembled from them (`node`, `dt`,
//! `fa`, `routing`, `dir`, `ipcp`).

pub mod addr;
pub mod ca;
pub mod dht;
pub mod dht_msg;
pub mod dir;
pub mod dt;
pub mod dt_pci;
pub mod eid;
pub mod fa;
pub mod fa_msg;
pub mod graph;
pub mod ipcp;
pub mod lsa;
pub mod lsdb;
pub mod node;
pub mod pff;
pub mod routing;
#[cfg(test)]
mod test_util;

pub use ipcp::main;

//! IPCP runtime shared by every ipcpd-* type: argv, the process's announce
//! to the IRMd, the `ipcp.<pid>.sock` server, `ipcp_msg` dispatch, the
//! state machine and the signal rules. One module per IPCP type.

pub mod broadcast;
pub mod common;
pub mod eth;
mod flows;
pub mod local;
mod np1_loop;
mod ops;
mod runtime;
mod server;
mod shim_dir;
pub mod udp;
pub mod unicast;

pub use ops::IpcpOps;
pub use runtime::{run, Ipcp};
/// Dispatch of one decoded `ipcp_msg` (what the socket server runs for
/// each request; also driven by the fuzz targets).
pub use server::handle;

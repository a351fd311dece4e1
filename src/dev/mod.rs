//! The application side of Ouroboros (upstream libouroboros-dev): process
//! start and exit, flows (allocate, accept, join, read, write, dealloc),
//! flow control (`fccntl`), event sets (`fset`/`fqueue`/`fevent`),
//! keepalives, and the IPCP-side ("np1") flow functions.
//!
//! The `fd`-level functions here carry upstream's exact semantics and are
//! what the C library exports; [`Flow`], [`FlowSet`] and [`FQueue`] are the
//! safe Rust API on top.

mod api;
mod crc;
pub mod fccntl;
mod flow;
pub mod fqueue;
mod frct;
mod io;
mod irm;
mod keepalive;
pub mod np1;
pub mod proc;
mod process;
mod table;

pub use api::{FQueue, Flow, FlowSet};
pub use flow::{flow_accept, flow_alloc, flow_dealloc, flow_join};
pub use io::{flow_read, flow_write};
pub use process::{fini, init, init_from_env, is_initialized};

/// Lowest flow descriptor handed out.
pub const PROG_RES_FDS: i32 = 64;
/// Size of the flow table (fds 64..4095).
pub const PROG_MAX_FLOWS: i32 = 4096;
/// Flow ids are below this.
pub const SYS_MAX_FLOWS: i32 = 10240;
/// Event queues per process (index 0 is the library's own).
pub const PROG_MAX_FQUEUES: usize = 32;

//! Shared memory of the data path (upstream `ssm`): packet pools, per-flow
//! ring buffers and per-process flow sets, byte-compatible with 0.23.0 so
//! that C processes linked against upstream share them with ours.
//!
//! - [`Pool`]: the GSPP / per-user packet pools and their [`Block`]s;
//! - [`Rbuff`]: a flow endpoint's receive queue of pool offsets;
//! - [`FlowSet`]: which fqueue each flow id of a process reports to, and
//!   the event queues themselves.
//!
//! Locking follows upstream: glibc robust process-shared mutexes, one at a
//! time, condvars on CLOCK_MONOTONIC with absolute deadlines.

mod block;
mod classes;
mod flow_set;
mod layout;
mod pool;
mod rbuff;
mod shm;
mod sync;

#[cfg(test)]
mod testns;
#[cfg(test)]
mod tests;

pub use block::Block;
pub use classes::BLOCK_OVERHEAD;
pub use flow_set::{
    flow_set_name, FlowSet, FLOW_ALLOC, FLOW_DEALLOC, FLOW_DOWN, FLOW_PEER, FLOW_PKT,
    FLOW_SET_FILE_SIZE, FLOW_UP, FQUEUE_LEN,
};
pub use layout::FlowEvent;
pub use pool::{pool_file_size, pool_name, Pool};
pub use rbuff::{
    rbuff_name, Rbuff, ACL_FLOWDOWN, ACL_FLOWPEER, ACL_RDONLY, ACL_RDWR, RBUFF_FILE_SIZE,
};

/// Name of the Global Shared Packet Pool.
pub const GSPP_NAME: &str = "/ouroboros.gspp";
/// Per-user pool names: this prefix followed by the uid (`%d`).
pub const PUP_NAME_PREFIX: &str = "/ouroboros.pup.";
/// Rbuff names: this prefix followed by `<pid>.<flow_id>`.
pub const RBUFF_PREFIX: &str = "/ouroboros.rbuff.";
/// Flow-set names: this prefix followed by `<pid>`.
pub const FLOW_SET_PREFIX: &str = "/ouroboros.set.";
/// The uid that selects the GSPP.
pub const GSPP_UID: u32 = 0;

/// Ring slots of an rbuff; also the length of an fqueue.
pub const RBUFF_SIZE: usize = 1024;
pub const PK_BUFF_HEADSPACE: usize = 256;
pub const PK_BUFF_TAILSPACE: usize = 32;
pub const POOL_MAX_CLASSES: usize = 9;
pub const POOL_SHARDS: usize = 4;
/// Bytes of the GSPP block region (the header follows).
pub const GSPP_TOTAL_SIZE: usize = 34471936;
/// Bytes of a PUP block region (the header follows).
pub const PUP_TOTAL_SIZE: usize = 1687552;
/// Flow-id space, and entries of a flow set's table.
pub const SYS_MAX_FLOWS: usize = 10240;
/// Fqueues per flow set.
pub const PROG_MAX_FQUEUES: usize = 32;

// The handles may be shared between threads.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Pool>();
    send_sync::<Block<'static>>();
    send_sync::<Rbuff>();
    send_sync::<FlowSet>();
};

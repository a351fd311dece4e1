//! `fqueue.h`: event types reported by `fqueue_type`. The flow set and
//! queue themselves are opaque to C.

/// `enum fqtype`.
pub type fqtype = u32;
pub const FLOW_PKT: fqtype = 1 << 0;
pub const FLOW_DOWN: fqtype = 1 << 1;
pub const FLOW_UP: fqtype = 1 << 2;
pub const FLOW_ALLOC: fqtype = 1 << 3;
pub const FLOW_DEALLOC: fqtype = 1 << 4;
pub const FLOW_PEER: fqtype = 1 << 5;

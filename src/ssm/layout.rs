//! The byte layouts of the shared objects (x86_64 glibc), pinned by
//! compile-time checks. These types are only ever used through raw
//! pointers into a mapping: fields other processes change are atomics of
//! the exact C width; the rest are read and written volatile.

use super::{PROG_MAX_FQUEUES, RBUFF_SIZE, SYS_MAX_FLOWS};
use libc::{pthread_cond_t, pthread_mutex_t};
use std::mem::{align_of, offset_of, size_of};
use std::sync::atomic::{AtomicI64, AtomicU16, AtomicU32, AtomicUsize};

/// Header of every pool block (upstream `struct ssm_pk_buff`); the packet
/// area `data[]` follows it.
#[repr(C)]
pub(crate) struct BlockHdr {
    pub next_offset: AtomicU32,
    pub refcount: AtomicU16,
    pub _pad: u16,
    pub allocator_pid: i32,
    pub size: u32,
    pub pk_head: u32,
    pub pk_tail: u32,
    pub off: u32,
}

/// One free list of a size class.
#[repr(C)]
pub(crate) struct Shard {
    pub mtx: pthread_mutex_t,
    pub cond: pthread_cond_t,
    pub head_offset: AtomicU32,
    pub count: AtomicU32,
    pub free_count: AtomicUsize,
}

#[repr(C)]
pub(crate) struct SizeClass {
    pub shards: [Shard; super::POOL_SHARDS],
    pub object_size: usize,
    pub pool_start: usize,
    pub pool_size: usize,
    pub object_count: usize,
}

/// The pool header, at the end of the pool file.
#[repr(C)]
pub(crate) struct PoolHdr {
    pub mtx: pthread_mutex_t,
    pub healthy: pthread_cond_t,
    pub pid: i32,
    pub initialized: AtomicU32,
    pub mapped_addr: usize,
    pub size_classes: [SizeClass; super::POOL_MAX_CLASSES],
}

/// A per-flow ring buffer.
#[repr(C)]
pub(crate) struct RbuffShm {
    pub ring: [AtomicI64; RBUFF_SIZE],
    pub head: AtomicUsize,
    pub tail: AtomicUsize,
    pub acl: AtomicUsize,
    pub mtx: pthread_mutex_t,
    pub add: pthread_cond_t,
    pub del: pthread_cond_t,
}

/// One event record of an fqueue (upstream `struct flowevent`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowEvent {
    pub flow_id: i32,
    pub event: i32,
}

/// A per-process flow set.
#[repr(C)]
pub(crate) struct FlowSetShm {
    pub mtable: [i64; SYS_MAX_FLOWS],
    pub heads: [usize; PROG_MAX_FQUEUES],
    pub conds: [pthread_cond_t; PROG_MAX_FQUEUES],
    pub fqueues: [[FlowEvent; RBUFF_SIZE]; PROG_MAX_FQUEUES],
    pub lock: pthread_mutex_t,
}

const _: () = {
    assert!(size_of::<pthread_mutex_t>() == 40 && align_of::<pthread_mutex_t>() == 8);
    assert!(size_of::<pthread_cond_t>() == 48 && align_of::<pthread_cond_t>() == 8);

    assert!(size_of::<BlockHdr>() == 28 && align_of::<BlockHdr>() == 4);
    assert!(offset_of!(BlockHdr, next_offset) == 0);
    assert!(offset_of!(BlockHdr, refcount) == 4);
    assert!(offset_of!(BlockHdr, allocator_pid) == 8);
    assert!(offset_of!(BlockHdr, size) == 12);
    assert!(offset_of!(BlockHdr, pk_head) == 16);
    assert!(offset_of!(BlockHdr, pk_tail) == 20);
    assert!(offset_of!(BlockHdr, off) == 24);

    assert!(size_of::<Shard>() == 104);
    assert!(offset_of!(Shard, mtx) == 0);
    assert!(offset_of!(Shard, cond) == 40);
    assert!(offset_of!(Shard, head_offset) == 88);
    assert!(offset_of!(Shard, count) == 92);
    assert!(offset_of!(Shard, free_count) == 96);

    assert!(size_of::<SizeClass>() == 448);
    assert!(offset_of!(SizeClass, shards) == 0);
    assert!(offset_of!(SizeClass, object_size) == 416);
    assert!(offset_of!(SizeClass, pool_start) == 424);
    assert!(offset_of!(SizeClass, pool_size) == 432);
    assert!(offset_of!(SizeClass, object_count) == 440);

    assert!(size_of::<PoolHdr>() == 4136 && align_of::<PoolHdr>() == 8);
    assert!(offset_of!(PoolHdr, mtx) == 0);
    assert!(offset_of!(PoolHdr, healthy) == 40);
    assert!(offset_of!(PoolHdr, pid) == 88);
    assert!(offset_of!(PoolHdr, initialized) == 92);
    assert!(offset_of!(PoolHdr, mapped_addr) == 96);
    assert!(offset_of!(PoolHdr, size_classes) == 104);

    assert!(size_of::<RbuffShm>() == 8352);
    assert!(offset_of!(RbuffShm, ring) == 0);
    assert!(offset_of!(RbuffShm, head) == 8192);
    assert!(offset_of!(RbuffShm, tail) == 8200);
    assert!(offset_of!(RbuffShm, acl) == 8208);
    assert!(offset_of!(RbuffShm, mtx) == 8216);
    assert!(offset_of!(RbuffShm, add) == 8256);
    assert!(offset_of!(RbuffShm, del) == 8304);

    assert!(size_of::<FlowEvent>() == 8);
    assert!(offset_of!(FlowEvent, flow_id) == 0);
    assert!(offset_of!(FlowEvent, event) == 4);

    assert!(size_of::<FlowSetShm>() == 345896);
    assert!(offset_of!(FlowSetShm, mtable) == 0);
    assert!(offset_of!(FlowSetShm, heads) == 81920);
    assert!(offset_of!(FlowSetShm, conds) == 82176);
    assert!(offset_of!(FlowSetShm, fqueues) == 83712);
    assert!(offset_of!(FlowSetShm, lock) == 345856);
};

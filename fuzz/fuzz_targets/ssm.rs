//! Shared memory: a packet pool, a flow's ring buffer and a flow set,
//! driven through their API while "another process" (a second mapping of
//! the same object, here) writes garbage into the fields such a process
//! may write: the pool's free lists and counters and the block headers,
//! the ring's slots, indexes and ACL, the flow set's table, queue lengths
//! and event records.
//!
//! Input: a kind byte (0 pool, 1 rbuff, 2 flow set, modulo 3), then
//! operations: an opcode byte followed by the arguments it reads (missing
//! bytes read as zeros, see `fuzz_support::Input`). The glibc mutexes and
//! condition variables in the objects are never written: a process that
//! corrupts those can block its peers like it can in upstream, which no
//! check of ours can prevent.
//!
//! The objects live in a private, empty `/dev/shm` (`fuzz_support::
//! isolate`), under the names a system would use, and are created afresh
//! for every input: a per-user pool (uid 4242, the smaller geometry), an
//! rbuff and a flow set of a pid above the pid limit.
//!
//! Checked: nothing panics or touches memory outside the objects (the
//! offsets the code takes from shared memory are checked before use);
//! every blocking call returns by its deadline (with slack for slow
//! machines); a block handed out is a block of the pool and its packet
//! stays inside it; a ring never reports more entries than it holds; a
//! wait returns at most one queue of events; a reader's claim sees the
//! entry its read returns. As long as nothing was
//! corrupted, the objects also behave as specified: allocations are
//! distinct and counted, a ring is a FIFO of what was written, a flow
//! set returns the events of its attached flows in order.

#![no_main]

use fuzz_support::{Input, FAKE_PID_BASE};
use libfuzzer_sys::fuzz_target;
use ouroboros::ssm::{
    flow_set_name, pool_file_size, pool_name, rbuff_name, FlowEvent, FlowSet, Pool, Rbuff,
    ACL_FLOWDOWN, ACL_FLOWPEER, ACL_RDONLY, FLOW_SET_FILE_SIZE, FQUEUE_LEN, PROG_MAX_FQUEUES,
    PUP_TOTAL_SIZE, RBUFF_FILE_SIZE, RBUFF_SIZE, SYS_MAX_FLOWS,
};
use ouroboros::time::MonoTime;
use ouroboros::Error;
use std::collections::VecDeque;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// Operations per input.
const MAX_OPS: usize = 256;
/// Blocking calls per input (each may wait its deadline out).
const MAX_BLOCKING: usize = 8;
/// How late a blocking call may return past its deadline.
const SLACK: Duration = Duration::from_secs(2);

/// The uid of the pool (a PUP: 1.6 MB, not the 34 MB GSPP).
const UID: u32 = 4242;
const PID: i32 = FAKE_PID_BASE + 7;
const FLOW_ID: i32 = 3;

// The byte layout of the objects (data-plane spec; `ssm/layout.rs`
// pins the same numbers).
const POOL_HDR_INITIALIZED: usize = 92;
const POOL_HDR_CLASSES: usize = 104;
const SIZE_CLASS_LEN: usize = 448;
const SHARD_LEN: usize = 104;
const SHARD_HEAD: usize = 88;
const SHARD_COUNT: usize = 92;
const SHARD_FREE: usize = 96;
/// Block header fields: (offset, width).
const BLOCK_FIELDS: [(usize, usize); 7] =
    [(0, 4), (4, 2), (8, 4), (12, 4), (16, 4), (20, 4), (24, 4)];
const RB_HEAD: usize = 8192;
const RB_TAIL: usize = 8200;
const RB_ACL: usize = 8208;
const FS_HEADS: usize = 81920;
const FS_QUEUES: usize = 83712;

/// The PUP's size classes: (object size, first block, block count).
const PUP_CLASSES: [(usize, usize); 8] = [
    (1 << 8, 128),
    (1 << 9, 96),
    (1 << 10, 64),
    (1 << 11, 48),
    (1 << 12, 32),
    (1 << 14, 16),
    (1 << 16, 8),
    (1 << 18, 2),
];

fn class_block(c: usize, i: usize) -> usize {
    let c = c % PUP_CLASSES.len();
    let start: usize = PUP_CLASSES[..c].iter().map(|(s, n)| s * n).sum();
    let (size, n) = PUP_CLASSES[c];
    start + (i % n) * size
}

/// The object as the other process maps it.
struct Peer {
    base: *mut u8,
    len: usize,
}

impl Peer {
    fn map(name: &str, len: usize) -> Peer {
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(format!("/dev/shm{name}"))
            .expect("open the object");
        // SAFETY: a fresh shared mapping of the whole object.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                f.as_raw_fd(),
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED, "map the object");
        Peer {
            base: p.cast(),
            len,
        }
    }

    /// Writes the low `width` bytes of `v` at `at` (clipped to the
    /// object).
    fn write(&self, at: usize, width: usize, v: u64) {
        let b = v.to_ne_bytes();
        for (i, byte) in b.iter().take(width).enumerate() {
            if at + i < self.len {
                // SAFETY: inside the mapping.
                unsafe { self.base.add(at + i).write_volatile(*byte) };
            }
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // SAFETY: unmaps what `map` mapped.
        unsafe { libc::munmap(self.base.cast(), self.len) };
    }
}

/// A deadline 0-3 ms away and the latest time the call may return.
fn deadline(input: &mut Input) -> (Option<MonoTime>, Instant) {
    let d = Duration::from_millis(u64::from(input.u8() % 4));
    (Some(MonoTime::now().after(d)), Instant::now() + d + SLACK)
}

fn in_time(latest: Instant, what: &str) {
    assert!(Instant::now() <= latest, "{what} overran its deadline");
}

/// A live block's offset or any offset.
fn pick(live: &[usize], input: &mut Input) -> usize {
    let v = input.u32();
    if v & 1 == 0 && !live.is_empty() {
        live[(v as usize >> 1) % live.len()]
    } else {
        v as usize >> 1
    }
}

/// A flow id: mostly in range, some past it, some negative.
fn flow(input: &mut Input) -> i32 {
    let v = input.u16();
    if v & 0x8000 != 0 {
        i32::from(v as i16)
    } else {
        i32::from(v) % (SYS_MAX_FLOWS as i32 + 8)
    }
}

fn pool(input: &mut Input) {
    let pool = Pool::create(UID, UID).expect("create the pool");
    let peer = Peer::map(&pool_name(UID), pool_file_size(UID));
    let hdr = PUP_TOTAL_SIZE;
    let total_free = pool.free_blocks();
    let mut live: Vec<usize> = Vec::new();
    let mut pristine = true;
    let mut blocking = 0;
    for _ in 0..MAX_OPS {
        if input.is_empty() {
            break;
        }
        match input.u8() % 10 {
            0 => {
                // a shard's free list or counters
                let (c, s, f) = (
                    input.u8() as usize % 9,
                    input.u8() as usize % 4,
                    input.u8() % 3,
                );
                let shard = hdr + POOL_HDR_CLASSES + c * SIZE_CLASS_LEN + s * SHARD_LEN;
                let (at, w) = [(SHARD_HEAD, 4), (SHARD_COUNT, 4), (SHARD_FREE, 8)][f as usize];
                peer.write(shard + at, w, input.u64());
                pristine = false;
            }
            1 => {
                // a block header: a live block's or any block's
                let off = if input.u8() & 1 == 0 {
                    pick(&live, input)
                } else {
                    class_block(input.u8() as usize, input.u16() as usize)
                };
                let (at, w) = BLOCK_FIELDS[input.u8() as usize % BLOCK_FIELDS.len()];
                // (never into the header's mutex behind the region)
                if off + 28 <= hdr {
                    peer.write(off + at, w, input.u64());
                    pristine = false;
                }
            }
            2 => {
                peer.write(hdr + POOL_HDR_INITIALIZED, 4, u64::from(input.u32()));
                pristine = false;
            }
            3 | 4 => {
                let blocking_call = input.u8() & 1 == 1 && blocking < MAX_BLOCKING;
                let len = usize::from(input.u16()) * 4;
                let r = if blocking_call {
                    blocking += 1;
                    let (d, latest) = deadline(input);
                    let r = pool.alloc_b(len, d);
                    in_time(latest, "alloc_b");
                    r
                } else {
                    pool.alloc(len)
                };
                match r {
                    Ok(b) => {
                        assert!(len <= pool.max_len());
                        assert_eq!(b.len(), len);
                        assert!(b.len() + b.headspace() + b.tailspace() <= b.capacity());
                        if pristine {
                            assert!(!live.contains(&b.off()), "block handed out twice");
                        }
                        live.push(b.off());
                    }
                    Err(Error::MsgSize) => assert!(len > pool.max_len()),
                    Err(e) => {
                        assert!(len <= pool.max_len());
                        assert!(matches!(e, Error::Again | Error::TimedOut), "{e:?}");
                    }
                }
            }
            5 => {
                let off = pick(&live, input);
                if let Some(b) = pool.get(off) {
                    assert_eq!(b.off(), off);
                    assert!(off + b.capacity() <= hdr, "block past the region");
                    let data = b.to_vec();
                    assert_eq!(data.len(), b.len());
                    assert!(b.len() <= b.capacity());
                    // SAFETY: nobody else writes the block during the call.
                    assert_eq!(unsafe { b.bytes() }, &data[..]);
                    let n = usize::from(input.u16());
                    let _ = match input.u8() % 7 {
                        0 => b.head_alloc(n),
                        1 => b.tail_alloc(n),
                        2 => b.head_release(n),
                        3 => b.tail_release(n),
                        4 => b.truncate(n),
                        5 => b.write(n % 64, input.bytes(16)),
                        _ => {
                            b.wait_ack();
                            b.ack();
                            Ok(())
                        }
                    };
                    assert!(b.len() <= b.capacity());
                    let mut buf = [0u8; 64];
                    assert!(b.read(&mut buf) <= b.len());
                } else if pristine {
                    assert!(!live.contains(&off), "a live block is not found");
                }
            }
            6 => {
                let off = pick(&live, input);
                let was_live = live.iter().position(|&o| o == off);
                let r = pool.remove(off);
                if let Some(i) = was_live {
                    if pristine {
                        assert_eq!(r, Ok(()));
                    }
                    live.swap_remove(i);
                }
            }
            7 => {
                let pid = if input.u8() & 1 == 0 {
                    std::process::id() as i32
                } else {
                    input.u32() as i32
                };
                let _ = pool.reclaim_orphans(pid);
                if pid == std::process::id() as i32 {
                    live.clear();
                }
            }
            8 => {
                // a second handle, as another process opens the pool
                let other = Pool::open(UID).expect("open the pool");
                let off = pick(&live, input);
                let _ = other.get(off).map(|b| b.len());
                // a reader's claim, of a live block or of whatever a
                // corrupt ring entry names (we are the claimant: the
                // blocks stay ours)
                let any = input.u32() as usize;
                other.claim(if input.u8() & 1 == 0 { off } else { any });
            }
            _ => {
                let free = pool.free_blocks();
                if pristine {
                    assert_eq!(free + live.len(), total_free, "blocks lost or doubled");
                }
            }
        }
    }
    drop(peer);
    pool.destroy();
}

fn rbuff(input: &mut Input) {
    let rb = Rbuff::create(PID, FLOW_ID).expect("create the rbuff");
    let peer = Peer::map(&rbuff_name(PID, FLOW_ID), RBUFF_FILE_SIZE);
    let mut model: VecDeque<usize> = VecDeque::new();
    let mut pristine = true;
    let mut blocking = 0;
    for _ in 0..MAX_OPS {
        if input.is_empty() {
            break;
        }
        match input.u8() % 9 {
            0 => {
                let (at, w) = match input.u8() % 4 {
                    0 => (RB_HEAD, 8),
                    1 => (RB_TAIL, 8),
                    2 => (RB_ACL, 8),
                    _ => ((input.u16() as usize % RBUFF_SIZE) * 8, 8),
                };
                peer.write(at, w, input.u64());
                pristine = false;
            }
            1 => {
                let off = input.u32() as usize;
                let r = rb.write(off);
                if pristine {
                    if r.is_ok() {
                        model.push_back(off);
                    } else {
                        assert!(model.len() == RBUFF_SIZE - 1 || rb.acl() != 0, "{r:?}");
                    }
                }
            }
            2 | 3 => {
                // the claim sees the entry a read returns, before it goes
                let seen = std::cell::Cell::new(None);
                let claim = |o| seen.set(Some(o));
                let r = if blocking < MAX_BLOCKING && input.u8() & 1 == 1 {
                    blocking += 1;
                    let (d, latest) = deadline(input);
                    let r = rb.read_b_claimed(d, &claim);
                    in_time(latest, "read_b");
                    r
                } else {
                    rb.read_claimed(&claim)
                };
                if let Ok(v) = r {
                    assert_eq!(seen.get(), Some(v), "claimed what was read");
                }
                if pristine {
                    match model.pop_front() {
                        Some(v) => assert_eq!(r, Ok(v), "not first in, first out"),
                        None => assert!(r.is_err()),
                    }
                }
            }
            4 if blocking < MAX_BLOCKING => {
                blocking += 1;
                let off = input.u32() as usize;
                let (d, latest) = deadline(input);
                let r = rb.write_b(off, d);
                in_time(latest, "write_b");
                if pristine && r.is_ok() {
                    model.push_back(off);
                }
            }
            5 if blocking < MAX_BLOCKING => {
                blocking += 1;
                let (d, latest) = deadline(input);
                let _ = rb.fini(d);
                in_time(latest, "fini");
            }
            6 => {
                let flags = [0, ACL_RDONLY, ACL_FLOWDOWN, ACL_FLOWPEER][input.u8() as usize % 4];
                rb.set_acl(flags);
            }
            7 => {
                // the other process's own handle
                let other = Rbuff::open(PID, FLOW_ID).expect("open the rbuff");
                let _ = other.queued();
            }
            _ => {}
        }
        let q = rb.queued();
        assert!(q < RBUFF_SIZE, "more queued than the ring holds");
        if pristine {
            assert_eq!(q, model.len());
        }
    }
    drop(peer);
    rb.destroy();
}

fn flow_set(input: &mut Input) {
    let set = FlowSet::create(PID).expect("create the flow set");
    let peer = Peer::map(&flow_set_name(PID), FLOW_SET_FILE_SIZE);
    // per fqueue: the events not taken yet
    let mut model: Vec<Vec<FlowEvent>> = vec![Vec::new(); PROG_MAX_FQUEUES];
    let mut attached: Vec<Option<usize>> = vec![None; SYS_MAX_FLOWS];
    let mut pristine = true;
    let mut blocking = 0;
    for _ in 0..MAX_OPS {
        if input.is_empty() {
            break;
        }
        match input.u8() % 8 {
            0 => {
                let (at, w) = match input.u8() % 3 {
                    0 => ((input.u16() as usize % SYS_MAX_FLOWS) * 8, 8),
                    1 => (FS_HEADS + (input.u8() as usize % PROG_MAX_FQUEUES) * 8, 8),
                    _ => (
                        FS_QUEUES + (input.u32() as usize % (PROG_MAX_FQUEUES * FQUEUE_LEN)) * 8,
                        8,
                    ),
                };
                peer.write(at, w, input.u64());
                pristine = false;
            }
            1 => {
                let (q, f) = (input.u8() as usize % (PROG_MAX_FQUEUES + 2), flow(input));
                let r = set.add(q, f);
                if pristine {
                    let ok = q < PROG_MAX_FQUEUES
                        && usize::try_from(f)
                            .is_ok_and(|f| f < SYS_MAX_FLOWS && attached[f].is_none());
                    assert_eq!(r.is_ok(), ok, "add({q}, {f})");
                    if ok {
                        attached[f as usize] = Some(q);
                    }
                }
            }
            2 => {
                let (q, f) = (input.u8() as usize % (PROG_MAX_FQUEUES + 2), flow(input));
                set.del(q, f);
                if let Ok(i) = usize::try_from(f) {
                    if i < SYS_MAX_FLOWS && attached[i] == Some(q) {
                        attached[i] = None;
                    }
                }
            }
            3 => {
                let (q, f) = (input.u8() as usize % (PROG_MAX_FQUEUES + 2), flow(input));
                let has = set.has(q, f);
                if pristine {
                    let want = usize::try_from(f)
                        .is_ok_and(|i| i < SYS_MAX_FLOWS && attached[i] == Some(q));
                    assert_eq!(has, want, "has({q}, {f})");
                }
            }
            4 => {
                let q = input.u8() as usize % (PROG_MAX_FQUEUES + 2);
                set.zero(q);
                if q < PROG_MAX_FQUEUES {
                    attached
                        .iter_mut()
                        .filter(|a| **a == Some(q))
                        .for_each(|a| *a = None);
                    model[q].clear();
                }
            }
            5 => {
                let (f, event) = (flow(input), i32::from(input.u8() % 64));
                // a burst, to fill queues
                for _ in 0..=input.u8() % 16 {
                    set.notify(f, event);
                    if let Some(q) = usize::try_from(f)
                        .ok()
                        .and_then(|i| attached.get(i).copied().flatten())
                    {
                        if model[q].len() < FQUEUE_LEN {
                            model[q].push(FlowEvent { flow_id: f, event });
                        }
                    }
                }
            }
            6 if blocking < MAX_BLOCKING => {
                blocking += 1;
                let q = input.u8() as usize % (PROG_MAX_FQUEUES + 2);
                let (d, latest) = deadline(input);
                let r = set.wait(q, d);
                in_time(latest, "wait");
                if let Ok(ev) = &r {
                    assert!(!ev.is_empty() && ev.len() <= FQUEUE_LEN);
                }
                if q >= PROG_MAX_FQUEUES {
                    assert_eq!(r, Err(Error::Inval));
                } else if pristine {
                    let want = std::mem::take(&mut model[q]);
                    match r {
                        Ok(ev) => assert_eq!(ev, want, "events of fqueue {q}"),
                        Err(_) => assert!(want.is_empty(), "events of fqueue {q} lost"),
                    }
                }
            }
            _ => {
                let other = FlowSet::open(PID).expect("open the flow set");
                let f = flow(input);
                let _ = other.has(0, f);
            }
        }
    }
    drop(peer);
    set.destroy();
}

fuzz_target!(
    init: fuzz_support::isolate(),
    |data: &[u8]| {
        let mut input = Input::new(data);
        match input.u8() % 3 {
            0 => pool(&mut input),
            1 => rbuff(&mut input),
            _ => flow_set(&mut input),
        }
    }
);

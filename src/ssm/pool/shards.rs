//! Access to the pool header's shards and to block headers, and the
//! free-list operations (callers hold the shard lock).

use super::{my_pid, shard_of, Pool};
use crate::errno::Result;
use crate::ssm::classes::{self, Class};
use crate::ssm::layout::{BlockHdr, PoolHdr, Shard, SizeClass};
use crate::ssm::sync::{SharedCond, SharedMutex};
use crate::ssm::{PK_BUFF_HEADSPACE, POOL_SHARDS};
use std::sync::atomic::Ordering::SeqCst;

impl Pool {
    pub(in crate::ssm) fn class(&self, c: usize) -> &Class {
        &self.classes[c]
    }

    pub(super) fn hdr(&self) -> *mut PoolHdr {
        // The header starts right after the block region; `Shm::open`
        // guaranteed the mapping covers it.
        self.shm.base().wrapping_add(self.total).cast()
    }

    pub(super) fn class_hdr(&self, c: usize) -> *mut SizeClass {
        // SAFETY: in-bounds projection inside the header (index checked).
        unsafe { &raw mut (*self.hdr()).size_classes[c] }
    }

    pub(super) fn shard(&self, c: usize, s: usize) -> *mut Shard {
        // SAFETY: in-bounds projection inside the header (index checked).
        unsafe { &raw mut (*self.class_hdr(c)).shards[s] }
    }

    pub(super) fn shard_mutex(&self, c: usize, s: usize) -> SharedMutex<'_> {
        // SAFETY: the shard mutex lives in our mapping for as long as
        // `self` is borrowed.
        unsafe { SharedMutex::new(&raw mut (*self.shard(c, s)).mtx) }
    }

    pub(super) fn shard_cond(&self, c: usize, s: usize) -> SharedCond<'_> {
        // SAFETY: as for `shard_mutex`.
        unsafe { SharedCond::new(&raw mut (*self.shard(c, s)).cond) }
    }

    /// Header of the block at `off`; callers pass a checked block offset.
    pub(in crate::ssm) fn block_hdr(&self, off: usize) -> *mut BlockHdr {
        debug_assert!(classes::class_of(self.classes, off).is_some());
        self.shm.base().wrapping_add(off).cast()
    }

    pub(super) fn wake_others(&self, c: usize, except: usize) {
        (0..POOL_SHARDS)
            .filter(|&s| s != except)
            .for_each(|s| self.shard_cond(c, s).signal());
    }

    /// Pushes block `off` of class `c` on shard `s` (lock held).
    pub(super) fn push_free(&self, c: usize, s: usize, off: usize) {
        let shard = self.shard(c, s);
        let blk = self.block_hdr(off);
        // SAFETY: shard and block lie inside the mapping; atomics only.
        let (head, count, free, next) = unsafe {
            (
                &(*shard).head_offset,
                &(*shard).count,
                &(*shard).free_count,
                &(*blk).next_offset,
            )
        };
        next.store(head.load(SeqCst), SeqCst);
        head.store(off as u32, SeqCst);
        count.store(count.load(SeqCst).wrapping_add(1), SeqCst);
        free.fetch_add(1, SeqCst);
    }

    /// Pops a block of class `c` from shard `s` (lock held); `None` when
    /// the list is empty or its head is not a block of this class.
    pub(super) fn pop_free(&self, c: usize, s: usize) -> Option<usize> {
        let shard = self.shard(c, s);
        // SAFETY: shard record inside the header; atomics only.
        let (head, count) = unsafe { (&(*shard).head_offset, &(*shard).count) };
        let off = head.load(SeqCst) as usize;
        if off == 0 || !self.classes[c].holds_block(off) {
            return None;
        }
        // SAFETY: `off` was just checked to be a block of class `c`.
        let next = unsafe { &(*self.block_hdr(off)).next_offset }.load(SeqCst);
        head.store(next, SeqCst);
        count.store(count.load(SeqCst).wrapping_sub(1), SeqCst);
        Some(off)
    }

    /// Whether `pop_free(c, s)` would find a block (lock held): the
    /// shard's counter says so and the head is a block of the class. Both
    /// are shared; a counter a peer corrupted while the list is empty
    /// does not count (a blocked allocation would spin on it).
    pub(super) fn can_pop(&self, c: usize, s: usize) -> bool {
        let shard = self.shard(c, s);
        // SAFETY: shard record inside the header; atomics only.
        let (head, free) = unsafe { (&(*shard).head_offset, &(*shard).free_count) };
        free.load(SeqCst) > 0 && self.classes[c].holds_block(head.load(SeqCst) as usize)
    }

    /// One pass over the four shards starting at the local one.
    pub(super) fn try_shards(&self, c: usize, len: usize) -> Result<Option<usize>> {
        let local = shard_of(my_pid());
        for i in 0..POOL_SHARDS {
            let s = (local + i) % POOL_SHARDS;
            let _guard = self.shard_mutex(c, s).lock()?;
            // SAFETY: shard record inside the header.
            let free = unsafe { &(*self.shard(c, s)).free_count };
            if free.load(SeqCst) == 0 {
                continue;
            }
            let got = self.pop_free(c, s);
            // Upstream counts the attempt even when the pop fails.
            free.fetch_sub(1, SeqCst);
            if let Some(off) = got {
                self.init_block(c, off, len);
                return Ok(Some(off));
            }
        }
        Ok(None)
    }

    pub(super) fn init_block(&self, c: usize, off: usize, len: usize) {
        let blk = self.block_hdr(off);
        let data = self.classes[c].data_size() as u32;
        let head = PK_BUFF_HEADSPACE as u32;
        // SAFETY: block header inside the mapping, ours under the shard
        // lock; plain fields written volatile.
        unsafe {
            (*blk).refcount.store(1, SeqCst);
            (&raw mut (*blk).allocator_pid).write_volatile(my_pid());
            (&raw mut (*blk).size).write_volatile(data);
            (&raw mut (*blk).pk_head).write_volatile(head);
            (&raw mut (*blk).pk_tail).write_volatile(head.wrapping_add(len as u32));
            (&raw mut (*blk).off).write_volatile(off as u32);
        }
    }
}

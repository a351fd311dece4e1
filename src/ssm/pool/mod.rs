//! Packet pools: the Global Shared Packet Pool (`/ouroboros.gspp`) and the
//! Per-User Pools (`/ouroboros.pup.<uid>`), byte-compatible with upstream.
//!
//! File layout: the block region (size classes back to back) followed by
//! the 4136-byte header. Each class has four shards, each a free list with
//! its own robust PI mutex and condvar. Blocks are identified by their
//! byte offset from the start of the file.

mod init;
mod shards;

use super::block::Block;
use super::classes::{self, Classes};
use super::layout::PoolHdr;
use super::shm::{self, Create, Shm};
use super::sync;
use super::{GSPP_NAME, GSPP_TOTAL_SIZE, GSPP_UID, POOL_SHARDS, PUP_TOTAL_SIZE};
use crate::errno::{Error, Result};
use crate::time::MonoTime;
use std::mem::size_of;
use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

/// Re-poll interval of a blocked allocation: upstream freers only signal
/// the shard the block returns to and the wait can miss a wake-up.
const ALLOC_POLL: Duration = Duration::from_millis(2);

/// A mapped packet pool.
pub struct Pool {
    shm: Shm,
    uid: u32,
    classes: &'static Classes,
    total: usize,
}

/// Name of the pool of `uid` (0 = GSPP).
pub fn pool_name(uid: u32) -> String {
    if uid == GSPP_UID {
        GSPP_NAME.to_owned()
    } else {
        format!("{}{}", super::PUP_NAME_PREFIX, uid as i32)
    }
}

/// Size of the pool file of `uid`: block region + header.
pub fn pool_file_size(uid: u32) -> usize {
    block_region_size(uid) + size_of::<PoolHdr>()
}

fn block_region_size(uid: u32) -> usize {
    if uid == GSPP_UID {
        GSPP_TOTAL_SIZE
    } else {
        PUP_TOTAL_SIZE
    }
}

fn my_pid() -> i32 {
    std::process::id() as i32
}

/// Local shard of a pid (`pid mod 4`).
fn shard_of(pid: i32) -> usize {
    pid.rem_euclid(POOL_SHARDS as i32) as usize
}

impl Pool {
    fn mapped(shm: Shm, uid: u32) -> Pool {
        Pool {
            shm,
            uid,
            classes: if uid == GSPP_UID {
                &classes::GSPP
            } else {
                &classes::PUP
            },
            total: block_region_size(uid),
        }
    }

    /// Creates the pool of `uid` (0: GSPP, mode 0660; else the PUP of that
    /// uid, mode 0600, owned by uid:gid when uid is not our euid). Fails
    /// with `Exist` if it is already there.
    pub fn create(uid: u32, gid: u32) -> Result<Pool> {
        let name = pool_name(uid);
        let how = Create {
            mode: if uid == GSPP_UID { 0o660 } else { 0o600 },
            exclusive: true,
            owner: (uid != nix::unistd::geteuid().as_raw()).then_some((uid, gid)),
        };
        let pool = Pool::mapped(Shm::create(&name, pool_file_size(uid), &how)?, uid);
        if let Err(e) = pool.init_header() {
            drop(pool);
            let _ = shm::unlink(&name);
            return Err(e);
        }
        Ok(pool)
    }

    /// Maps an existing pool of `uid`; initialises it if its creator has
    /// not (as upstream does).
    pub fn open(uid: u32) -> Result<Pool> {
        let pool = Pool::mapped(Shm::open(&pool_name(uid), pool_file_size(uid))?, uid);
        pool.init_classes()?;
        Ok(pool)
    }

    /// Unlinks the GSPP whoever created it (stale IRMd cleanup).
    pub fn purge_gspp() -> Result<()> {
        shm::unlink(GSPP_NAME)
    }

    /// Unmaps; also unlinks when we created the pool or its creator is
    /// dead.
    pub fn destroy(self) {
        let creator = self.creator_pid();
        let name = pool_name(self.uid);
        drop(self);
        if creator == my_pid() || !crate::proc::alive(creator) {
            let _ = shm::unlink(&name);
        }
    }

    /// Locks the whole mapping in memory.
    pub fn mlock(&self) -> Result<()> {
        self.shm.mlock()
    }

    /// 0 for the GSPP, else the uid of this PUP.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// Pid recorded by the creator.
    pub fn creator_pid(&self) -> i32 {
        // SAFETY: the header lies inside the mapping; plain field, read
        // volatile.
        unsafe { (&raw const (*self.hdr()).pid).read_volatile() }
    }

    /// Largest payload one block can carry (`-EMSGSIZE` above).
    pub fn max_len(&self) -> usize {
        classes::max_payload(self.classes)
    }

    /// Allocates a block for a `len`-byte packet without blocking:
    /// `MsgSize` if no class fits, `Again` if the class is exhausted.
    pub fn alloc(&self, len: usize) -> Result<Block<'_>> {
        let c = classes::select(self.classes, len).ok_or(Error::MsgSize)?;
        match self.try_shards(c, len)? {
            Some(off) => Ok(Block::new(self, off, c)),
            None => Err(Error::Again),
        }
    }

    /// Allocates, waiting for a free block until the absolute monotonic
    /// `deadline` (`None`: forever); `TimedOut` on expiry.
    pub fn alloc_b(&self, len: usize, deadline: Option<MonoTime>) -> Result<Block<'_>> {
        let c = classes::select(self.classes, len).ok_or(Error::MsgSize)?;
        let local = shard_of(my_pid());
        loop {
            if let Some(off) = self.try_shards(c, len)? {
                return Ok(Block::new(self, off, c));
            }
            // Wait on the local shard's cond: the one C freers of our
            // residue signal. Bounded, see ALLOC_POLL.
            let (until, own) = sync::capped(deadline, ALLOC_POLL);
            let mut g = self.shard_mutex(c, local).lock()?;
            if self.can_pop(c, local) {
                continue; // freed since the pass above
            }
            match g.wait(self.shard_cond(c, local), Some(until)) {
                Err(Error::TimedOut) if own => {
                    drop(g);
                    // One last look, then give up.
                    return match self.try_shards(c, len)? {
                        Some(off) => Ok(Block::new(self, off, c)),
                        None => Err(Error::TimedOut),
                    };
                }
                Ok(()) | Err(Error::TimedOut) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The block at `off` if it is allocated (refcount > 0).
    pub fn get(&self, off: usize) -> Option<Block<'_>> {
        if off == 0 || off >= self.total {
            return None;
        }
        let c = classes::class_of(self.classes, off)?;
        // SAFETY: `off` is a block offset inside the mapping.
        let refs = unsafe { &(*self.block_hdr(off)).refcount };
        (refs.load(SeqCst) != 0).then(|| Block::new(self, off, c))
    }

    /// Drops one reference to the block at `off`, returning it to the free
    /// list of its allocator's shard when it was the last. `Inval` when
    /// `off` is not a block or the block is not allocated (refcount 0:
    /// the offset came from a corrupt or stale ring entry); the block is
    /// then left alone, so it can never be on a free list twice.
    pub fn remove(&self, off: usize) -> Result<()> {
        if off == 0 || off >= self.total {
            return Err(Error::Inval);
        }
        let c = classes::class_of(self.classes, off).ok_or(Error::Inval)?;
        let blk = self.block_hdr(off);
        // SAFETY: `blk` is a block header inside the mapping; plain field
        // read volatile, atomics through references to atomics.
        let (pid_p, refs) = unsafe { (&raw mut (*blk).allocator_pid, &(*blk).refcount) };
        // SAFETY: as above.
        let s = shard_of(unsafe { pid_p.read_volatile() });
        let guard = self.shard_mutex(c, s).lock()?;
        match refs.fetch_update(SeqCst, SeqCst, |r| r.checked_sub(1)) {
            Err(_) => return Err(Error::Inval),
            Ok(r) if r > 1 => return Ok(()),
            Ok(_) => {}
        }
        // SAFETY: as above; we hold the shard lock.
        unsafe { pid_p.write_volatile(0) };
        self.push_free(c, s, off);
        self.shard_cond(c, s).signal();
        drop(guard);
        // Fix, invisible to C: also wake allocators waiting on the other
        // shards (upstream only wakes those of the block's shard).
        self.wake_others(c, s);
        Ok(())
    }

    /// Records the calling process as the holder of the allocated block
    /// at `off` (one it took from a ring), so that the IRMd reclaims it if
    /// this process dies before releasing it. Upstream records only the
    /// allocator: a reader killed while holding a block leaks it. Only a
    /// sole holder claims: an upstream FRCT sender keeps a reference for
    /// retransmission, and if it dies its blocks must stay its own. C code
    /// uses the field only to pick the shard a freed block goes to.
    pub fn claim(&self, off: usize) {
        if let Some(b) = self.get(off).filter(|b| b.refcount() == 1) {
            b.set_holder(my_pid());
        }
    }

    /// Returns to the free lists every block `pid` (a dead process)
    /// allocated or claimed and still references, whoever holds it now.
    pub fn reclaim_orphans(&self, pid: i32) -> Result<()> {
        if pid <= 0 {
            return Ok(());
        }
        for (c, class) in self.classes.iter().enumerate() {
            if !class.present() {
                continue;
            }
            let guard = self.shard_mutex(c, 0).lock()?;
            let mut found = 0;
            for i in 0..class.count {
                let off = class.start + i * class.object_size;
                let blk = self.block_hdr(off);
                // SAFETY: block header inside the mapping.
                let (pid_p, refs) = unsafe { (&raw mut (*blk).allocator_pid, &(*blk).refcount) };
                // A holder's `remove` runs under another shard's lock: the
                // refcount's transition to 0 decides who frees the block.
                // SAFETY: as above.
                if unsafe { pid_p.read_volatile() } == pid
                    && refs
                        .fetch_update(SeqCst, SeqCst, |r| (r > 0).then_some(0))
                        .is_ok()
                {
                    // SAFETY: as above.
                    unsafe { pid_p.write_volatile(0) };
                    self.push_free(c, 0, off);
                    found += 1;
                }
            }
            drop(guard);
            if found > 0 {
                // Invisible to C: let blocked allocators see them.
                self.wake_others(c, usize::MAX);
            }
        }
        Ok(())
    }

    /// Free blocks over all classes and shards (the shards' counters,
    /// which any process may write: the sum saturates rather than
    /// overflow on corrupt values).
    pub fn free_blocks(&self) -> usize {
        (0..self.classes.len())
            .filter(|&c| self.classes[c].present())
            .flat_map(|c| (0..POOL_SHARDS).map(move |s| (c, s)))
            // SAFETY: shard record inside the header.
            .map(|(c, s)| unsafe { &(*self.shard(c, s)).free_count }.load(SeqCst))
            .fold(0, usize::saturating_add)
    }

    /// Test hook: locks a shard mutex and keeps it locked.
    #[cfg(test)]
    pub(crate) fn lock_shard_forever(&self, c: usize, s: usize) {
        self.shard_mutex(c, s).lock().expect("lock").leak();
    }

    /// Test hook: raw bytes of the pool file.
    #[cfg(test)]
    pub(crate) fn raw(&self) -> (*const u8, usize) {
        (self.shm.base(), pool_file_size(self.uid))
    }
}

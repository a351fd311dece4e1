//! Initial state of a pool, byte for byte as upstream lays it out.

use super::{my_pid, Pool};
use crate::errno::Result;
use crate::ssm::sync::{SharedCond, SharedMutex};
use crate::ssm::POOL_SHARDS;
use std::sync::atomic::Ordering::SeqCst;

impl Pool {
    /// Header fields of a new pool: its mutex and condvar, our pid, the
    /// mapping address, then the size classes.
    pub(super) fn init_header(&self) -> Result<()> {
        let h = self.hdr();
        // SAFETY: header inside the mapping, which nobody else uses yet
        // (we created it exclusively).
        unsafe {
            SharedMutex::new(&raw mut (*h).mtx).init(false)?;
            SharedCond::new(&raw mut (*h).healthy).init()?;
            (&raw mut (*h).pid).write_volatile(my_pid());
            (*h).initialized.store(0, SeqCst);
            (&raw mut (*h).mapped_addr).write_volatile(self.shm.base() as usize);
        }
        self.init_classes()
    }

    /// Lays out the classes and puts every block on shard 0, in ascending
    /// order (so the last block ends up at the head); no-op once done.
    pub(super) fn init_classes(&self) -> Result<()> {
        // SAFETY: header inside the mapping.
        let initialized = unsafe { &(*self.hdr()).initialized };
        if initialized.load(SeqCst) != 0 {
            return Ok(());
        }
        for (c, class) in self.classes.iter().enumerate() {
            if !class.present() {
                continue;
            }
            let sc = self.class_hdr(c);
            // SAFETY: class record inside the header; plain fields
            // written volatile.
            unsafe {
                (&raw mut (*sc).object_size).write_volatile(class.object_size);
                (&raw mut (*sc).pool_start).write_volatile(class.start);
                (&raw mut (*sc).pool_size).write_volatile(class.pool_size());
                (&raw mut (*sc).object_count).write_volatile(class.count);
            }
            for s in 0..POOL_SHARDS {
                let shard = self.shard(c, s);
                // SAFETY: shard record inside the header; atomics only.
                unsafe {
                    (*shard).head_offset.store(0, SeqCst);
                    (*shard).count.store(0, SeqCst);
                    (*shard).free_count.store(0, SeqCst);
                }
                self.shard_mutex(c, s).init(true)?;
                self.shard_cond(c, s).init()?;
            }
            for i in 0..class.count {
                let off = class.start + i * class.object_size;
                let blk = self.block_hdr(off);
                // SAFETY: block header inside the mapping.
                unsafe {
                    (*blk).refcount.store(0, SeqCst);
                    (&raw mut (*blk).allocator_pid).write_volatile(0);
                    (*blk).next_offset.store(0, SeqCst);
                }
                self.push_free(c, 0, off);
            }
        }
        initialized.store(1, SeqCst);
        Ok(())
    }
}

//! Size classes of the two pool kinds (default build), computed at
//! compile time from the per-class block counts.
//!
//! The pool code takes class geometry from these tables rather than from
//! the shared header (which holds the same values), so a corrupted header
//! can never steer an access outside the mapping.

use super::layout::BlockHdr;
use super::{
    GSPP_TOTAL_SIZE, PK_BUFF_HEADSPACE, PK_BUFF_TAILSPACE, POOL_MAX_CLASSES, PUP_TOTAL_SIZE,
};
use std::mem::size_of;

/// Bytes a block needs beyond the payload: header, headspace, tailspace.
pub const BLOCK_OVERHEAD: usize = size_of::<BlockHdr>() + PK_BUFF_HEADSPACE + PK_BUFF_TAILSPACE;

/// Where one class lives in the block region; `count` 0 = class absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Class {
    pub object_size: usize,
    pub start: usize,
    pub count: usize,
}

impl Class {
    pub(crate) const fn pool_size(&self) -> usize {
        self.object_size * self.count
    }

    pub(crate) const fn present(&self) -> bool {
        self.count > 0
    }

    /// Usable bytes in a block's `data[]`.
    pub(crate) const fn data_size(&self) -> usize {
        self.object_size - size_of::<BlockHdr>()
    }

    /// Whether `off` is the offset of one of this class's blocks.
    pub(crate) fn holds_block(&self, off: usize) -> bool {
        self.present()
            && off >= self.start
            && off < self.start + self.pool_size()
            && (off - self.start) % self.object_size == 0
    }
}

pub(crate) type Classes = [Class; POOL_MAX_CLASSES];

const fn geometry(blocks: [usize; POOL_MAX_CLASSES]) -> Classes {
    const SHIFTS: [u32; POOL_MAX_CLASSES] = [8, 9, 10, 11, 12, 14, 16, 18, 20];
    let mut out = [Class {
        object_size: 0,
        start: 0,
        count: 0,
    }; POOL_MAX_CLASSES];
    let mut start = 0;
    let mut c = 0;
    while c < POOL_MAX_CLASSES {
        let object_size = 1usize << SHIFTS[c];
        if blocks[c] > 0 {
            out[c] = Class {
                object_size,
                start,
                count: blocks[c],
            };
            start += object_size * blocks[c];
        } else {
            // Absent classes keep their size for selection purposes only
            // through `present()`; their header entry stays zero.
            out[c].object_size = object_size;
        }
        c += 1;
    }
    out
}

const fn total(classes: &Classes) -> usize {
    let mut t = 0;
    let mut c = 0;
    while c < POOL_MAX_CLASSES {
        t += classes[c].pool_size();
        c += 1;
    }
    t
}

pub(crate) const GSPP: Classes = geometry([1024, 768, 512, 384, 256, 128, 64, 32, 16]);
pub(crate) const PUP: Classes = geometry([128, 96, 64, 48, 32, 16, 8, 2, 0]);

const _: () = assert!(total(&GSPP) == GSPP_TOTAL_SIZE);
const _: () = assert!(total(&PUP) == PUP_TOTAL_SIZE);

/// The first present class whose blocks hold a `len`-byte payload.
pub(crate) fn select(classes: &Classes, len: usize) -> Option<usize> {
    let need = len.checked_add(BLOCK_OVERHEAD)?;
    classes
        .iter()
        .position(|c| c.present() && need <= c.object_size)
}

/// The class holding the block at `off`, if `off` is a block offset.
pub(crate) fn class_of(classes: &Classes, off: usize) -> Option<usize> {
    classes.iter().position(|c| c.holds_block(off))
}

/// Largest payload a pool with these classes can hold.
pub(crate) fn max_payload(classes: &Classes) -> usize {
    classes
        .iter()
        .rev()
        .find(|c| c.present())
        .map_or(0, |c| c.object_size - BLOCK_OVERHEAD)
}

//! A handle on one pool block (upstream `struct ssm_pk_buff`): the packet
//! occupies `data[pk_head..pk_tail]`, with headspace before and tailspace
//! after it.
//!
//! The handle does not own a reference: references travel with the offset
//! (see `Pool::remove`). By protocol only the process currently holding the
//! packet touches its bytes and head/tail fields, without a lock. Every
//! access is bounded by the block's class, whatever the shared fields say.

use super::layout::BlockHdr;
use super::pool::Pool;
use crate::errno::{Error, Result};
use std::mem::size_of;
use std::sync::atomic::Ordering::SeqCst;

pub struct Block<'a> {
    pool: &'a Pool,
    off: usize,
    class: usize,
}

impl<'a> Block<'a> {
    pub(super) fn new(pool: &'a Pool, off: usize, class: usize) -> Block<'a> {
        Block { pool, off, class }
    }

    fn hdr(&self) -> *mut BlockHdr {
        self.pool.block_hdr(self.off)
    }

    /// Bytes of `data[]` (object size − 28).
    pub fn capacity(&self) -> usize {
        self.pool.class(self.class).data_size()
    }

    fn pk_head(&self) -> u32 {
        // SAFETY: header of a checked block inside the pool mapping.
        unsafe { (&raw const (*self.hdr()).pk_head).read_volatile() }
    }

    fn pk_tail(&self) -> u32 {
        // SAFETY: as in `pk_head`.
        unsafe { (&raw const (*self.hdr()).pk_tail).read_volatile() }
    }

    fn set_head(&self, v: u32) {
        // SAFETY: as in `pk_head`.
        unsafe { (&raw mut (*self.hdr()).pk_head).write_volatile(v) }
    }

    fn set_tail(&self, v: u32) {
        // SAFETY: as in `pk_head`.
        unsafe { (&raw mut (*self.hdr()).pk_tail).write_volatile(v) }
    }

    /// The packet's range in `data[]`, if the shared fields are sane.
    fn range(&self) -> Option<(usize, usize)> {
        let (h, t) = (self.pk_head() as usize, self.pk_tail() as usize);
        (h <= t && t <= self.capacity()).then_some((h, t))
    }

    fn data(&self) -> *mut u8 {
        self.hdr().cast::<u8>().wrapping_add(size_of::<BlockHdr>())
    }

    /// Pool offset of the block (the index that travels through rbuffs).
    pub fn off(&self) -> usize {
        self.off
    }

    /// Packet length (0 if the head/tail fields are out of bounds).
    pub fn len(&self) -> usize {
        self.range().map_or(0, |(h, t)| t - h)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes available in front of the packet.
    pub fn headspace(&self) -> usize {
        self.pk_head() as usize
    }

    /// Bytes available behind the packet.
    pub fn tailspace(&self) -> usize {
        self.capacity().saturating_sub(self.pk_tail() as usize)
    }

    /// Grows the packet by `n` bytes at the front (`NoMem` if the
    /// headspace is smaller).
    pub fn head_alloc(&self, n: usize) -> Result<()> {
        let h = self.pk_head() as usize;
        if h < n {
            return Err(Error::NoMem);
        }
        self.set_head((h - n) as u32);
        Ok(())
    }

    /// Grows the packet by `n` bytes at the back (`NoMem` unless
    /// tail + n stays below the capacity, as upstream).
    pub fn tail_alloc(&self, n: usize) -> Result<()> {
        let t = self.pk_tail() as usize;
        match t.checked_add(n) {
            Some(end) if end < self.capacity() => {
                self.set_tail(end as u32);
                Ok(())
            }
            _ => Err(Error::NoMem),
        }
    }

    /// Removes `n` bytes from the front (`Inval` if longer than the packet).
    pub fn head_release(&self, n: usize) -> Result<()> {
        let (h, t) = self.range().ok_or(Error::Inval)?;
        if n > t - h {
            return Err(Error::Inval);
        }
        self.set_head((h + n) as u32);
        Ok(())
    }

    /// Removes `n` bytes from the back (`Inval` if longer than the packet).
    pub fn tail_release(&self, n: usize) -> Result<()> {
        let (h, t) = self.range().ok_or(Error::Inval)?;
        if n > t - h {
            return Err(Error::Inval);
        }
        self.set_tail((t - n) as u32);
        Ok(())
    }

    /// Sets the packet length to `len` (`Inval` past the capacity).
    pub fn truncate(&self, len: usize) -> Result<()> {
        let h = self.pk_head() as usize;
        match h.checked_add(len) {
            Some(t) if t <= self.capacity() => {
                self.set_tail(t as u32);
                Ok(())
            }
            _ => Err(Error::Inval),
        }
    }

    /// Copies the packet's first bytes into `buf`; returns the count.
    pub fn read(&self, buf: &mut [u8]) -> usize {
        let Some((h, t)) = self.range() else { return 0 };
        let n = buf.len().min(t - h);
        // SAFETY: `h + n <= capacity`, inside the block; `buf` is local.
        unsafe { std::ptr::copy_nonoverlapping(self.data().add(h), buf.as_mut_ptr(), n) };
        n
    }

    /// The packet bytes, copied.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0; self.len()];
        let n = self.read(&mut v);
        v.truncate(n);
        v
    }

    /// Writes `src` into the packet at byte `at` (`Inval` past its end).
    pub fn write(&self, at: usize, src: &[u8]) -> Result<()> {
        let (h, t) = self.range().ok_or(Error::Inval)?;
        match at.checked_add(src.len()) {
            Some(end) if end <= t - h => {
                // SAFETY: `h + end <= capacity`, inside the block.
                unsafe {
                    std::ptr::copy_nonoverlapping(src.as_ptr(), self.data().add(h + at), src.len())
                };
                Ok(())
            }
            _ => Err(Error::Inval),
        }
    }

    /// The packet bytes in place.
    ///
    /// # Safety
    /// The caller holds the packet by protocol: no other process or
    /// thread writes these bytes or moves head/tail while the slice lives.
    pub unsafe fn bytes(&self) -> &[u8] {
        let (h, t) = self.range().unwrap_or((0, 0));
        // SAFETY: in-bounds range of the block; exclusivity is the
        // caller's promise.
        unsafe { std::slice::from_raw_parts(self.data().add(h), t - h) }
    }

    /// The packet bytes in place, writable.
    ///
    /// # Safety
    /// As for [`Block::bytes`], and no other slice of this packet exists.
    pub unsafe fn bytes_mut(&mut self) -> &mut [u8] {
        let (h, t) = self.range().unwrap_or((0, 0));
        // SAFETY: as in `bytes`.
        unsafe { std::slice::from_raw_parts_mut(self.data().add(h), t - h) }
    }

    /// Takes one more reference (retransmission bookkeeping).
    pub fn wait_ack(&self) {
        // SAFETY: header of a checked block inside the mapping.
        unsafe { &(*self.hdr()).refcount }.fetch_add(1, SeqCst);
    }

    /// Drops one reference without ever freeing the block.
    pub fn ack(&self) {
        // SAFETY: as in `wait_ack`.
        unsafe { &(*self.hdr()).refcount }.fetch_sub(1, SeqCst);
    }

    /// Current reference count.
    pub fn refcount(&self) -> u16 {
        // SAFETY: as in `wait_ack`.
        unsafe { &(*self.hdr()).refcount }.load(SeqCst)
    }

    /// Pid of the process that allocated (or claimed) the block.
    pub fn allocator_pid(&self) -> i32 {
        // SAFETY: as in `wait_ack`; plain field read volatile.
        unsafe { (&raw const (*self.hdr()).allocator_pid).read_volatile() }
    }

    /// Records `pid` as the block's holder (see `Pool::claim`).
    pub(crate) fn set_holder(&self, pid: i32) {
        // SAFETY: as in `wait_ack`; plain field written volatile by the
        // block's only holder.
        unsafe { (&raw mut (*self.hdr()).allocator_pid).write_volatile(pid) }
    }
}

impl std::fmt::Debug for Block<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Block")
            .field("off", &self.off)
            .field("len", &self.len())
            .finish()
    }
}

//! POSIX shared-memory objects mapped read/write shared.

use crate::errno::{Error, Result};
use nix::fcntl::OFlag;
use nix::sys::stat::{fstat, umask, Mode};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::ptr::NonNull;

/// How to create an object.
pub(crate) struct Create {
    pub mode: u32,
    /// `O_EXCL`: fail with `Exist` when the object is already there.
    pub exclusive: bool,
    /// `fchown` to (uid, gid) after creation.
    pub owner: Option<(u32, u32)>,
}

/// A whole object mapped `PROT_READ|PROT_WRITE`, `MAP_SHARED`; unmapped on
/// drop.
pub(crate) struct Shm {
    base: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory shared with other processes anyway;
// every access through `Shm` users goes through atomics, volatile accesses
// or glibc process-shared synchronisation objects, so sharing the handle
// between threads adds nothing new.
unsafe impl Send for Shm {}
// SAFETY: as above.
unsafe impl Sync for Shm {}

impl Shm {
    /// Creates (`umask(0)` around the open, so `mode` is exact), sizes and
    /// maps `name`. On failure after the open the object is unlinked again.
    pub(crate) fn create(name: &str, len: usize, how: &Create) -> Result<Shm> {
        let mut flags = OFlag::O_CREAT | OFlag::O_RDWR;
        if how.exclusive {
            flags |= OFlag::O_EXCL;
        }
        let old = umask(Mode::empty());
        let fd = nix::sys::mman::shm_open(name, flags, Mode::from_bits_truncate(how.mode));
        umask(old);
        let fd = fd?;
        let made = Self::size_and_map(&fd, len, how.owner);
        if made.is_err() {
            let _ = unlink(name);
        }
        made
    }

    fn size_and_map(fd: &OwnedFd, len: usize, owner: Option<(u32, u32)>) -> Result<Shm> {
        let size = libc::off_t::try_from(len).map_err(|_| Error::Inval)?;
        nix::unistd::ftruncate(fd.as_fd(), size)?;
        if let Some((uid, gid)) = owner {
            nix::unistd::fchown(
                fd.as_fd(),
                Some(nix::unistd::Uid::from_raw(uid)),
                Some(nix::unistd::Gid::from_raw(gid)),
            )?;
        }
        Self::map(fd, len)
    }

    /// Opens and maps an existing object of (at least) `len` bytes.
    pub(crate) fn open(name: &str, len: usize) -> Result<Shm> {
        let fd = nix::sys::mman::shm_open(name, OFlag::O_RDWR, Mode::empty())?;
        // A shorter object (e.g. one still being created) would fault on
        // access; refuse it.
        let st = fstat(fd.as_fd())?;
        if usize::try_from(st.st_size).map_or(true, |s| s < len) {
            return Err(Error::Inval);
        }
        Self::map(&fd, len)
    }

    fn map(fd: &OwnedFd, len: usize) -> Result<Shm> {
        // SAFETY: mapping a fresh region chosen by the kernel; `fd` is open.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(Error::from(std::io::Error::last_os_error()));
        }
        let base = NonNull::new(p.cast::<u8>()).ok_or(Error::NoMem)?;
        Ok(Shm { base, len })
    }

    pub(crate) fn base(&self) -> *mut u8 {
        self.base.as_ptr()
    }

    /// `mlock` of the whole mapping.
    pub(crate) fn mlock(&self) -> Result<()> {
        // SAFETY: locks pages of our own live mapping.
        let rc = unsafe { libc::mlock(self.base.as_ptr().cast(), self.len) };
        if rc == 0 {
            Ok(())
        } else {
            Err(Error::from(std::io::Error::last_os_error()))
        }
    }
}

impl Drop for Shm {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the region `map` obtained; no references
        // into it outlive `self` (users borrow `self`).
        unsafe { libc::munmap(self.base.as_ptr().cast(), self.len) };
    }
}

/// `shm_unlink(name)`.
pub(crate) fn unlink(name: &str) -> Result<()> {
    nix::sys::mman::shm_unlink(name)?;
    Ok(())
}

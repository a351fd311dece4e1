//! The IRMd lockfile: POSIX shared-memory object `/ouroboros.lockfile`
//! (mode 0666) holding the owner's pid as a native-endian `pid_t`.

use crate::errno::{Error, Result};
use nix::fcntl::OFlag;
use nix::sys::mman::{shm_open, shm_unlink};
use nix::sys::stat::{umask, Mode};
use std::fs::File;
use std::os::unix::fs::FileExt;

pub const LOCKFILE_NAME: &str = "/ouroboros.lockfile";

pub struct Lockfile {
    file: File,
}

impl Lockfile {
    /// Creates the lockfile exclusively and stores our pid in it.
    pub fn create() -> Result<Lockfile> {
        let old = umask(Mode::empty());
        let fd = shm_open(
            LOCKFILE_NAME,
            OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_RDWR,
            Mode::from_bits_truncate(0o666),
        );
        umask(old);
        let file = File::from(fd?);
        let pid = std::process::id() as i32;
        file.set_len(std::mem::size_of::<i32>() as u64)?;
        file.write_all_at(&pid.to_ne_bytes(), 0)?;
        Ok(Lockfile { file })
    }

    /// Opens an existing lockfile.
    pub fn open() -> Result<Lockfile> {
        let fd = shm_open(LOCKFILE_NAME, OFlag::O_RDWR, Mode::empty())?;
        Ok(Lockfile {
            file: File::from(fd),
        })
    }

    /// The pid stored in the lockfile.
    pub fn owner(&self) -> Result<i32> {
        let mut b = [0u8; 4];
        self.file
            .read_exact_at(&mut b, 0)
            .map_err(|_| Error::Inval)?;
        Ok(i32::from_ne_bytes(b))
    }

    /// Removes the lockfile unless a live process other than us owns it.
    pub fn destroy(self) {
        if let Ok(owner) = self.owner() {
            if owner != std::process::id() as i32 && crate::proc::alive(owner) {
                return;
            }
        }
        let _ = shm_unlink(LOCKFILE_NAME);
    }

    /// Removes the object whatever its owner (stale cleanup).
    pub fn unlink() {
        let _ = shm_unlink(LOCKFILE_NAME);
    }
}

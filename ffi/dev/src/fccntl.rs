//! `fccntl.h`: `int fccntl(int fd, int cmd, ...)`.
//!
//! Stable Rust cannot define a variadic function, so the call goes through
//! three steps:
//!
//! 1. [`fccntl`], exported, is a naked function whose whole body is a jump
//!    to `o7s_dev_fccntl_va`: it touches no register and no stack, so the
//!    C function behind it sees the caller's call unchanged.
//! 2. `o7s_dev_fccntl_va` (shim/fccntl.c, compiled by build.rs) is a real
//!    C variadic function: it reads the command's argument from the
//!    `va_list` the way upstream does (a pointer, or a `uint32_t` for
//!    `FLOWSFLAGS` and `FRCTSFLAGS`, nothing for unknown commands).
//! 3. It calls [`o7s_dev_fccntl_arg`] here with that argument, which
//!    converts it into an [`ouroboros::dev::fccntl::Cmd`].
//!
//! Neither internal name is exported: the C file is compiled with hidden
//! visibility and declares `o7s_dev_fccntl_arg` hidden, which makes the
//! linked symbol hidden too (tests/header_decls.rs checks the export list).
//! The Rust declaration of `fccntl` has no `...`; tests/header_decls.rs
//! compares it with the header's variadic one explicitly.

use crate::ffi::{guard, opt_timeout, timespec};
use libc::{c_int, c_void, size_t};
use ouroboros::c_api::fccntl::*;
use ouroboros::c_api::qos::qosspec_t;
use ouroboros::dev::fccntl::{fccntl as run, Cmd};
use ouroboros::dev::SYS_MAX_FLOWS;
use ouroboros::errno::{Error, Result};
use ouroboros::qos::QosSpec;
use std::time::Duration;

extern "C" {
    /// shim/fccntl.c
    fn o7s_dev_fccntl_va(fd: c_int, cmd: c_int, ...) -> c_int;
}

/// Runs the flow-control command `cmd` on flow `fd`; the third argument,
/// when the command has one, is read by the C shim.
///
/// # Safety
/// The third argument is what the header documents for `cmd`: NULL or a
/// valid pointer of the documented type, or a `uint32_t` value.
#[no_mangle]
#[unsafe(naked)]
pub unsafe extern "C" fn fccntl(fd: c_int, cmd: c_int) -> c_int {
    #[cfg(target_arch = "x86_64")]
    core::arch::naked_asm!("jmp {f}", f = sym o7s_dev_fccntl_va);
    #[cfg(target_arch = "aarch64")]
    core::arch::naked_asm!("b {f}", f = sym o7s_dev_fccntl_va);
    #[cfg(target_arch = "riscv64")]
    core::arch::naked_asm!("tail {f}", f = sym o7s_dev_fccntl_va);
}

#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
)))]
compile_error!("fccntl: add the tail jump for this architecture");

/// Writes `v` to `p` unless `p` is NULL.
///
/// # Safety
/// `p` is NULL or valid for a write of a `T` (alignment not needed).
unsafe fn put<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: non-NULL and writable (contract above).
        unsafe { p.write_unaligned(v) };
    }
}

/// `fccntl` with its argument already taken from the `va_list`: `ptr` for
/// the commands with a pointer, `val` for the two that set flags.
///
/// Upstream checks the descriptor, then that the flow is allocated, then
/// the command and its argument; getters that would write through NULL
/// give `-EINVAL` after the first two checks, so the core runs every
/// command with a local out value and the result is copied out here.
///
/// # Safety
/// As for [`fccntl`], with the argument in `ptr` or `val`.
#[no_mangle]
unsafe extern "C" fn o7s_dev_fccntl_arg(
    fd: c_int,
    cmd: c_int,
    ptr: *mut c_void,
    val: u32,
) -> c_int {
    #[cfg(test)]
    tests::SEEN.with(|s| s.set(Some((fd, cmd, ptr as usize, val))));
    guard(|| {
        if !(0..SYS_MAX_FLOWS).contains(&fd) {
            return Err(Error::BadF);
        }
        // SAFETY: per the contract above, for each command's type.
        unsafe { command(fd, cmd, ptr, val) }.map(|()| 0)
    })
}

/// The body of [`o7s_dev_fccntl_arg`] for a descriptor in range.
///
/// # Safety
/// As for [`o7s_dev_fccntl_arg`].
unsafe fn command(fd: c_int, cmd: c_int, ptr: *mut c_void, val: u32) -> Result<()> {
    let present = !ptr.is_null();
    match cmd {
        FLOWSRCVTIMEO | FLOWSSNDTIMEO => {
            // SAFETY: NULL or a readable timespec (contract above).
            let t = unsafe { opt_timeout(ptr.cast()) };
            let c = if cmd == FLOWSRCVTIMEO {
                Cmd::SetRcvTimeo(t)
            } else {
                Cmd::SetSndTimeo(t)
            };
            run(fd, c)
        }
        FLOWGRCVTIMEO | FLOWGSNDTIMEO => {
            let mut d = Duration::ZERO;
            let out = present.then_some(&mut d);
            run(
                fd,
                if cmd == FLOWGRCVTIMEO {
                    Cmd::GetRcvTimeo(out)
                } else {
                    Cmd::GetSndTimeo(out)
                },
            )?;
            // SAFETY: NULL or a writable timespec (contract above).
            unsafe { put(ptr.cast::<libc::timespec>(), timespec(d)) };
            Ok(())
        }
        FLOWGQOSSPEC => {
            let mut q = QosSpec::RAW;
            run(fd, Cmd::GetQos(present.then_some(&mut q)))?;
            // SAFETY: NULL or a writable qosspec_t (contract above).
            unsafe { put(ptr.cast::<qosspec_t>(), qosspec_t::from(&q)) };
            Ok(())
        }
        FLOWSFLAGS => run(fd, Cmd::SetFlags(val)),
        FLOWGFLAGS => {
            let mut f = 0;
            run(fd, Cmd::GetFlags(present.then_some(&mut f)))?;
            // SAFETY: NULL or a writable uint32_t (contract above).
            unsafe { put(ptr.cast::<u32>(), f) };
            Ok(())
        }
        FLOWGRXQLEN | FLOWGTXQLEN => {
            let mut n = 0;
            run(
                fd,
                if cmd == FLOWGRXQLEN {
                    Cmd::RxQueueLen(&mut n)
                } else {
                    Cmd::TxQueueLen(&mut n)
                },
            )?;
            // upstream writes through the pointer unchecked
            if !present {
                return Err(Error::Inval);
            }
            // SAFETY: non-NULL and a writable size_t (contract above).
            unsafe { put(ptr.cast::<size_t>(), n) };
            Ok(())
        }
        // the uint16_t argument arrives promoted; upstream keeps 16 bits
        FRCTSFLAGS => run(fd, Cmd::SetFrctFlags(val as u16)),
        FRCTGFLAGS => {
            let mut f = 0;
            run(fd, Cmd::GetFrctFlags(present.then_some(&mut f)))?;
            // SAFETY: NULL or a writable uint16_t (contract above).
            unsafe { put(ptr.cast::<u16>(), f) };
            Ok(())
        }
        _ => {
            // the flow's checks come first: -EBADF/-ENOTALLOC, then this
            let mut f = 0;
            run(fd, Cmd::GetFlags(Some(&mut f)))?;
            Err(Error::NotSup)
        }
    }
}

#[cfg(test)]
mod tests {
    //! Through the whole path (trampoline, C shim, translation) for
    //! descriptors the checks reject before the core is reached.
    use super::*;
    use std::cell::Cell;
    use std::ptr::null_mut;

    thread_local! {
        /// What the last call handed to `o7s_dev_fccntl_arg`.
        pub(super) static SEEN: Cell<Option<(c_int, c_int, usize, u32)>> = const { Cell::new(None) };
    }

    extern "C" {
        /// The exported symbol, called as C calls it.
        #[link_name = "fccntl"]
        fn fccntl_c(fd: c_int, cmd: c_int, ...) -> c_int;
    }

    const EBADF: c_int = -libc::EBADF;

    #[test]
    fn bad_descriptors_are_ebadf_for_every_command() {
        let mut flags = 0u32;
        let t = libc::timespec {
            tv_sec: 1,
            tv_nsec: 0,
        };
        for fd in [-1, SYS_MAX_FLOWS, c_int::MIN] {
            // SAFETY: each call passes the argument type its command takes.
            unsafe {
                assert_eq!(fccntl_c(fd, FLOWGFLAGS, &mut flags as *mut u32), EBADF);
                assert_eq!(fccntl_c(fd, FLOWSFLAGS, FLOWFRDWR), EBADF);
                assert_eq!(fccntl_c(fd, FRCTSFLAGS, FRCTFRTX), EBADF);
                assert_eq!(
                    fccntl_c(fd, FLOWSRCVTIMEO, &t as *const libc::timespec),
                    EBADF
                );
                assert_eq!(fccntl_c(fd, FLOWGQOSSPEC, null_mut::<qosspec_t>()), EBADF);
                assert_eq!(fccntl_c(fd, 0o777), EBADF);
            }
        }
        assert_eq!(flags, 0);
    }

    #[test]
    fn the_shim_reads_the_argument_each_command_has() {
        let mut flags = 0u32;
        let p = &mut flags as *mut u32;
        let seen = |fd, cmd, ptr: *mut u32, val| Some((fd, cmd, ptr as usize, val));
        // SAFETY: the argument types match the commands.
        unsafe {
            assert_eq!(fccntl_c(-7, FLOWSFLAGS, FLOWFDEFAULT), EBADF);
            assert_eq!(SEEN.get(), seen(-7, FLOWSFLAGS, null_mut(), FLOWFDEFAULT));
            // a promoted uint16_t
            assert_eq!(fccntl_c(-8, FRCTSFLAGS, c_int::from(0xffffu16)), EBADF);
            assert_eq!(SEEN.get(), seen(-8, FRCTSFLAGS, null_mut(), 0xffff));
            for cmd in [
                FLOWGFLAGS,
                FLOWGRXQLEN,
                FLOWGTXQLEN,
                FLOWSRCVTIMEO,
                FLOWGSNDTIMEO,
            ] {
                assert_eq!(fccntl_c(-9, cmd, p), EBADF);
                assert_eq!(SEEN.get(), seen(-9, cmd, p, 0));
            }
            // an unknown command takes nothing
            assert_eq!(fccntl_c(-10, 0o4000, p), EBADF);
            assert_eq!(SEEN.get(), seen(-10, 0o4000, null_mut(), 0));
        }
        assert_eq!(flags, 0);
    }
}

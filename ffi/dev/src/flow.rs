//! `dev.h`: getting, using and releasing flows.

use crate::ffi::{cancellable, opt_timeout, req_str};
use libc::{c_char, c_int, c_void, size_t, ssize_t, timespec};
use ouroboros::c_api::qos::qosspec_t;
use ouroboros::dev::fccntl::{fccntl, Cmd};
use ouroboros::dev::{self, PROG_MAX_FLOWS};
use ouroboros::errno::{Error, Result};
use ouroboros::qos::QosSpec;

/// Runs an allocation with the caller's `qosspec_t *` as the core's
/// `Option<&mut QosSpec>`, and copies the spec back whatever the outcome:
/// the core sets `ber` in it before asking the IRMd (upstream does that in
/// the caller's struct) and the granted QoS after success.
///
/// # Safety
/// `qs` is NULL or points to a readable and writable `qosspec_t`.
unsafe fn with_qos(
    qs: *mut qosspec_t,
    alloc: impl FnOnce(Option<&mut QosSpec>) -> Result<c_int>,
) -> Result<c_int> {
    if qs.is_null() {
        return alloc(None);
    }
    // SAFETY: non-NULL and readable (contract above).
    let mut q = QosSpec::from(&unsafe { qs.read_unaligned() });
    let r = alloc(Some(&mut q));
    // SAFETY: non-NULL and writable (contract above).
    unsafe { qs.write_unaligned(qosspec_t::from(&q)) };
    r
}

/// Allocates a flow to `dst_name`; returns its descriptor.
///
/// # Safety
/// `dst_name` is NULL or a valid C string; `qs` is NULL or points to a
/// writable `qosspec_t`; `timeo` is NULL or points to a `struct timespec`.
#[no_mangle]
pub unsafe extern "C" fn flow_alloc(
    dst_name: *const c_char,
    qs: *mut qosspec_t,
    timeo: *const timespec,
) -> c_int {
    cancellable(|| {
        // SAFETY: per the contract above.
        let (dst, timeo) = unsafe { (req_str(dst_name)?, opt_timeout(timeo)) };
        // SAFETY: per the contract above.
        unsafe { with_qos(qs, |q| dev::flow_alloc(dst, q, timeo)) }
    })
}

/// Waits for an incoming flow; returns its descriptor.
///
/// # Safety
/// `qs` is NULL or points to a writable `qosspec_t`; `timeo` is NULL or
/// points to a `struct timespec`.
#[no_mangle]
pub unsafe extern "C" fn flow_accept(qs: *mut qosspec_t, timeo: *const timespec) -> c_int {
    cancellable(|| {
        // SAFETY: per the contract above.
        let timeo = unsafe { opt_timeout(timeo) };
        // SAFETY: per the contract above.
        unsafe { with_qos(qs, |q| dev::flow_accept(q, timeo)) }
    })
}

/// Joins the broadcast layer `bc`; returns the flow's descriptor.
///
/// # Safety
/// `bc` is NULL or a valid C string; `timeo` is NULL or points to a
/// `struct timespec`.
#[no_mangle]
pub unsafe extern "C" fn flow_join(bc: *const c_char, timeo: *const timespec) -> c_int {
    cancellable(|| {
        // SAFETY: per the contract above.
        let (bc, timeo) = unsafe { (req_str(bc)?, opt_timeout(timeo)) };
        dev::flow_join(bc, timeo)
    })
}

#[no_mangle]
pub extern "C" fn flow_dealloc(fd: c_int) -> c_int {
    cancellable(|| dev::flow_dealloc(fd).map(|()| 0))
}

/// `-EBADF` for a descriptor outside the flow table, as upstream checks
/// first in `flow_read` and `flow_write`.
fn check_fd(fd: c_int) -> Result<()> {
    if (0..PROG_MAX_FLOWS).contains(&fd) {
        Ok(())
    } else {
        Err(Error::BadF)
    }
}

/// Writes `count` bytes of `buf` as one packet; returns `count`.
///
/// # Safety
/// `buf` is NULL or readable for `count` bytes.
#[no_mangle]
pub unsafe extern "C" fn flow_write(fd: c_int, buf: *const c_void, count: size_t) -> ssize_t {
    cancellable(|| {
        if buf.is_null() && count != 0 {
            return Err(Error::Inval);
        }
        check_fd(fd)?;
        let data: &[u8] = match count {
            0 => &[],
            // no pool block is that large
            n if n > isize::MAX as usize => return Err(Error::MsgSize),
            // SAFETY: non-NULL and readable for `count` bytes (contract
            // above), and `count` fits a slice.
            n => unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), n) },
        };
        dev::flow_write(fd, data).map(|n| n as ssize_t)
    })
}

/// Reads the next packet, or up to `count` bytes of it, into `buf`.
///
/// # Safety
/// `buf` is NULL or writable for `count` bytes.
#[no_mangle]
pub unsafe extern "C" fn flow_read(fd: c_int, buf: *mut c_void, count: size_t) -> ssize_t {
    cancellable(|| {
        check_fd(fd)?;
        if buf.is_null() && count != 0 {
            // Upstream would crash copying a packet; report what it
            // reports for a flow that is not there, else -EINVAL.
            let mut flags = 0;
            fccntl(fd, Cmd::GetFlags(Some(&mut flags)))?;
            return Err(Error::Inval);
        }
        let data: &mut [u8] = match count {
            0 => &mut [],
            // SAFETY: non-NULL and writable for `count` bytes (contract
            // above); no packet is larger than isize::MAX, so the cut
            // changes nothing.
            n => unsafe {
                std::slice::from_raw_parts_mut(buf.cast::<u8>(), n.min(isize::MAX as usize))
            },
        };
        dev::flow_read(fd, data).map(|n| n as ssize_t)
    })
}

#[cfg(test)]
mod tests {
    //! Checks made before the core is reached (no process state, no IRMd
    //! needed); the full behaviour is in compat-tests.
    use super::*;
    use std::ptr::{null, null_mut};

    const EINVAL: ssize_t = -libc::EINVAL as ssize_t;
    const EBADF: ssize_t = -libc::EBADF as ssize_t;

    #[test]
    fn null_names_are_einval() {
        let mut qs = ouroboros::c_api::qos::qos_raw;
        qs.ber = 0;
        // SAFETY: NULL or valid pointers throughout.
        unsafe {
            assert_eq!(flow_alloc(null(), &mut qs, null()), -libc::EINVAL);
            assert_eq!(
                flow_alloc(c"\xff".as_ptr(), null_mut(), null()),
                -libc::EINVAL
            );
            assert_eq!(flow_join(null(), null()), -libc::EINVAL);
        }
        // nothing was sent, nothing changed
        assert_eq!(qs.ber, 0);
    }

    #[test]
    fn write_checks_buf_before_fd() {
        let b = [0u8; 4];
        // SAFETY: NULL, or `b` readable for 4 bytes.
        unsafe {
            assert_eq!(flow_write(64, null(), 1), EINVAL);
            assert_eq!(flow_write(-1, null(), 1), EINVAL);
            assert_eq!(flow_write(-1, null(), 0), EBADF);
            assert_eq!(flow_write(-1, b.as_ptr().cast(), 4), EBADF);
            assert_eq!(flow_write(PROG_MAX_FLOWS, b.as_ptr().cast(), 4), EBADF);
        }
    }

    #[test]
    fn read_checks_fd_first() {
        let mut b = [0u8; 4];
        // SAFETY: NULL, or `b` writable for 4 bytes.
        unsafe {
            assert_eq!(flow_read(-1, b.as_mut_ptr().cast(), 4), EBADF);
            assert_eq!(flow_read(-1, null_mut(), 4), EBADF);
            assert_eq!(flow_read(PROG_MAX_FLOWS, null_mut(), 0), EBADF);
            assert_eq!(flow_read(i32::MAX, b.as_mut_ptr().cast(), 4), EBADF);
        }
    }

    #[test]
    fn dealloc_of_a_bad_fd_is_einval() {
        assert_eq!(flow_dealloc(-1), -libc::EINVAL);
        assert_eq!(flow_dealloc(ouroboros::dev::SYS_MAX_FLOWS), -libc::EINVAL);
    }
}

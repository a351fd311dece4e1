//! What the exported functions share: the panic guards, error codes and
//! the conversion of C arguments.

use libc::{c_char, c_int, ssize_t, timespec};
use ouroboros::c_api::fqueue::fqtype;
use ouroboros::errno::{Error, Result};
use std::ffi::CStr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

/// A C return type that carries errors as negative errno values.
pub(crate) trait CReturn {
    fn from_error(e: Error) -> Self;
}

impl CReturn for c_int {
    fn from_error(e: Error) -> c_int {
        e.code()
    }
}

impl CReturn for ssize_t {
    fn from_error(e: Error) -> ssize_t {
        e.code() as ssize_t
    }
}

/// `enum fqtype`: upstream returns its negative errors through the enum,
/// so C reads them back as the same negative int.
impl CReturn for fqtype {
    fn from_error(e: Error) -> fqtype {
        e.code() as fqtype
    }
}

/// Runs `f` and returns its value or its error code; a panic becomes
/// upstream's generic failure (-1). For functions that never wait: see
/// [`cancellable`] for the others.
pub(crate) fn guard<T: CReturn>(f: impl FnOnce() -> Result<T>) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => T::from_error(e),
        Err(_) => T::from_error(Error::Perm),
    }
}

/// Runs `f` and returns its value or its error code, for the functions
/// that can wait (on the IRMd, a ring buffer or a flow set).
///
/// Upstream's programs stop threads waiting in those with
/// `pthread_cancel` (oping, operf and ocbr servers on SIGTERM, ovpn), and
/// glibc carries out the cancellation as a forced unwind of the thread's
/// stack from the cancellation point (`recv`, `pthread_cond_wait`, ...).
/// Such an unwind passes through Rust frames and `extern "C"` functions,
/// running destructors (locks are released), but `catch_unwind` aborts
/// the process when it meets one ("FATAL: exception not rethrown"). So no
/// `catch_unwind` here: a panic, which cannot be caught without stopping
/// cancellations too, reaches the `extern "C"` boundary, where Rust
/// aborts the process; it does not cross into C either.
pub(crate) fn cancellable<T: CReturn>(f: impl FnOnce() -> Result<T>) -> T {
    f().unwrap_or_else(T::from_error)
}

/// Runs `f`; a panic gives `on_panic` (for functions without error codes).
pub(crate) fn guard_or<T>(on_panic: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(on_panic)
}

/// A C string argument that must not be NULL; `Error::Inval` for NULL or
/// a string that is not UTF-8.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for `'a`.
pub(crate) unsafe fn req_str<'a>(p: *const c_char) -> Result<&'a str> {
    if p.is_null() {
        return Err(Error::Inval);
    }
    // SAFETY: non-NULL, and the caller guarantees a valid C string.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map_err(|_| Error::Inval)
}

/// A relative timeout as a duration. The core has no negative durations:
/// negative fields count as zero (already expired, as upstream's deadline
/// in the past); `tv_nsec` of a second or more carries into the seconds.
pub(crate) fn duration(ts: &timespec) -> Duration {
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
    Duration::from_secs(secs).saturating_add(Duration::from_nanos(nanos))
}

/// A `const struct timespec *` timeout argument; `None` for NULL.
///
/// # Safety
/// `p` is NULL or points to a readable `struct timespec`.
pub(crate) unsafe fn opt_timeout(p: *const timespec) -> Option<Duration> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-NULL and readable (contract above); unaligned reads
    // cost nothing and excuse a sloppy caller.
    Some(duration(&unsafe { p.read_unaligned() }))
}

/// A duration as a `struct timespec`.
pub(crate) fn timespec(d: Duration) -> timespec {
    timespec {
        tv_sec: libc::time_t::try_from(d.as_secs()).unwrap_or(libc::time_t::MAX),
        tv_nsec: d.subsec_nanos().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(tv_sec: libc::time_t, tv_nsec: libc::c_long) -> timespec {
        timespec { tv_sec, tv_nsec }
    }

    #[test]
    fn timeouts_convert_both_ways() {
        let d = duration(&ts(2, 500_000_000));
        assert_eq!(d, Duration::from_millis(2500));
        let back = timespec(d);
        assert_eq!((back.tv_sec, back.tv_nsec), (2, 500_000_000));
        assert_eq!(duration(&ts(1, 1_500_000_000)), Duration::from_millis(2500));
        assert_eq!(duration(&ts(-1, 0)), Duration::ZERO);
        assert_eq!(duration(&ts(0, -5)), Duration::ZERO);
        // SAFETY: NULL is allowed.
        assert_eq!(unsafe { opt_timeout(std::ptr::null()) }, None);
        let t = ts(0, 1_000);
        // SAFETY: points to a live timespec.
        assert_eq!(unsafe { opt_timeout(&t) }, Some(Duration::from_micros(1)));
    }

    #[test]
    fn strings_must_be_there_and_utf8() {
        // SAFETY: NULL or valid C strings.
        unsafe {
            assert_eq!(req_str(std::ptr::null()), Err(Error::Inval));
            assert_eq!(req_str(c"\xff".as_ptr()), Err(Error::Inval));
            assert_eq!(req_str(c"name".as_ptr()), Ok("name"));
        }
    }

    #[test]
    fn a_panic_becomes_the_generic_failure() {
        let r: c_int = guard(|| panic!("inside"));
        assert_eq!(r, -1);
        let r: ssize_t = guard(|| Err(Error::NoMem));
        assert_eq!(r, -(libc::ENOMEM as ssize_t));
        let r: fqtype = guard(|| Err(Error::Inval));
        assert_eq!(r as c_int, -libc::EINVAL);
        assert!(guard_or(true, || panic!("inside")));
    }

    #[test]
    fn cancellable_calls_return_values_and_codes() {
        let r: c_int = cancellable(|| Ok(64));
        assert_eq!(r, 64);
        let r: ssize_t = cancellable(|| Err(Error::TimedOut));
        assert_eq!(r, -(libc::ETIMEDOUT as ssize_t));
        let r: c_int = cancellable(|| Err(Error::FlowDown));
        assert_eq!(r, -1005);
    }
}

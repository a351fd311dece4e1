//! libouroboros-irm: the C ABI of `irm.h` over `ouroboros::irm`.
//!
//! Each function only converts: C strings and structs in, errors out as
//! negative errno values, arrays out through `malloc` so the caller can
//! `free` them. The checks upstream makes before talking to the IRMd (NULL
//! arguments) are made here; everything else is the core's. Every body runs
//! in [`guard`], so no panic crosses into C.
//!
//! Beyond upstream, which would crash or send garbage: strings that are not
//! UTF-8, `argc < 0` and NULL entries in `argv` give `-EINVAL`.

use libc::{c_char, c_int, pid_t, ssize_t};
use ouroboros::c_api::ipcp::{ipcp_config, ipcp_type};
use ouroboros::c_api::irm::ipcp_list_info;
use ouroboros::c_api::name::name_info;
use ouroboros::c_api::qos::qosspec_t;
use ouroboros::errno::{Error, Result};
use ouroboros::ipcp::IpcpConfig;
use ouroboros::irm;
use ouroboros::name::NameInfo;
use std::ffi::CStr;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A C return type that carries errors as negative errno values.
trait CReturn {
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

/// Runs `f` and returns its value or its error code; a panic becomes
/// upstream's generic failure (-1).
fn guard<T: CReturn>(f: impl FnOnce() -> Result<T>) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => T::from_error(e),
        Err(_) => T::from_error(Error::Perm),
    }
}

/// 0 for a call that succeeded.
fn done(r: Result<()>) -> Result<c_int> {
    r.map(|()| 0)
}

/// A C string argument; `None` for NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for `'a`.
unsafe fn opt_str<'a>(p: *const c_char) -> Result<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL, and the caller guarantees a valid C string.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map(Some).map_err(|_| Error::Inval)
}

/// A C string argument that must not be NULL.
///
/// # Safety
/// As for [`opt_str`].
unsafe fn req_str<'a>(p: *const c_char) -> Result<&'a str> {
    // SAFETY: the caller's guarantee is passed on.
    unsafe { opt_str(p) }?.ok_or(Error::Inval)
}

/// Copies `items` into a `malloc`ed array stored in `*out` (NULL when empty)
/// and returns the count; `-ENOMEM` when the allocation fails.
///
/// # Safety
/// `out` is valid for a pointer write.
unsafe fn malloc_array<T: Copy>(out: *mut *mut T, items: &[T]) -> Result<ssize_t> {
    if items.is_empty() {
        return Ok(0);
    }
    let bytes = items
        .len()
        .checked_mul(size_of::<T>())
        .ok_or(Error::NoMem)?;
    // SAFETY: plain allocation; the result is checked for NULL below.
    let p = unsafe { libc::malloc(bytes) }.cast::<T>();
    if p.is_null() {
        return Err(Error::NoMem);
    }
    // SAFETY: `p` holds `items.len()` elements of `T` (malloc aligns for any
    // type), and `items` does not overlap fresh memory; `out` is writable.
    unsafe {
        std::ptr::copy_nonoverlapping(items.as_ptr(), p, items.len());
        *out = p;
    }
    Ok(items.len() as ssize_t)
}

/// Creates an IPCP; returns 0 (not its pid), as upstream.
///
/// # Safety
/// `name` is NULL or a valid C string.
#[no_mangle]
pub unsafe extern "C" fn irm_create_ipcp(name: *const c_char, type_: ipcp_type) -> pid_t {
    guard(|| {
        // SAFETY: `name` is NULL or a valid C string (contract above).
        done(irm::create_ipcp(unsafe { req_str(name) }?, type_))
    })
}

#[no_mangle]
pub extern "C" fn irm_destroy_ipcp(pid: pid_t) -> c_int {
    guard(|| done(irm::destroy_ipcp(pid)))
}

/// Lists the IPCPs into a `malloc`ed array the caller frees.
///
/// # Safety
/// `ipcps` is NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn irm_list_ipcps(ipcps: *mut *mut ipcp_list_info) -> ssize_t {
    guard(|| {
        if ipcps.is_null() {
            return Err(Error::Inval);
        }
        // SAFETY: non-NULL and writable (contract above).
        unsafe { *ipcps = std::ptr::null_mut() };
        let items: Vec<ipcp_list_info> = irm::list_ipcps()?
            .iter()
            .map(ipcp_list_info::from)
            .collect();
        // SAFETY: `ipcps` is writable (checked above).
        unsafe { malloc_array(ipcps, &items) }
    })
}

/// # Safety
/// `dst` is NULL or a valid C string.
#[no_mangle]
pub unsafe extern "C" fn irm_enroll_ipcp(pid: pid_t, dst: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: `dst` is NULL or a valid C string (contract above).
        done(irm::enroll_ipcp(pid, unsafe { req_str(dst) }?))
    })
}

/// # Safety
/// `conf` is NULL or points to a readable `struct ipcp_config`.
#[no_mangle]
pub unsafe extern "C" fn irm_bootstrap_ipcp(pid: pid_t, conf: *const ipcp_config) -> c_int {
    guard(|| {
        // SAFETY: `conf` is NULL or readable (contract above); `as_ref`
        // checks for NULL.
        let conf = unsafe { conf.as_ref() }.ok_or(Error::Inval)?;
        done(irm::bootstrap_ipcp(pid, &IpcpConfig::try_from(conf)?))
    })
}

/// Connects a component of an IPCP to a peer. The header names the second
/// parameter `component` and the third `dst`; like upstream, the second is
/// sent as the destination and the third as the component. NULL strings
/// are sent as absent.
///
/// # Safety
/// `dst` and `component` are NULL or valid C strings.
#[no_mangle]
pub unsafe extern "C" fn irm_connect_ipcp(
    pid: pid_t,
    dst: *const c_char,
    component: *const c_char,
    qs: qosspec_t,
) -> c_int {
    guard(|| {
        // SAFETY: both are NULL or valid C strings (contract above).
        let (dst, component) = unsafe { (opt_str(dst)?, opt_str(component)?) };
        done(irm::connect_ipcp(pid, dst, component, &(&qs).into()))
    })
}

/// Disconnects; arguments as for [`irm_connect_ipcp`].
///
/// # Safety
/// `dst` and `component` are NULL or valid C strings.
#[no_mangle]
pub unsafe extern "C" fn irm_disconnect_ipcp(
    pid: pid_t,
    dst: *const c_char,
    component: *const c_char,
) -> c_int {
    guard(|| {
        // SAFETY: both are NULL or valid C strings (contract above).
        let (dst, component) = unsafe { (opt_str(dst)?, opt_str(component)?) };
        done(irm::disconnect_ipcp(pid, dst, component))
    })
}

/// The `argc` strings of `argv`; `Error::Inval` for a negative count, a
/// NULL array with a positive count, or a NULL entry.
///
/// # Safety
/// When `argc > 0` and `argv` is not NULL, `argv` holds `argc` pointers,
/// each NULL or a valid C string.
unsafe fn args(argc: c_int, argv: *const *mut c_char) -> Result<Vec<String>> {
    let n = usize::try_from(argc).map_err(|_| Error::Inval)?;
    if n == 0 {
        return Ok(Vec::new());
    }
    if argv.is_null() {
        return Err(Error::Inval);
    }
    // SAFETY: `argv` is non-NULL and holds `n` pointers (contract above).
    let ptrs = unsafe { std::slice::from_raw_parts(argv, n) };
    // SAFETY: each entry is NULL or a valid C string (contract above).
    ptrs.iter()
        .map(|&p| unsafe { req_str(p) }.map(str::to_string))
        .collect()
}

/// Binds a program to a name; `argv[0..argc]` are its arguments when the
/// IRMd starts it.
///
/// # Safety
/// `prog` and `name` are NULL or valid C strings; see [`args`] for `argv`.
#[no_mangle]
pub unsafe extern "C" fn irm_bind_program(
    prog: *const c_char,
    name: *const c_char,
    opts: u16,
    argc: c_int,
    argv: *mut *mut c_char,
) -> c_int {
    guard(|| {
        // SAFETY: per the contract above.
        let (prog, name) = unsafe { (req_str(prog)?, req_str(name)?) };
        // SAFETY: per the contract above.
        let args = unsafe { args(argc, argv) }?;
        done(irm::bind_program(prog, name, opts, &args))
    })
}

/// Unbinds a program (by the name the IRMd stored, its basename) from a
/// name; a NULL `progr` is sent as absent.
///
/// # Safety
/// `progr` and `name` are NULL or valid C strings.
#[no_mangle]
pub unsafe extern "C" fn irm_unbind_program(progr: *const c_char, name: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: both are NULL or valid C strings (contract above).
        let (progr, name) = unsafe { (opt_str(progr)?, req_str(name)?) };
        done(irm::unbind_program(progr, name))
    })
}

/// # Safety
/// `name` is NULL or a valid C string.
#[no_mangle]
pub unsafe extern "C" fn irm_bind_process(pid: pid_t, name: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: `name` is NULL or a valid C string (contract above).
        done(irm::bind_process(pid, unsafe { req_str(name) }?))
    })
}

/// # Safety
/// `name` is NULL or a valid C string.
#[no_mangle]
pub unsafe extern "C" fn irm_unbind_process(pid: pid_t, name: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: `name` is NULL or a valid C string (contract above).
        done(irm::unbind_process(pid, unsafe { req_str(name) }?))
    })
}

/// # Safety
/// `info` is NULL or points to a readable `struct name_info`.
#[no_mangle]
pub unsafe extern "C" fn irm_create_name(info: *mut name_info) -> c_int {
    guard(|| {
        // SAFETY: `info` is NULL or readable (contract above); `as_ref`
        // checks for NULL.
        let info = unsafe { info.as_ref() }.ok_or(Error::Inval)?;
        done(irm::create_name(&NameInfo::try_from(info)?))
    })
}

/// # Safety
/// `name` is NULL or a valid C string.
#[no_mangle]
pub unsafe extern "C" fn irm_destroy_name(name: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: `name` is NULL or a valid C string (contract above).
        done(irm::destroy_name(unsafe { req_str(name) }?))
    })
}

/// Lists the names into a `malloc`ed array the caller frees; only `name`
/// (cut to 254 bytes) and `pol_lb` are filled in, the rest is zero.
///
/// # Safety
/// `names` is NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn irm_list_names(names: *mut *mut name_info) -> ssize_t {
    guard(|| {
        if names.is_null() {
            return Err(Error::Inval);
        }
        // SAFETY: non-NULL and writable (contract above).
        unsafe { *names = std::ptr::null_mut() };
        let items: Vec<name_info> = irm::list_names()?.iter().map(name_info::listed).collect();
        // SAFETY: `names` is writable (checked above).
        unsafe { malloc_array(names, &items) }
    })
}

/// # Safety
/// `name` is NULL or a valid C string.
#[no_mangle]
pub unsafe extern "C" fn irm_reg_name(name: *const c_char, pid: pid_t) -> c_int {
    guard(|| {
        // SAFETY: `name` is NULL or a valid C string (contract above).
        done(irm::reg_name(unsafe { req_str(name) }?, pid))
    })
}

/// # Safety
/// `name` is NULL or a valid C string.
#[no_mangle]
pub unsafe extern "C" fn irm_unreg_name(name: *const c_char, pid: pid_t) -> c_int {
    guard(|| {
        // SAFETY: `name` is NULL or a valid C string (contract above).
        done(irm::unreg_name(unsafe { req_str(name) }?, pid))
    })
}

#[cfg(test)]
mod tests {
    //! Argument checks made before anything is sent (the IRMd is never
    //! reached here); the full behaviour is compat-tests/c/irm_api.c.
    use super::*;
    use std::ptr::{null, null_mut};

    const EINVAL: c_int = -libc::EINVAL;

    #[test]
    fn null_and_bad_arguments_are_einval() {
        let long = std::ffi::CString::new("n".repeat(256)).unwrap();
        let not_utf8 = c"\xff".as_ptr();
        let name = c"n".as_ptr();
        let mut arg = *b"x\0";
        let mut argv = [arg.as_mut_ptr().cast::<c_char>(), null_mut()];
        let qs = ouroboros::c_api::qos::qos_raw;
        // SAFETY: every pointer is NULL or a valid C string / out pointer.
        unsafe {
            assert_eq!(irm_create_ipcp(null(), 0), EINVAL);
            assert_eq!(irm_create_ipcp(long.as_ptr(), 0), EINVAL);
            assert_eq!(irm_create_ipcp(not_utf8, 0), EINVAL);
            assert_eq!(irm_destroy_ipcp(-1), EINVAL);
            assert_eq!(irm_list_ipcps(null_mut()), EINVAL as ssize_t);
            assert_eq!(irm_enroll_ipcp(-1, name), EINVAL);
            assert_eq!(irm_enroll_ipcp(1, null()), EINVAL);
            assert_eq!(
                irm_bootstrap_ipcp(-1, &ouroboros::c_api::ipcp::local_default_conf),
                EINVAL
            );
            assert_eq!(irm_bootstrap_ipcp(1, null()), EINVAL);
            assert_eq!(irm_connect_ipcp(1, not_utf8, null(), qs), EINVAL);
            assert_eq!(irm_disconnect_ipcp(1, null(), not_utf8), EINVAL);
            assert_eq!(irm_bind_program(null(), name, 0, 0, null_mut()), EINVAL);
            assert_eq!(irm_bind_program(name, null(), 0, 0, null_mut()), EINVAL);
            assert_eq!(irm_bind_program(name, name, 0, -1, null_mut()), EINVAL);
            assert_eq!(irm_bind_program(name, name, 0, 1, null_mut()), EINVAL);
            assert_eq!(
                irm_bind_program(name, name, 0, 2, argv.as_mut_ptr()),
                EINVAL
            );
            assert_eq!(irm_unbind_program(name, null()), EINVAL);
            assert_eq!(irm_bind_process(1, null()), EINVAL);
            assert_eq!(irm_unbind_process(1, null()), EINVAL);
            assert_eq!(irm_create_name(null_mut()), EINVAL);
            assert_eq!(irm_destroy_name(null()), EINVAL);
            assert_eq!(irm_list_names(null_mut()), EINVAL as ssize_t);
            assert_eq!(irm_reg_name(null(), 1), EINVAL);
            assert_eq!(irm_unreg_name(null(), 1), EINVAL);
        }
    }

    #[test]
    fn a_panic_becomes_the_generic_failure() {
        let r: c_int = guard(|| panic!("inside"));
        assert_eq!(r, -1);
        let r: ssize_t = guard(|| Err(Error::NoMem));
        assert_eq!(r, -(libc::ENOMEM as ssize_t));
    }
}

//! Process start and exit: upstream's library starts the process's
//! Ouroboros state from an `.init_array` function (which glibc calls with
//! `argc`, `argv` and `envp` before `main`) and stops it from a
//! `.fini_array` function. Failing to start is fatal: `FATAL: <reason>` on
//! stderr and `exit(EXIT_FAILURE)`, before the program runs.
//!
//! Not in unit-test builds: the test harness has no IRMd to announce to.
//! (A program that links the rlib gets both, as one linking the library.)

use libc::{c_char, c_int};
use std::ffi::CStr;
use std::io::Write;
use std::panic::catch_unwind;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once start-up succeeded; the destructor does nothing otherwise.
static STARTED: AtomicBool = AtomicBool::new(false);

type InitFn = unsafe extern "C" fn(c_int, *const *const c_char, *const *const c_char);

// In unit-test builds the two pointers exist but are not called.
#[used]
#[cfg_attr(not(test), link_section = ".init_array")]
static INIT: InitFn = on_load;

#[used]
#[cfg_attr(not(test), link_section = ".fini_array")]
static FINI: extern "C" fn() = on_unload;

/// The program's arguments, for the program name.
///
/// # Safety
/// `argv` is NULL or holds `argc` pointers, each NULL or a valid C string.
unsafe fn args(argc: c_int, argv: *const *const c_char) -> Vec<String> {
    let n = usize::try_from(argc).unwrap_or(0);
    if argv.is_null() || n == 0 {
        return Vec::new();
    }
    // SAFETY: `argv` holds `argc` entries (contract above).
    let ptrs = unsafe { std::slice::from_raw_parts(argv, n) };
    ptrs.iter()
        .take_while(|p| !p.is_null())
        // SAFETY: a non-NULL entry is a valid C string (contract above).
        .map(|&p| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
        .collect()
}

unsafe extern "C" fn on_load(argc: c_int, argv: *const *const c_char, _envp: *const *const c_char) {
    // SAFETY: glibc passes the program's own argc and argv.
    let argv = unsafe { args(argc, argv) };
    let reason = match catch_unwind(|| ouroboros::dev::init(&argv)) {
        Ok(Ok(())) => {
            STARTED.store(true, Ordering::SeqCst);
            return;
        }
        Ok(Err(e)) => e.to_string(),
        Err(_) => "Could not initialize.".to_string(),
    };
    let _ = writeln!(std::io::stderr(), "FATAL: {reason}");
    // SAFETY: plain exit(3); our destructor sees STARTED unset.
    unsafe { libc::exit(libc::EXIT_FAILURE) };
}

extern "C" fn on_unload() {
    if STARTED.swap(false, Ordering::SeqCst) {
        // no panic may unwind into the C runtime
        let _ = catch_unwind(ouroboros::dev::fini);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::null;

    #[test]
    fn arguments_up_to_the_first_null() {
        let argv = [c"/usr/bin/oping".as_ptr(), c"-l".as_ptr(), null()];
        // SAFETY: `argv` holds valid strings and NULL, as glibc passes it.
        unsafe {
            assert_eq!(args(2, argv.as_ptr()), ["/usr/bin/oping", "-l"]);
            assert_eq!(args(3, argv.as_ptr()), ["/usr/bin/oping", "-l"]);
            assert!(args(0, argv.as_ptr()).is_empty());
            assert!(args(-1, argv.as_ptr()).is_empty());
            assert!(args(1, null()).is_empty());
        }
    }

    #[test]
    fn without_start_up_the_destructor_does_nothing() {
        on_unload();
        assert!(!STARTED.load(Ordering::SeqCst));
    }
}

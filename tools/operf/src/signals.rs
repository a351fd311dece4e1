//! Termination signals as a flag that every thread can poll, plus a pipe
//! the main thread can block on until one arrives.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static WAKE_RD: AtomicI32 = AtomicI32::new(-1);
static WAKE_WR: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(_sig: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
    let fd = WAKE_WR.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: write(2) is async-signal-safe; one byte from the stack.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
}

/// Catches `sigs`: each sets the stop flag and wakes [`wait`].
pub fn catch(sigs: &[libc::c_int]) -> std::io::Result<()> {
    let mut fds = [-1; 2];
    // SAFETY: pipe2 fills the two-element array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    WAKE_RD.store(fds[0], Ordering::SeqCst);
    WAKE_WR.store(fds[1], Ordering::SeqCst);
    for &sig in sigs {
        // SAFETY: a zeroed sigaction with a plain handler and an empty
        // mask is a valid argument; the handler only touches atomics and
        // calls write(2).
        let r = unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_signal as *const () as usize;
            act.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaction(sig, &act, std::ptr::null_mut())
        };
        if r != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// True once a caught signal arrived.
pub fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Sets the stop flag from the program itself.
pub fn stop() {
    STOP.store(true, Ordering::SeqCst);
}

/// Blocks until a caught signal arrives.
pub fn wait() {
    let fd = WAKE_RD.load(Ordering::SeqCst);
    while !stopped() {
        let mut byte = 0u8;
        // SAFETY: reads one byte into a stack variable.
        let n = unsafe { libc::read(fd, (&mut byte as *mut u8).cast(), 1) };
        if n < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return;
        }
    }
}

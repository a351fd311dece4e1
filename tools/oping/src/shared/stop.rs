//! Stopping on SIGINT, SIGTERM and SIGHUP.
//!
//! The handler only sets a flag and writes a byte to a pipe that is never
//! drained, so every sleeper waiting on the pipe wakes at once and any
//! later wait returns immediately. Threads of the program use the same
//! trigger to end a run (a server time-out, a finished busy-poll flow).
//!
//! Shared by oping and ocbr (included by path).

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::{Duration, Instant};

static STOP: AtomicBool = AtomicBool::new(false);
static PIPE_RD: AtomicI32 = AtomicI32::new(-1);
static PIPE_WR: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: libc::c_int) {
    if matches!(sig, libc::SIGINT | libc::SIGTERM | libc::SIGHUP) {
        trigger();
    }
}

/// Installs the handlers; `Err` when that fails (upstream then prints
/// `Failed to install sighandler.`).
pub fn install() -> Result<(), ()> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills the two-element array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
        return Err(());
    }
    PIPE_RD.store(fds[0], Ordering::SeqCst);
    PIPE_WR.store(fds[1], Ordering::SeqCst);
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction with a handler that only touches
        // atomics and write(2), both async-signal-safe.
        let ok = unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut()) == 0
        };
        if !ok {
            return Err(());
        }
    }
    Ok(())
}

/// Asks everybody to stop (async-signal-safe).
pub fn trigger() {
    STOP.store(true, Ordering::SeqCst);
    let fd = PIPE_WR.load(Ordering::SeqCst);
    if fd >= 0 {
        let b = 1u8;
        // SAFETY: a one-byte write from a valid buffer; a full pipe
        // (EAGAIN) is fine, it is readable already.
        unsafe { libc::write(fd, (&b as *const u8).cast(), 1) };
    }
}

pub fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Sleeps for `d` or until a stop is requested; true if stopped.
///
/// A zero `d` still sleeps as `nanosleep` does for a zero time: the timer
/// slack (about 50 µs) paces a loop the way upstream's tools are paced.
pub fn sleep(d: Duration) -> bool {
    if d.is_zero() {
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a valid timespec, no remainder wanted.
        unsafe { libc::nanosleep(&zero, std::ptr::null_mut()) };
        return stopped();
    }
    let end = Instant::now() + d;
    loop {
        if stopped() {
            return true;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        wait_pipe(Some(left));
    }
}

/// Blocks until a stop is requested.
pub fn wait() {
    while !stopped() {
        wait_pipe(None);
    }
}

fn wait_pipe(t: Option<Duration>) {
    let fd = PIPE_RD.load(Ordering::SeqCst);
    if fd < 0 {
        // not installed: a plain sleep
        std::thread::sleep(t.unwrap_or(Duration::from_secs(1)));
        return;
    }
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ts = t.map(|t| libc::timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_nsec: t.subsec_nanos() as libc::c_long,
    });
    let tp = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: one valid pollfd, a valid or null timeout, no signal mask.
    unsafe { libc::ppoll(&mut pfd, 1, tp, std::ptr::null()) };
}

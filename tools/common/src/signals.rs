//! Stopping on termination signals.
//!
//! The handler only sets a flag and writes a byte to a pipe that is never
//! drained, so every sleeper waiting on the pipe wakes at once and any
//! later wait returns immediately. Threads of the program use the same
//! trigger to end a run (a server time-out, a finished flow).

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// The signals upstream's tools stop on.
const TERM: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

static STOP: AtomicBool = AtomicBool::new(false);
static PIPE_RD: AtomicI32 = AtomicI32::new(-1);
static PIPE_WR: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(_sig: libc::c_int) {
    stop();
}

/// Catches `sigs`: each sets the stop flag and wakes [`wait`] and
/// [`sleep`].
pub fn catch(sigs: &[libc::c_int]) -> std::io::Result<()> {
    let mut fds = [-1; 2];
    // SAFETY: pipe2 fills the two-element array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    PIPE_RD.store(fds[0], Ordering::SeqCst);
    PIPE_WR.store(fds[1], Ordering::SeqCst);
    for &sig in sigs {
        // SAFETY: a zeroed sigaction with a plain handler and an empty
        // mask is a valid argument; the handler only touches atomics and
        // calls write(2), both async-signal-safe.
        let r = unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
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

/// Catches SIGINT, SIGTERM and SIGHUP; false, after upstream's complaint,
/// when that fails.
pub fn catch_term() -> bool {
    let ok = catch(&TERM).is_ok();
    if !ok {
        crate::out!("Failed to install sighandler.\n");
    }
    ok
}

/// Asks everybody to stop (async-signal-safe).
pub fn stop() {
    STOP.store(true, Ordering::SeqCst);
    let fd = PIPE_WR.load(Ordering::SeqCst);
    if fd >= 0 {
        let b = 1u8;
        // SAFETY: a one-byte write from a valid buffer; a full pipe
        // (EAGAIN) is fine, it is readable already.
        unsafe { libc::write(fd, (&b as *const u8).cast(), 1) };
    }
}

/// True once a stop was asked for.
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
        if PIPE_RD.load(Ordering::SeqCst) < 0 {
            // nothing caught: nothing can cut the sleep short
            std::thread::sleep(left);
        } else {
            wait_pipe(Some(left));
        }
    }
}

/// Blocks until a stop is requested; returns at once when [`catch`] set
/// up nothing to wake it.
pub fn wait() {
    while !stopped() && PIPE_RD.load(Ordering::SeqCst) >= 0 {
        wait_pipe(None);
    }
}

fn wait_pipe(t: Option<Duration>) {
    let mut pfd = libc::pollfd {
        fd: PIPE_RD.load(Ordering::SeqCst),
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

#[cfg(test)]
mod tests {
    use super::*;

    // one test: the flag and the pipe are process-wide
    #[test]
    fn stop_wakes_sleepers_and_later_waits() {
        assert!(!sleep(Duration::from_millis(1)));
        catch(&[]).unwrap();
        let t0 = Instant::now();
        let sleeper = std::thread::spawn(|| sleep(Duration::from_secs(60)));
        std::thread::sleep(Duration::from_millis(20));
        assert!(!stopped());
        stop();
        assert!(sleeper.join().unwrap());
        wait();
        assert!(sleep(Duration::from_secs(60)));
        assert!(t0.elapsed() < Duration::from_secs(30));
    }
}

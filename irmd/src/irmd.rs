//! The daemon's shared state.

use crate::reg::Registry;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

pub struct Irmd {
    reg: Mutex<Registry>,
    /// Signalled on every registry change somebody may wait for.
    pub changed: Condvar,
    /// IPCPs log to syslog too (argv[3] = "1") when we do.
    pub syslog: bool,
    /// Directory holding the ipcpd-* programs.
    pub sbin: PathBuf,
    shutdown: AtomicBool,
}

impl Irmd {
    pub fn new(syslog: bool, sbin: PathBuf) -> Irmd {
        Irmd {
            reg: Mutex::new(Registry::default()),
            changed: Condvar::new(),
            syslog,
            sbin,
            shutdown: AtomicBool::new(false),
        }
    }

    /// Locks the registry (a panicked holder does not poison it for others).
    pub fn reg(&self) -> MutexGuard<'_, Registry> {
        self.reg.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a registry change or the deadline; false on timeout.
    pub fn wait_until<'a>(
        &self,
        guard: MutexGuard<'a, Registry>,
        deadline: Instant,
    ) -> (MutexGuard<'a, Registry>, bool) {
        let now = Instant::now();
        if now >= deadline {
            return (guard, false);
        }
        let (g, t) = self
            .changed
            .wait_timeout(guard, deadline - now)
            .unwrap_or_else(|e| e.into_inner());
        (g, !t.timed_out())
    }

    pub fn notify(&self) {
        self.changed.notify_all();
    }

    pub fn shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    pub fn set_shutdown(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        self.notify();
    }
}

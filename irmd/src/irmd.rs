//! The daemon's shared state.

use crate::reg::Registry;
use ouroboros::ssm::Pool;
use std::collections::HashMap;
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
    /// OAP server side (holds the replay cache).
    pub oap: ouroboros::oap::Server,
    /// The global shared packet pool (privileged processes, IPCPs).
    pub gspp: Mutex<Option<Pool>>,
    /// Per-user pools by uid. Upstream never releases them before
    /// shutdown (its reference count starts one too high); neither do we.
    pub pups: Mutex<HashMap<u32, Pool>>,
    shutdown: AtomicBool,
}

impl Irmd {
    /// The daemon's state; `gspp` is `None` only where no packet ever
    /// moves (the fuzz targets).
    pub fn new(syslog: bool, sbin: PathBuf, gspp: Option<Pool>) -> Irmd {
        Irmd {
            reg: Mutex::new(Registry::default()),
            changed: Condvar::new(),
            syslog,
            sbin,
            oap: ouroboros::oap::Server::new(),
            gspp: Mutex::new(gspp),
            pups: Mutex::new(HashMap::new()),
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

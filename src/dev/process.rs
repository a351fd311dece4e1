//! The library's per-process state: what upstream's constructor sets up
//! (announce, pool, own flow set, tables, the rx thread) and its
//! destructor tears down.

use super::table::Table;
use crate::errno::{Error, Result};
use crate::ssm::{FlowSet, Pool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, RwLock};
use std::thread::JoinHandle;

pub struct Process {
    pub pid: i32,
    /// Own packet pool: the GSPP for privileged users, else our PUP.
    pub pool: Pool,
    /// Own flow set (`/ouroboros.set.<pid>`): where peers notify us.
    pub set: FlowSet,
    pub table: RwLock<Table>,
    /// Signalled whenever a flow id gets or loses its fd.
    pub ids_changed: Condvar,
    pub ids_lock: Mutex<()>,
    /// fqueue indexes in use (0 is the library's own).
    fqueues: Mutex<[bool; super::PROG_MAX_FQUEUES]>,
    pub stop: AtomicBool,
    rx: Mutex<Option<JoinHandle<()>>>,
    closed: AtomicBool,
}

static PROCESS: OnceLock<Process> = OnceLock::new();
static INIT: Mutex<()> = Mutex::new(());

/// Why the library could not start (upstream prints `FATAL: <msg>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitError(pub &'static str);

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Starts the library for this process with its `argv` (program name).
/// Idempotent.
pub fn init(argv: &[String]) -> std::result::Result<(), InitError> {
    let _g = INIT.lock().unwrap_or_else(|e| e.into_inner());
    if PROCESS.get().is_some() {
        return Ok(());
    }
    let prog = super::proc::program_name(argv);
    if prog.is_empty() {
        return Err(InitError("Could not determine program name."));
    }
    super::proc::announce(&prog).map_err(|_| InitError("Could not announce to IRMd."))?;
    let uid = nix::unistd::getuid().as_raw();
    let pool_uid = if crate::proc::is_ouroboros_member(uid) {
        0
    } else {
        uid
    };
    let pool = Pool::open(pool_uid).map_err(|_| InitError("Could not open packet buffer."))?;
    let pid = std::process::id() as i32;
    let set = FlowSet::open(pid).map_err(|_| InitError("Could not open flow set."))?;
    let mut fq = [false; super::PROG_MAX_FQUEUES];
    fq[0] = true; // the library's own event queue (FRCT, keepalives)
    let p = Process {
        pid,
        pool,
        set,
        table: RwLock::new(Table::new()),
        ids_changed: Condvar::new(),
        ids_lock: Mutex::new(()),
        fqueues: Mutex::new(fq),
        stop: AtomicBool::new(false),
        rx: Mutex::new(None),
        closed: AtomicBool::new(false),
    };
    let _ = PROCESS.set(p);
    let handle = std::thread::Builder::new()
        .name("o7s-rx".into())
        .spawn(super::keepalive::rx_loop)
        .map_err(|_| InitError("Could not start monitor thread."))?;
    if let Some(p) = PROCESS.get() {
        *p.rx.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
    }
    // Say goodbye at exit(), like upstream's destructor.
    // SAFETY: registers a plain extern "C" function without arguments.
    unsafe { libc::atexit(fini_at_exit) };
    Ok(())
}

extern "C" fn fini_at_exit() {
    // no panic may unwind into libc
    let _ = std::panic::catch_unwind(fini);
}

/// `init` with this process's own arguments.
pub fn init_from_env() -> std::result::Result<(), InitError> {
    let argv: Vec<String> = std::env::args().collect();
    init(&argv)
}

pub fn is_initialized() -> bool {
    PROCESS
        .get()
        .is_some_and(|p| !p.closed.load(Ordering::SeqCst))
}

/// The running library (started on first use if needed).
pub fn get() -> Result<&'static Process> {
    if let Some(p) = PROCESS.get() {
        if p.closed.load(Ordering::SeqCst) {
            return Err(Error::Irmd);
        }
        return Ok(p);
    }
    init_from_env().map_err(|_| Error::Irmd)?;
    PROCESS.get().ok_or(Error::Irmd)
}

impl Process {
    /// A free fqueue index, or None when all 32 are taken.
    pub fn alloc_fqueue(&self) -> Option<usize> {
        let mut q = self.fqueues.lock().unwrap_or_else(|e| e.into_inner());
        let i = q.iter().position(|used| !used)?;
        q[i] = true;
        Some(i)
    }

    pub fn free_fqueue(&self, idx: usize) {
        if idx != 0 && idx < super::PROG_MAX_FQUEUES {
            self.fqueues.lock().unwrap_or_else(|e| e.into_inner())[idx] = false;
        }
    }
}

/// The destructor: stops the rx thread, takes down every flow without
/// telling the IRMd about each, and says goodbye.
pub fn fini() {
    let Some(p) = PROCESS.get() else { return };
    if p.closed.swap(true, Ordering::SeqCst) {
        return;
    }
    p.stop.store(true, Ordering::SeqCst);
    if let Some(h) = p.rx.lock().unwrap_or_else(|e| e.into_inner()).take() {
        let _ = h.join();
    }
    let fds: Vec<i32> = p.table.read().unwrap_or_else(|e| e.into_inner()).fds();
    for fd in fds {
        super::flow::teardown(p, fd);
    }
    super::proc::exit_notify();
}

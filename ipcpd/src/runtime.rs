//! The life of an IPCP process.

use crate::ops::IpcpOps;
use nix::sys::signal::SigSet;
use ouroboros::hash::HashAlgo;
use ouroboros::ipcp::{IpcpState, IpcpType};
use ouroboros::paths::FUSE_PREFIX;
use ouroboros::pb::msg::IpcpInfoMsg;
use ouroboros::pb::{IrmMsg, IrmMsgCode};
use ouroboros::{log_err, log_info, sock};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub const PREFIX: &str = "ipcpd/ipcp";

/// The process's IPCP, for threads of a type that need it outside a
/// request (a shim's management handler).
static CURRENT: std::sync::OnceLock<Arc<Ipcp>> = std::sync::OnceLock::new();

pub fn current() -> Option<Arc<Ipcp>> {
    CURRENT.get().cloned()
}

/// Starts a named thread of an IPCP component; false if it could not.
pub fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> bool {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .is_ok()
}

/// The state every IPCP type shares.
pub struct Ipcp {
    pub ipcp_type: IpcpType,
    pub name: String,
    pub irmd_pid: i32,
    state: Mutex<IpcpState>,
    /// Layer name and directory hash once operational.
    layer: Mutex<Option<(String, HashAlgo)>>,
    pub ops: Box<dyn IpcpOps>,
    /// The fd of the flow request handed to the IRMd and not answered
    /// yet (-1: none); requests are serialised on it.
    alloc_id: Mutex<i32>,
    alloc_cond: Condvar,
}

impl Ipcp {
    /// A new IPCP in state INIT (its socket, RIB and announce are `run`'s).
    pub fn new(ipcp_type: IpcpType, name: &str, irmd_pid: i32, ops: Box<dyn IpcpOps>) -> Ipcp {
        Ipcp {
            ipcp_type,
            name: name.to_string(),
            irmd_pid,
            state: Mutex::new(IpcpState::Init),
            layer: Mutex::new(None),
            ops,
            alloc_id: Mutex::new(-1),
            alloc_cond: Condvar::new(),
        }
    }

    pub fn state(&self) -> IpcpState {
        *self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_state(&self, s: IpcpState) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = s;
    }

    pub fn layer(&self) -> Option<(String, HashAlgo)> {
        self.layer.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_layer(&self, name: &str, algo: HashAlgo) {
        *self.layer.lock().unwrap_or_else(|e| e.into_inner()) = Some((name.to_string(), algo));
    }
}

/// Poll period while waiting for the previous flow request.
const ALLOC_TIMEOUT: Duration = Duration::from_millis(50);

impl Ipcp {
    /// Reports an incoming flow for `hash` to the IRMd, one at a time: a
    /// second request waits until the first was answered.
    pub fn wait_flow_req_arr(
        &self,
        hash: &[u8],
        qs: &ouroboros::qos::QosSpec,
        mpl: u32,
        pk: &[u8],
    ) -> i32 {
        self.wait_flow_req_arr_then(hash, qs, mpl, pk, |_| {})
    }

    /// `wait_flow_req_arr` that runs `record` with the new fd before the
    /// IRMd's response can be taken: what the response needs (the remote
    /// endpoint) is stored by then (upstream stores it after, a race).
    pub fn wait_flow_req_arr_then(
        &self,
        hash: &[u8],
        qs: &ouroboros::qos::QosSpec,
        mpl: u32,
        pk: &[u8],
        record: impl FnOnce(i32),
    ) -> i32 {
        let mut id = self.alloc_id.lock().unwrap_or_else(|e| e.into_inner());
        while *id != -1 && self.state() == IpcpState::Operational {
            id = self
                .alloc_cond
                .wait_timeout(id, ALLOC_TIMEOUT)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        if self.state() != IpcpState::Operational {
            log_err!(PREFIX, "Won't allocate over non-operational IPCP.");
            return -ouroboros::errno::EIPCPSTATE;
        }
        match ouroboros::dev::np1::ipcp_flow_req_arr(hash, qs, mpl, pk) {
            Ok(fd) => {
                record(fd);
                *id = fd;
                self.alloc_cond.notify_all();
                fd
            }
            Err(e) => {
                log_err!(PREFIX, "Failed to get fd for flow.");
                e.code()
            }
        }
    }

    /// Waits until the request on `fd` is the pending one, and clears it.
    pub fn wait_flow_resp(&self, fd: i32) -> i32 {
        let mut id = self.alloc_id.lock().unwrap_or_else(|e| e.into_inner());
        while *id != fd && self.state() == IpcpState::Operational {
            id = self
                .alloc_cond
                .wait_timeout(id, ALLOC_TIMEOUT)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        if self.state() != IpcpState::Operational {
            return -1;
        }
        *id = -1;
        self.alloc_cond.notify_all();
        0
    }
}

/// Parses `<irmd pid> <name> [syslog]`; None on anything else.
fn parse_args(argv: &[String]) -> Option<(i32, String, bool)> {
    if !(argv.len() == 3 || argv.len() == 4) {
        return None;
    }
    let pid = atoi(&argv[1]);
    (pid != 0).then(|| (pid, argv[2].clone(), argv.len() == 4))
}

/// C `atoi`: leading whitespace, sign and digits; 0 otherwise.
fn atoi(s: &str) -> i32 {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n: i64 = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |a, d| {
            (a * 10 + i64::from(d - b'0')).min(i64::from(u32::MAX))
        });
    (if neg { -n } else { n }) as i32
}

fn exit_process(code: i32) -> ! {
    ouroboros::dev::fini();
    std::process::exit(code)
}

/// Runs an IPCP of `ipcp_type` with `ops` until the IRMd stops it.
pub fn run(ipcp_type: IpcpType, ops: Box<dyn IpcpOps>) -> ! {
    // Only the IRMd may stop us: the signals are taken synchronously, and
    // blocked before the library starts its threads.
    let sigs = ouroboros::proc::block_stop_signals();
    let argv: Vec<String> = std::env::args().collect();
    if let Err(e) = ouroboros::dev::init(&argv) {
        eprintln!("FATAL: {e}");
        std::process::exit(1);
    }
    let Some((irmd_pid, name, syslog)) = parse_args(&argv) else {
        exit_process(1)
    };
    ouroboros::log::init(syslog);

    let path = sock::ipcp_sock_path(std::process::id() as i32);
    let listener = match sock::Listener::bind(&path) {
        Ok(l) => l,
        Err(_) => {
            log_err!(
                PREFIX,
                "Failed to open server socket at {}.",
                path.display()
            );
            exit_process(1);
        }
    };
    let rib = format!("{FUSE_PREFIX}/{name}");
    let _ = std::fs::create_dir_all(FUSE_PREFIX);
    if std::fs::create_dir(&rib).is_err() {
        // Upstream's RIB mount point: a second IPCP of the same name fails.
        log_err!(PREFIX, "Failed to initialize RIB.");
        let _ = std::fs::remove_file(&path);
        exit_process(1);
    }
    let ipcp = Arc::new(Ipcp::new(ipcp_type, &name, irmd_pid, ops));
    let _ = CURRENT.set(ipcp.clone());
    log_info!(
        PREFIX,
        "IPCP {} {} initialized.",
        ipcp_type.name(),
        std::process::id()
    );

    ipcp.set_state(IpcpState::Boot);
    let l = Arc::new(listener);
    {
        let (i, l) = (ipcp.clone(), l.clone());
        std::thread::Builder::new()
            .name("ipcp-acceptor".into())
            .spawn(move || crate::server::serve(i, l))
            .ok();
    }
    if create_r(&ipcp, IpcpState::Boot).is_err() {
        log_err!(PREFIX, "Failed to notify IRMd we are initialized.");
        cleanup(&path, &rib);
        exit_process(1);
    }

    wait_stop(&ipcp, &sigs);

    log_info!(PREFIX, "IPCP {} shutting down.", std::process::id());
    l.shutdown();
    cleanup(&path, &rib);
    log_info!(PREFIX, "IPCP {} out.", std::process::id());
    exit_process(0)
}

fn cleanup(sock_path: &std::path::Path, rib: &str) {
    let _ = std::fs::remove_file(sock_path);
    let _ = std::fs::remove_dir(rib);
}

/// Sends `IPCP_CREATE_R` with our info in `state`.
fn create_r(ipcp: &Ipcp, state: IpcpState) -> Result<(), ()> {
    let info = IpcpInfoMsg {
        r#type: ipcp.ipcp_type as u32,
        name: ipcp.name.clone(),
        pid: std::process::id(),
        state: state as u32,
    };
    let msg = IrmMsg {
        ipcp_info: Some(info),
        ..IrmMsg::with_code(IrmMsgCode::IpcpCreateR)
    };
    match ouroboros::irm::send_recv(&msg).and_then(|r| r.result) {
        Some(0) => Ok(()),
        _ => Err(()),
    }
}

/// Waits for a termination signal sent by the IRMd (others are ignored).
fn wait_stop(ipcp: &Ipcp, sigs: &SigSet) {
    loop {
        let Ok(info) = sigwaitinfo(sigs) else {
            continue;
        };
        let (signo, sender) = info;
        if signo == libc::SIGPIPE || sender != ipcp.irmd_pid {
            continue;
        }
        match ipcp.state() {
            IpcpState::Boot => ipcp.set_state(IpcpState::Init),
            IpcpState::Operational => ipcp.set_state(IpcpState::Shutdown),
            _ => {}
        }
        return;
    }
}

/// `sigwaitinfo(2)`: the signal number and the sender's pid.
fn sigwaitinfo(set: &SigSet) -> Result<(i32, i32), ()> {
    let mut info = std::mem::MaybeUninit::<libc::siginfo_t>::zeroed();
    // SAFETY: `set` is a valid sigset and `info` is writable storage.
    let r = unsafe { libc::sigwaitinfo(set.as_ref(), info.as_mut_ptr()) };
    if r < 0 {
        return Err(());
    }
    // SAFETY: sigwaitinfo succeeded and filled `info`.
    let info = unsafe { info.assume_init() };
    // SAFETY: for signals sent with kill(2) si_pid is valid.
    let pid = unsafe { info.si_pid() };
    Ok((r, pid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_rules() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_args(&v(&["ipcpd-local", "11", "lo"])),
            Some((11, "lo".into(), false))
        );
        assert_eq!(
            parse_args(&v(&["ipcpd-local", "11", "lo", "1"])),
            Some((11, "lo".into(), true))
        );
        assert_eq!(parse_args(&v(&["ipcpd-local", "0", "lo"])), None);
        assert_eq!(parse_args(&v(&["ipcpd-local", "x", "lo"])), None);
        assert_eq!(parse_args(&v(&["ipcpd-local", "11"])), None);
        assert_eq!(parse_args(&v(&["ipcpd-local", "11", "a", "b", "c"])), None);
        assert_eq!(atoi(" 42abc"), 42);
    }
}

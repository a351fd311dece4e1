//! IPCP lifecycle: create, boot report, destroy, bootstrap, enroll,
//! connect, disconnect, list.

use super::PREFIX;
use crate::ipcp::{call, status};
use crate::irmd::Irmd;
use crate::spawn;
use ouroboros::errno::EIPCP;
use ouroboros::hash::HashAlgo;
use ouroboros::ipcp::{IpcpConfig, IpcpInfo, IpcpListInfo, IpcpState, IpcpType, LayerInfo};
use ouroboros::pb::msg::{IpcpConfigMsg, QosspecMsg};
use ouroboros::pb::{IpcpMsg, IpcpMsgCode};
use ouroboros::{log_err, log_info};
use std::time::{Duration, Instant};

/// How long a new IPCP has to report that it booted. Upstream allows its
/// `SOCKET_TIMEOUT` (500 ms); a loaded machine can take longer just to
/// start the program (seen in loaded test runs), and an IPCP that dies
/// meanwhile is noticed by the sweep within a second anyway.
const BOOT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a terminated IPCP gets before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(30);

/// Spawns an IPCP and waits for its `IPCP_CREATE_R` (upstream replies 0,
/// not the pid).
pub fn create(irmd: &Irmd, ipcp_type: u32, name: &str) -> i32 {
    match spawn_ipcp(irmd, ipcp_type, name) {
        Ok(_) => 0,
        Err(e) => e,
    }
}

/// As `create`, giving the new IPCP's pid.
pub fn spawn_ipcp(irmd: &Irmd, ipcp_type: u32, name: &str) -> Result<i32, i32> {
    let deadline = Instant::now() + BOOT_TIMEOUT;
    let Some(t) = IpcpType::from_u32(ipcp_type) else {
        log_err!(PREFIX, "IPCP type not installed.");
        log_err!(PREFIX, "Failed to create IPCP.");
        return Err(-1);
    };
    let path = irmd.sbin.join(t.program());
    let mut argv = vec![
        path.to_string_lossy().into_owned(),
        std::process::id().to_string(),
        name.to_string(),
    ];
    if irmd.syslog {
        argv.push("1".to_string());
    }
    // The registry stays locked from the spawn until the entry exists: a
    // quick IPCP's IPCP_CREATE_R then waits for it instead of finding no
    // IPCP to respond for (upstream has that race).
    let mut reg = irmd.reg();
    let Some(pid) = spawn::program(&argv) else {
        log_err!(PREFIX, "Failed to spawn IPCP {}.", name);
        log_err!(PREFIX, "Failed to create IPCP.");
        return Err(-1);
    };
    let info = IpcpInfo {
        ipcp_type,
        pid,
        name: name.to_string(),
        state: IpcpState::Init as u32,
    };
    if !reg.create_ipcp(info) {
        drop(reg);
        log_err!(PREFIX, "Failed to create IPCP entry.");
        terminate(pid);
        return Err(-1);
    }
    drop(reg);
    if wait_boot(irmd, pid, deadline) {
        log_info!(PREFIX, "Created IPCP {}.", pid);
        return Ok(pid);
    }
    log_err!(PREFIX, "IPCP {} failed to boot.", pid);
    terminate(pid);
    irmd.reg().destroy_proc(pid);
    Err(-1)
}

fn wait_boot(irmd: &Irmd, pid: i32, deadline: Instant) -> bool {
    let mut reg = irmd.reg();
    loop {
        let state = match reg.ipcp(pid) {
            None => return false,
            Some(i) => IpcpState::from_u32(i.info.state),
        };
        match state {
            Some(IpcpState::Boot) | Some(IpcpState::Operational) => return true,
            Some(IpcpState::Init) => {}
            _ => return false,
        }
        let (g, woke) = irmd.wait_until(reg, deadline);
        reg = g;
        if !woke && Instant::now() >= deadline {
            return matches!(
                reg.ipcp(pid)
                    .and_then(|i| IpcpState::from_u32(i.info.state)),
                Some(IpcpState::Boot) | Some(IpcpState::Operational)
            );
        }
    }
}

/// SIGTERM, then SIGKILL if it lingers; reaps the child.
fn terminate(pid: i32) {
    use nix::sys::signal::Signal;
    ouroboros::proc::signal(pid, Signal::SIGTERM);
    let end = Instant::now() + EXIT_GRACE;
    while Instant::now() < end {
        if ouroboros::proc::try_reap(pid) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    ouroboros::proc::signal(pid, Signal::SIGKILL);
    ouroboros::proc::reap(pid);
}

/// `IPCP_CREATE_R`: the IPCP reports its info (state BOOT when ready).
pub fn create_r(irmd: &Irmd, info: IpcpInfo) -> i32 {
    let mut reg = irmd.reg();
    let Some(ipcp) = reg.ipcp_mut(info.pid) else {
        log_err!("reg", "IPCP {} not found for response.", info.pid);
        return -EIPCP;
    };
    ipcp.info = info;
    drop(reg);
    irmd.notify();
    0
}

/// Terminates an IPCP and forgets it. Upstream signals whatever pid it is
/// given; we only signal IPCPs we know (anything else fails as a dead pid
/// does), so a bad request cannot kill an arbitrary process.
pub fn destroy(irmd: &Irmd, pid: i32) -> i32 {
    let known = pid > 0 && irmd.reg().ipcp(pid).is_some();
    if !known || !ouroboros::proc::alive(pid) {
        let err = std::io::Error::from_raw_os_error(libc::ESRCH);
        log_err!(
            PREFIX,
            "Failed to destroy IPCP: {}.",
            ouroboros::errno::strerror(&err)
        );
        log_err!(PREFIX, "Could not destroy IPCP.");
        return -1;
    }
    terminate(pid);
    irmd.reg().destroy_proc(pid);
    irmd.notify();
    0
}

/// Bootstraps IPCP `pid` with `conf` (forwarded as upstream re-encodes it).
pub fn bootstrap(irmd: &Irmd, pid: i32, conf: &IpcpConfigMsg) -> i32 {
    if irmd.reg().ipcp(pid).is_none() {
        log_err!(PREFIX, "Could not find IPCP {}.", pid);
        return -1;
    }
    let Some(mut conf) = IpcpConfig::from_msg(conf) else {
        log_err!(PREFIX, "Could not bootstrap IPCP.");
        return -1;
    };
    if conf.ipcp_type == IpcpType::Udp4 as u32 || conf.ipcp_type == IpcpType::Udp6 as u32 {
        conf.layer.dir_hash_algo = HashAlgo::Md5 as u32;
    }
    let msg = IpcpMsg {
        conf: Some((&conf).into()),
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpBootstrap)
    };
    let Some(layer) = layer_reply(call(pid, &msg)) else {
        log_err!(PREFIX, "Could not bootstrap IPCP.");
        return -1;
    };
    if !set_layer(irmd, pid, layer) {
        log_err!(PREFIX, "Failed to set layer info for IPCP.");
        return -1;
    }
    log_info!(PREFIX, "Bootstrapped IPCP {}.", pid);
    0
}

/// Enrolls IPCP `pid` via the peer named `dst`.
pub fn enroll(irmd: &Irmd, pid: i32, dst: &str) -> i32 {
    if irmd.reg().ipcp(pid).is_none() {
        log_err!(PREFIX, "Could not find IPCP.");
        return -1;
    }
    let msg = IpcpMsg {
        dst: Some(dst.to_string()),
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpEnroll)
    };
    let Some(layer) = layer_reply(call(pid, &msg)) else {
        log_err!(PREFIX, "Could not enroll IPCP {}.", pid);
        return -1;
    };
    let name = layer.name.clone();
    if !set_layer(irmd, pid, layer) {
        log_err!(PREFIX, "Failed to set layer info for IPCP.");
        return -1;
    }
    log_info!(PREFIX, "Enrolled IPCP {} in layer {}.", pid, name);
    0
}

fn layer_reply(reply: Option<IpcpMsg>) -> Option<LayerInfo> {
    let r = reply?;
    if r.result != Some(0) {
        return None;
    }
    r.layer_info.as_ref().map(LayerInfo::from)
}

fn set_layer(irmd: &Irmd, pid: i32, layer: LayerInfo) -> bool {
    let mut reg = irmd.reg();
    match reg.ipcp_mut(pid) {
        Some(i) => {
            i.layer = layer;
            i.info.state = IpcpState::Boot as u32;
            true
        }
        None => {
            log_err!("reg", "IPCP {} not found.", pid);
            false
        }
    }
}

/// The IPCP's type if it can make connections (unicast, broadcast).
fn connectable(irmd: &Irmd, pid: i32, what: &str) -> Result<(), i32> {
    let t = irmd.reg().ipcp(pid).map(|i| i.info.ipcp_type);
    match t {
        None => {
            log_err!(PREFIX, "No such IPCP.");
            Err(-EIPCP)
        }
        Some(t) if t == IpcpType::Unicast as u32 || t == IpcpType::Broadcast as u32 => Ok(()),
        Some(_) => {
            log_err!(PREFIX, "Cannot {} connections for this IPCP type.", what);
            Err(-EIPCP)
        }
    }
}

/// `dst` and `comp` are forwarded as received (absent stays absent).
pub fn connect(
    irmd: &Irmd,
    pid: i32,
    dst: Option<&str>,
    comp: Option<&str>,
    qos: &QosspecMsg,
) -> i32 {
    if let Err(e) = connectable(irmd, pid, "establish") {
        return e;
    }
    let msg = IpcpMsg {
        dst: dst.map(str::to_string),
        comp: comp.map(str::to_string),
        pid: Some(pid),
        qosspec: Some(*qos),
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpConnect)
    };
    let (dst, comp) = (dst.unwrap_or("(null)"), comp.unwrap_or("(null)"));
    if status(pid, &msg) != 0 {
        log_err!(PREFIX, "Could not connect IPCP {} to {}.", pid, dst);
        return -libc::EPERM;
    }
    log_info!(
        PREFIX,
        "Established {} connection between IPCP {} and {}.",
        comp,
        pid,
        dst
    );
    0
}

pub fn disconnect(irmd: &Irmd, pid: i32, dst: Option<&str>, comp: Option<&str>) -> i32 {
    if let Err(e) = connectable(irmd, pid, "tear down") {
        return e;
    }
    let msg = IpcpMsg {
        dst: dst.map(str::to_string),
        comp: comp.map(str::to_string),
        pid: Some(pid),
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpDisconnect)
    };
    let (dst, comp) = (dst.unwrap_or("(null)"), comp.unwrap_or("(null)"));
    if status(pid, &msg) != 0 {
        log_err!(PREFIX, "Could not disconnect IPCP.");
        return -libc::EPERM;
    }
    log_info!(
        PREFIX,
        "{} connection between IPCP {} and {} torn down.",
        comp,
        pid,
        dst
    );
    0
}

/// Every IPCP in registry order.
pub fn list(irmd: &Irmd) -> Vec<IpcpListInfo> {
    irmd.reg()
        .ipcps
        .iter()
        .map(|i| IpcpListInfo {
            pid: i.info.pid,
            ipcp_type: i.info.ipcp_type,
            name: i.info.name.clone(),
            layer: i.layer.name.clone(),
            hash_algo: i.layer.dir_hash_algo,
        })
        .collect()
}

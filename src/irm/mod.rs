//! Management API (upstream `irm.h`): each call is one request/reply with
//! the IRMd. Errors follow upstream: no reply -> `Error::Irmd`; a reply
//! without `result` -> the per-call default upstream uses; a negative
//! `result` -> that error.

mod program;

use crate::errno::{Error, Result};
use crate::ipcp::{IpcpConfig, IpcpInfo, IpcpListInfo, IPCP_NAME_SIZE};
use crate::name::NameInfo;
use crate::pb::{self, IrmMsg, IrmMsgCode};
use crate::qos::QosSpec;
use prost::Message;

pub use program::resolve_program;

/// Sends `msg` to the IRMd and decodes its reply; `None` when there is no
/// usable reply (cannot connect, closed, undecodable).
pub fn send_recv(msg: &IrmMsg) -> Option<IrmMsg> {
    let reply =
        crate::sock::request(&crate::sock::irm_sock_path(), &msg.encode_to_vec(), None).ok()?;
    pb::decode_irm(&reply).ok()
}

/// Runs a request whose reply is a plain status; `missing` is what upstream
/// returns when the reply has no `result`.
fn status(msg: &IrmMsg, missing: Error) -> Result<()> {
    let reply = send_recv(msg).ok_or(Error::Irmd)?;
    match reply.result {
        None => Err(missing),
        Some(r) => Error::from_code(r).map_or(Ok(()), Err),
    }
}

fn msg(code: IrmMsgCode) -> IrmMsg {
    IrmMsg::with_code(code)
}

/// Spawns an IPCP. Upstream replies 0, not the pid: use [`list_ipcps`].
pub fn create_ipcp(name: &str, ipcp_type: u32) -> Result<()> {
    if name.len() > IPCP_NAME_SIZE {
        return Err(Error::Inval);
    }
    let info = IpcpInfo {
        ipcp_type,
        pid: 0,
        name: name.to_string(),
        state: 0,
    };
    let m = IrmMsg {
        ipcp_info: Some((&info).into()),
        ..msg(IrmMsgCode::IrmCreateIpcp)
    };
    status(&m, Error::Irmd)
}

pub fn destroy_ipcp(pid: i32) -> Result<()> {
    if pid < 0 {
        return Err(Error::Inval);
    }
    status(
        &IrmMsg {
            pid: Some(pid),
            ..msg(IrmMsgCode::IrmDestroyIpcp)
        },
        Error::Perm,
    )
}

/// All IPCPs, in the IRMd's order (type, then pid). The reply's `result`
/// is not inspected, as upstream.
pub fn list_ipcps() -> Result<Vec<IpcpListInfo>> {
    let reply = send_recv(&msg(IrmMsgCode::IrmListIpcps)).ok_or(Error::Irmd)?;
    Ok(reply.ipcps.iter().map(IpcpListInfo::from).collect())
}

pub fn enroll_ipcp(pid: i32, dst: &str) -> Result<()> {
    if pid == -1 {
        return Err(Error::Inval);
    }
    let m = IrmMsg {
        pid: Some(pid),
        dst: Some(dst.to_string()),
        ..msg(IrmMsgCode::IrmEnrollIpcp)
    };
    status(&m, Error::Perm)
}

pub fn bootstrap_ipcp(pid: i32, conf: &IpcpConfig) -> Result<()> {
    if pid == -1 {
        return Err(Error::Inval);
    }
    let m = IrmMsg {
        pid: Some(pid),
        conf: Some(conf.into()),
        ..msg(IrmMsgCode::IrmBootstrapIpcp)
    };
    status(&m, Error::Irmd)
}

/// Connects a component of an IPCP to a peer. `dst` and `comp` are sent as
/// given (absent when `None`).
pub fn connect_ipcp(pid: i32, dst: Option<&str>, comp: Option<&str>, qs: &QosSpec) -> Result<()> {
    let m = IrmMsg {
        pid: Some(pid),
        dst: dst.map(str::to_string),
        comp: comp.map(str::to_string),
        qosspec: Some(qs.into()),
        ..msg(IrmMsgCode::IrmConnectIpcp)
    };
    status(&m, Error::Irmd)
}

pub fn disconnect_ipcp(pid: i32, dst: Option<&str>, comp: Option<&str>) -> Result<()> {
    let m = IrmMsg {
        pid: Some(pid),
        dst: dst.map(str::to_string),
        comp: comp.map(str::to_string),
        ..msg(IrmMsgCode::IrmDisconnectIpcp)
    };
    status(&m, Error::Irmd)
}

/// Binds a program (resolved like upstream: absolute/relative path or a
/// `PATH` search) to a name; `args` become its argv[0..] when started
/// automatically (`opts` & BIND_AUTO).
pub fn bind_program(prog: &str, name: &str, opts: u16, args: &[String]) -> Result<()> {
    let path = resolve_program(prog)?;
    let mut exec = Vec::with_capacity(args.len() + 2);
    exec.push(path);
    exec.extend(args.iter().cloned());
    exec.push(String::new()); // sentinel the IRMd drops
    let m = IrmMsg {
        name: Some(name.to_string()),
        exec,
        opts: Some(u32::from(opts)),
        ..msg(IrmMsgCode::IrmBindProgram)
    };
    status(&m, Error::Perm)
}

/// Unbinds a program (matched by the basename the IRMd stored).
pub fn unbind_program(prog: Option<&str>, name: &str) -> Result<()> {
    let m = IrmMsg {
        prog: prog.map(str::to_string),
        name: Some(name.to_string()),
        ..msg(IrmMsgCode::IrmUnbindProgram)
    };
    status(&m, Error::Perm)
}

pub fn bind_process(pid: i32, name: &str) -> Result<()> {
    let m = IrmMsg {
        pid: Some(pid),
        name: Some(name.to_string()),
        ..msg(IrmMsgCode::IrmBindProcess)
    };
    status(&m, Error::Perm)
}

pub fn unbind_process(pid: i32, name: &str) -> Result<()> {
    let m = IrmMsg {
        pid: Some(pid),
        name: Some(name.to_string()),
        ..msg(IrmMsgCode::IrmUnbindProcess)
    };
    status(&m, Error::Perm)
}

/// Creates a name; succeeds (without change) when it already exists.
pub fn create_name(info: &NameInfo) -> Result<()> {
    let m = IrmMsg {
        name_info: Some(info.into()),
        ..msg(IrmMsgCode::IrmCreateName)
    };
    status(&m, Error::Perm)
}

pub fn destroy_name(name: &str) -> Result<()> {
    status(
        &IrmMsg {
            name: Some(name.to_string()),
            ..msg(IrmMsgCode::IrmDestroyName)
        },
        Error::Perm,
    )
}

/// All names in the IRMd's order; only `name` and `pol_lb` are meaningful.
pub fn list_names() -> Result<Vec<NameInfo>> {
    let reply = send_recv(&msg(IrmMsgCode::IrmListNames)).ok_or(Error::Irmd)?;
    Ok(reply.names.iter().map(NameInfo::from).collect())
}

/// Registers a name with the IPCP `pid`.
pub fn reg_name(name: &str, pid: i32) -> Result<()> {
    let m = IrmMsg {
        pid: Some(pid),
        name: Some(name.to_string()),
        ..msg(IrmMsgCode::IrmRegName)
    };
    status(&m, Error::Perm)
}

pub fn unreg_name(name: &str, pid: i32) -> Result<()> {
    let m = IrmMsg {
        pid: Some(pid),
        name: Some(name.to_string()),
        ..msg(IrmMsgCode::IrmUnregName)
    };
    status(&m, Error::Perm)
}

//! Decodes one request, runs it and builds the reply, with upstream's
//! rules: undecodable requests and results -EPIPE/-EIRMD get no reply,
//! unknown codes get result -1.

use crate::irmd::Irmd;
use crate::ops::flow::{self, Granted};
use crate::ops::{bind, ipcp, name, proc};
use crate::reg::FlowInfo;
use ouroboros::errno::EIRMD;
use ouroboros::ipcp::IpcpInfo;
use ouroboros::name::NameInfo;
use ouroboros::pb::{IrmMsg, IrmMsgCode};
use ouroboros::{log_err, pb};

/// What to send back on the connection.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Reply(Box<IrmMsg>),
    /// Close the connection without a reply.
    Close,
}

/// Credentials of the connected peer (SO_PEERCRED).
#[derive(Clone, Copy, Debug)]
pub struct Peer {
    pub uid: u32,
    pub gid: u32,
}

/// Handles the raw bytes of one request.
pub fn handle_bytes(irmd: &Irmd, peer: Option<Peer>, buf: &[u8]) -> Outcome {
    match pb::decode_irm(buf) {
        Ok(msg) => handle(irmd, peer, msg),
        Err(_) => {
            log_err!("irmd", "Failed to unpack command message.");
            Outcome::Close
        }
    }
}

/// A field the request must carry; its absence fails the request.
macro_rules! need {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return Outcome::Reply(Box::new(IrmMsg::reply(-1))),
        }
    };
}

/// The request's relative timeout, if it has one.
fn timeo(msg: &IrmMsg) -> Option<std::time::Duration> {
    msg.timeo
        .map(|t| std::time::Duration::new(t.tv_sec, t.tv_nsec.min(999_999_999)))
}

/// Fills a flow reply; `cipher` says whether `cipher_nid` is included
/// (alloc and accept replies, not joins).
fn granted(reply: &mut IrmMsg, res: Result<Granted, i32>, cipher: bool) -> i32 {
    match res {
        Ok(g) => {
            reply.flow_info = Some(g.info.to_msg());
            if cipher {
                reply.cipher_nid = Some(g.cipher_nid);
                if g.cipher_nid != 0 {
                    reply.sym_key = g.key;
                }
            }
            0
        }
        Err(e) => e,
    }
}

/// Without a caller timeout, the internal limit's expiry is -EPERM.
fn no_timeout_is_eperm(res: i32, msg: &IrmMsg) -> i32 {
    if res == -libc::ETIMEDOUT && msg.timeo.is_none() {
        -libc::EPERM
    } else {
        res
    }
}

pub fn handle(irmd: &Irmd, peer: Option<Peer>, msg: IrmMsg) -> Outcome {
    let mut reply = IrmMsg::reply(0);
    let code = IrmMsgCode::try_from(msg.code).ok();
    let res = match code {
        Some(IrmMsgCode::IrmCreateIpcp) => {
            let i = need!(msg.ipcp_info.as_ref());
            ipcp::create(irmd, i.r#type, &i.name)
        }
        Some(IrmMsgCode::IpcpCreateR) => {
            ipcp::create_r(irmd, IpcpInfo::from(need!(msg.ipcp_info.as_ref())))
        }
        Some(IrmMsgCode::IrmDestroyIpcp) => ipcp::destroy(irmd, need!(msg.pid)),
        Some(IrmMsgCode::IrmBootstrapIpcp) => {
            ipcp::bootstrap(irmd, need!(msg.pid), need!(msg.conf.as_ref()))
        }
        Some(IrmMsgCode::IrmEnrollIpcp) => {
            ipcp::enroll(irmd, need!(msg.pid), need!(msg.dst.as_deref()))
        }
        Some(IrmMsgCode::IrmConnectIpcp) => ipcp::connect(
            irmd,
            need!(msg.pid),
            msg.dst.as_deref(),
            msg.comp.as_deref(),
            need!(msg.qosspec.as_ref()),
        ),
        Some(IrmMsgCode::IrmDisconnectIpcp) => ipcp::disconnect(
            irmd,
            need!(msg.pid),
            msg.dst.as_deref(),
            msg.comp.as_deref(),
        ),
        Some(IrmMsgCode::IrmListIpcps) => {
            reply.ipcps = ipcp::list(irmd).iter().map(Into::into).collect();
            0
        }
        Some(IrmMsgCode::IrmBindProgram) => {
            // the last exec entry is a sentinel
            let exec = &msg.exec[..msg.exec.len().saturating_sub(1)];
            bind::bind_program(
                irmd,
                exec,
                need!(msg.name.as_deref()),
                msg.opts.unwrap_or(0),
            )
        }
        Some(IrmMsgCode::IrmUnbindProgram) => {
            bind::unbind_program(irmd, msg.prog.as_deref(), msg.name.as_deref())
        }
        Some(IrmMsgCode::IrmProcAnnounce) => {
            let pid = need!(msg.pid);
            let prog = need!(msg.prog.as_deref());
            match peer {
                Some(p) => proc::announce(irmd, pid, prog, p.uid, p.gid),
                None => {
                    log_err!("irmd", "Failed to get UID/GID for pid {}.", pid);
                    -1
                }
            }
        }
        Some(IrmMsgCode::IrmProcExit) => proc::exit(irmd, need!(msg.pid)),
        Some(IrmMsgCode::IrmBindProcess) => {
            bind::bind_process(irmd, need!(msg.pid), need!(msg.name.as_deref()))
        }
        Some(IrmMsgCode::IrmUnbindProcess) => {
            bind::unbind_process(irmd, need!(msg.pid), msg.name.as_deref())
        }
        Some(IrmMsgCode::IrmCreateName) => {
            name::create(irmd, NameInfo::from(need!(msg.name_info.as_ref())))
        }
        Some(IrmMsgCode::IrmDestroyName) => name::destroy(irmd, need!(msg.name.as_deref())),
        Some(IrmMsgCode::IrmListNames) => {
            reply.names = name::list(irmd).iter().map(Into::into).collect();
            0
        }
        Some(IrmMsgCode::IrmRegName) => name::reg(irmd, need!(msg.name.as_deref()), need!(msg.pid)),
        Some(IrmMsgCode::IrmUnregName) => {
            name::unreg(irmd, need!(msg.name.as_deref()), need!(msg.pid))
        }
        Some(IrmMsgCode::IrmFlowAccept) => {
            let fi = need!(msg.flow_info.as_ref());
            granted(
                &mut reply,
                flow::accept(irmd, fi.n_pid as i32, timeo(&msg)),
                true,
            )
        }
        Some(IrmMsgCode::IrmFlowAlloc) => {
            let fi = need!(msg.flow_info.as_ref());
            let dst = need!(msg.dst.as_deref());
            let res = flow::alloc(
                irmd,
                dst,
                FlowInfo::request(fi.n_pid as i32, fi.qos),
                timeo(&msg),
            );
            no_timeout_is_eperm(granted(&mut reply, res, true), &msg)
        }
        Some(IrmMsgCode::IrmFlowJoin) => {
            let fi = need!(msg.flow_info.as_ref());
            let dst = need!(msg.dst.as_deref());
            let res = flow::join(
                irmd,
                dst,
                FlowInfo::request(fi.n_pid as i32, fi.qos),
                timeo(&msg),
            );
            no_timeout_is_eperm(granted(&mut reply, res, false), &msg)
        }
        Some(IrmMsgCode::IrmFlowDealloc) => {
            let fi = need!(msg.flow_info.as_ref());
            let linger = msg.timeo.map(|t| t.tv_sec as u32).unwrap_or(0);
            flow::dealloc(irmd, fi.id as i32, fi.n_pid as i32, linger)
        }
        Some(IrmMsgCode::IpcpFlowDealloc) => {
            let fi = need!(msg.flow_info.as_ref());
            flow::dealloc_resp(irmd, fi.id as i32, fi.n_1_pid as i32)
        }
        Some(IrmMsgCode::IpcpFlowReqArr) => {
            let fi = need!(msg.flow_info.as_ref());
            let hash = need!(msg.hash.as_deref());
            let pk = msg.pk.clone().unwrap_or_default();
            match flow::req_arr(irmd, fi.n_1_pid as i32, hash, fi.mpl, fi.qos, fi.uid, pk) {
                Ok(info) => {
                    reply.flow_info = Some(info.to_msg());
                    0
                }
                Err(e) => e,
            }
        }
        Some(IrmMsgCode::IpcpFlowAllocReply) => {
            let fi = need!(msg.flow_info.as_ref());
            let pk = msg.pk.clone().unwrap_or_default();
            flow::alloc_reply(
                irmd,
                fi.id as i32,
                fi.mpl,
                fi.uid,
                msg.response.unwrap_or(-1),
                pk,
            )
        }
        Some(IrmMsgCode::IrmReply) | None => {
            log_err!("irmd", "Don't know that message code.");
            -1
        }
    };
    if res == -libc::EPIPE || res == -EIRMD {
        return Outcome::Close;
    }
    reply.result = Some(res);
    Outcome::Reply(Box::new(reply))
}

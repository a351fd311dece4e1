//! Decodes one request, runs it and builds the reply, with upstream's
//! rules: undecodable requests and results -EPIPE/-EIRMD get no reply,
//! unknown codes get result -1.

use crate::irmd::Irmd;
use crate::ops::{bind, ipcp, name, proc};
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
        Some(
            IrmMsgCode::IrmFlowAlloc
            | IrmMsgCode::IrmFlowAccept
            | IrmMsgCode::IrmFlowJoin
            | IrmMsgCode::IrmFlowDealloc
            | IrmMsgCode::IpcpFlowDealloc
            | IrmMsgCode::IpcpFlowReqArr
            | IrmMsgCode::IpcpFlowAllocReply,
        ) => {
            log_err!("irmd", "Flow allocation is not supported by this IRMd yet.");
            -libc::ENOTSUP
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

//! Protobuf messages of the IRMd and IPCP control sockets, plus the checks
//! upstream's decoder applies and conversions to domain types.

mod check;
pub mod convert;

pub use check::{check_required, Invalid};

/// Messages of irm.proto, model.proto, ipcp_config.proto, enroll.proto, cep.proto.
#[allow(clippy::all, missing_docs)]
pub mod msg {
    include!(concat!(env!("OUT_DIR"), "/msg/_.rs"));
}

/// Messages of ipcp.proto (its own scope, see build.rs).
#[allow(clippy::all, missing_docs)]
pub mod ipcp {
    include!(concat!(env!("OUT_DIR"), "/ipcp/_.rs"));
}

pub use ipcp::{IpcpMsg, IpcpMsgCode};
pub use msg::{IrmMsg, IrmMsgCode};

use prost::Message;

/// Decodes an `irm_msg` the way upstream does: malformed bytes or a missing
/// required field are an error; unknown enum values are kept.
pub fn decode_irm(buf: &[u8]) -> Result<IrmMsg, Invalid> {
    check_required("irm_msg", buf)?;
    IrmMsg::decode(buf).map_err(|_| Invalid::Malformed)
}

/// Decodes an `ipcp_msg` (see [`decode_irm`]).
pub fn decode_ipcp(buf: &[u8]) -> Result<IpcpMsg, Invalid> {
    check_required("ipcp_msg", buf)?;
    IpcpMsg::decode(buf).map_err(|_| Invalid::Malformed)
}

impl IrmMsg {
    /// A message with only its code set.
    pub fn with_code(code: IrmMsgCode) -> IrmMsg {
        IrmMsg {
            code: code as i32,
            ..Default::default()
        }
    }

    /// An `IRM_REPLY` carrying `result`.
    pub fn reply(result: i32) -> IrmMsg {
        IrmMsg {
            result: Some(result),
            ..IrmMsg::with_code(IrmMsgCode::IrmReply)
        }
    }
}

impl IpcpMsg {
    /// A message with only its code set.
    pub fn with_code(code: IpcpMsgCode) -> IpcpMsg {
        IpcpMsg {
            code: code as i32,
            ..Default::default()
        }
    }

    /// An `IPCP_REPLY` carrying `result`.
    pub fn reply(result: i32) -> IpcpMsg {
        IpcpMsg {
            result: Some(result),
            ..IpcpMsg::with_code(IpcpMsgCode::IpcpReply)
        }
    }
}

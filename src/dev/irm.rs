//! The library's exchanges with the IRMd and upstream's error mapping:
//! no connection or no read -> -1 (EPERM); a reply that does not decode
//! (including a close without reply) -> EIRMD.

use crate::errno::{Error, Result};
use crate::pb::IrmMsg;
use prost::Message;

pub fn call(msg: &IrmMsg) -> Result<IrmMsg> {
    let bytes = msg.encode_to_vec();
    if bytes.len() > crate::sock::SOCK_BUF_SIZE {
        return Err(Error::NoMem);
    }
    let reply = crate::sock::request(&crate::sock::irm_sock_path(), &bytes, None)
        .map_err(|_| Error::Perm)?;
    crate::pb::decode_irm(&reply).map_err(|_| Error::Irmd)
}

/// The reply's result: missing -> EIRMD, negative -> that error.
pub fn result(reply: &IrmMsg) -> Result<()> {
    match reply.result {
        None => Err(Error::Irmd),
        Some(r) if r < 0 => Err(Error::from_code(r).unwrap_or(Error::Irmd)),
        Some(_) => Ok(()),
    }
}

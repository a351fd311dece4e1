//! `cep.h`: connection information exchanged by `cep_snd`/`cep_rcv`.

use super::proto::{proto_concrete_syntax, proto_field, PROTO_MAX_FIELDS};
use super::str_from_array;
use crate::errno::{Error, Result};
use crate::pb::check_required;
use crate::pb::msg::CepMsg;
use libc::c_char;
use prost::Message;
use std::mem::{align_of, offset_of, size_of};

pub const OCEP_BUF_STRLEN: usize = 128;

/// `struct conn_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct conn_info {
    pub comp_name: [c_char; OCEP_BUF_STRLEN + 1],
    pub protocol: [c_char; OCEP_BUF_STRLEN + 1],
    pub pref_version: u32,
    pub pref_syntax: proto_concrete_syntax,
    pub fixed_conc_syntax: [proto_field; PROTO_MAX_FIELDS],
    pub num_fields: libc::size_t,
    pub addr: u64,
}

const _: () = assert!(size_of::<conn_info>() == 2336 && align_of::<conn_info>() == 8);
const _: () = assert!(offset_of!(conn_info, comp_name) == 0);
const _: () = assert!(offset_of!(conn_info, protocol) == 129);
const _: () = assert!(offset_of!(conn_info, pref_version) == 260);
const _: () = assert!(offset_of!(conn_info, pref_syntax) == 264);
const _: () = assert!(offset_of!(conn_info, fixed_conc_syntax) == 272);
const _: () = assert!(offset_of!(conn_info, num_fields) == 2320);
const _: () = assert!(offset_of!(conn_info, addr) == 2328);

/// The message for `info`; `Error::Perm` (-1) when the syntax does not fit
/// the message's int32, `Error::Inval` when a name is not UTF-8.
pub fn message(info: &conn_info) -> Result<CepMsg> {
    let pref_syntax = i32::try_from(info.pref_syntax).map_err(|_| Error::Perm)?;
    Ok(CepMsg {
        comp_name: str_from_array(&info.comp_name)?,
        protocol: str_from_array(&info.protocol)?,
        // the same bits, as C converts uint32_t to int32_t
        pref_version: info.pref_version as i32,
        supp_version: Vec::new(),
        pref_syntax,
        supp_syntax: Vec::new(),
        syntax_spec: None,
        address: info.addr,
    })
}

/// Decodes a received message; `Error::Perm` (-1) when it is malformed,
/// misses a required field or its component name is too long.
pub fn decode(bytes: &[u8]) -> Result<CepMsg> {
    check_required("cep_msg", bytes).map_err(|_| Error::Perm)?;
    let msg = CepMsg::decode(bytes).map_err(|_| Error::Perm)?;
    if c_len(msg.comp_name.as_bytes()) > OCEP_BUF_STRLEN
        || c_len(msg.protocol.as_bytes()) > OCEP_BUF_STRLEN
    {
        return Err(Error::Perm);
    }
    Ok(msg)
}

/// Length of `s` as a C string (up to an embedded NUL).
fn c_len(s: &[u8]) -> usize {
    s.iter().position(|&b| b == 0).unwrap_or(s.len())
}

/// Copies `s` as a C string (up to an embedded NUL) plus its terminator
/// to the start of `dst`, leaving the rest of `dst` as it was. `s` fits:
/// [`decode`] checked its length.
fn copy_c_str(dst: &mut [c_char], s: &str) {
    let n = c_len(s.as_bytes());
    for (d, &b) in dst.iter_mut().zip(&s.as_bytes()[..n]) {
        *d = b as c_char;
    }
    dst[n] = 0;
}

/// Fills the fields a received message sets; the fixed syntax fields stay
/// as they were. `msg` is one [`decode`] accepted (longer names would not
/// fit).
pub fn fill(out: &mut conn_info, msg: &CepMsg) {
    copy_c_str(&mut out.comp_name, &msg.comp_name);
    copy_c_str(&mut out.protocol, &msg.protocol);
    out.pref_version = msg.pref_version as u32;
    out.pref_syntax = msg.pref_syntax as u32;
    out.addr = msg.address;
}

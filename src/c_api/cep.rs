//! `cep.h`: connection information exchanged by `cep_snd`/`cep_rcv`.

use super::proto::{proto_concrete_syntax, proto_field, PROTO_MAX_FIELDS};
use libc::c_char;
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

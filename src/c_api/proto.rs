//! `proto.h`: description of a protocol's concrete syntax.

use std::mem::{align_of, offset_of, size_of};

pub const PROTO_FIELD_ABSENT: i32 = -1;
pub const PROTO_FIELD_VARIABLE: i32 = 0;
pub const PROTO_MAX_FIELDS: usize = 128;

/// `enum proto_concrete_syntax`.
pub type proto_concrete_syntax = u32;
pub const PROTO_GPB: proto_concrete_syntax = 0;
pub const PROTO_ASN_1: proto_concrete_syntax = 1;
pub const PROTO_FIXED: proto_concrete_syntax = 2;

/// `struct proto_field`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct proto_field {
    pub fid: libc::size_t,
    /// 0: variable length, -1: absent.
    pub len: libc::ssize_t,
}

const _: () = assert!(size_of::<proto_field>() == 16 && align_of::<proto_field>() == 8);
const _: () = assert!(offset_of!(proto_field, fid) == 0 && offset_of!(proto_field, len) == 8);

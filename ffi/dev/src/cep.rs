//! `cep.h`: one `cep_msg` (connection information) over a flow.
//!
//! As upstream: only `comp_name`, `protocol`, `pref_version`,
//! `pref_syntax` and `addr` travel (no supported versions or syntaxes, no
//! fixed syntax description), a message is read with one 128-byte
//! `flow_read`, and apart from the NULL check every failure that is not a
//! read error is the generic `-1`.

use crate::ffi::cancellable;
use libc::c_int;
use ouroboros::c_api::cep::{conn_info, decode, fill, message};
use ouroboros::dev;
use ouroboros::errno::Error;
use prost::Message;

/// Bytes one `cep_rcv` reads.
const CEP_BUF_SIZE: usize = 128;

/// Sends the connection information `in` over flow `fd`.
///
/// # Safety
/// `in_` is NULL or points to a readable `struct conn_info`.
#[no_mangle]
pub unsafe extern "C" fn cep_snd(fd: c_int, in_: *const conn_info) -> c_int {
    cancellable(|| {
        // SAFETY: NULL or readable (contract above).
        let info = unsafe { in_.as_ref() }.ok_or(Error::Inval)?;
        let bytes = message(info)?.encode_to_vec();
        dev::flow_write(fd, &bytes).map_err(|_| Error::Perm)?;
        Ok(0)
    })
}

/// Receives connection information from flow `fd` into `out`.
///
/// # Safety
/// `out` is NULL or points to a writable `struct conn_info`.
#[no_mangle]
pub unsafe extern "C" fn cep_rcv(fd: c_int, out: *mut conn_info) -> c_int {
    cancellable(|| {
        // SAFETY: NULL or writable (contract above).
        let out = unsafe { out.as_mut() }.ok_or(Error::Inval)?;
        let mut buf = [0u8; CEP_BUF_SIZE];
        let n = dev::flow_read(fd, &mut buf)?;
        fill(out, &decode(&buf[..n])?);
        Ok(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ouroboros::c_api::array_from_str;
    use ouroboros::c_api::cep::OCEP_BUF_STRLEN;
    use ouroboros::c_api::proto::{proto_field, PROTO_FIXED, PROTO_GPB, PROTO_MAX_FIELDS};
    use ouroboros::c_api::str_from_array;
    use ouroboros::errno::Error;
    use ouroboros::pb::msg::CepMsg;
    use std::ptr::{null, null_mut};

    fn info(comp: &str, proto: &str) -> conn_info {
        conn_info {
            comp_name: array_from_str(comp),
            protocol: array_from_str(proto),
            pref_version: 1,
            pref_syntax: PROTO_GPB,
            fixed_conc_syntax: [proto_field::default(); PROTO_MAX_FIELDS],
            num_fields: 0,
            addr: 0x1234,
        }
    }

    #[test]
    fn null_arguments_are_einval() {
        // SAFETY: NULL is allowed.
        unsafe {
            assert_eq!(cep_snd(64, null()), -libc::EINVAL);
            assert_eq!(cep_rcv(64, null_mut()), -libc::EINVAL);
        }
    }

    /// The bytes protobuf-c packs for upstream's message: the five
    /// required fields in field order, nothing else.
    #[test]
    fn wire_format_is_upstreams() {
        let mut i = info("dt", "dtp");
        i.pref_version = 2;
        i.pref_syntax = PROTO_FIXED;
        i.addr = 300;
        let bytes = message(&i).unwrap().encode_to_vec();
        assert_eq!(
            bytes,
            [
                0x0a, 2, b'd', b't', // comp_name
                0x12, 3, b'd', b't', b'p', // protocol
                0x18, 2, // pref_version
                0x28, 2, // pref_syntax
                0x40, 0xac, 0x02, // address 300
            ]
        );
        // required fields go out even when empty or zero
        let bytes = message(&conn_info {
            pref_version: 0,
            pref_syntax: PROTO_GPB,
            addr: 0,
            ..info("", "")
        })
        .unwrap()
        .encode_to_vec();
        assert_eq!(bytes, [0x0a, 0, 0x12, 0, 0x18, 0, 0x28, 0, 0x40, 0]);
    }

    #[test]
    fn send_side_checks() {
        let mut i = info("c", "p");
        i.pref_syntax = 0x8000_0000; // negative as int32
        assert_eq!(message(&i).map(|_| ()), Err(Error::Perm));
        let mut i = info("c", "p");
        i.comp_name[0] = -1; // not UTF-8
        assert_eq!(message(&i).map(|_| ()), Err(Error::Inval));
        // a version beyond int32 keeps its bits
        let mut i = info("c", "p");
        i.pref_version = u32::MAX;
        assert_eq!(message(&i).unwrap().pref_version, -1);
    }

    #[test]
    fn receive_round_trip_fills_five_fields() {
        let mut sent = info("enrollment", "OEP");
        sent.pref_version = u32::MAX;
        let bytes = message(&sent).unwrap().encode_to_vec();
        let mut out = info("previous-component-name", "previous");
        out.num_fields = 7;
        out.fixed_conc_syntax[0].len = -1;
        fill(&mut out, &decode(&bytes).unwrap());
        assert_eq!(str_from_array(&out.comp_name).unwrap(), "enrollment");
        assert_eq!(str_from_array(&out.protocol).unwrap(), "OEP");
        assert_eq!(out.pref_version, u32::MAX);
        assert_eq!(out.pref_syntax, PROTO_GPB);
        assert_eq!(out.addr, 0x1234);
        // untouched: the fixed syntax, and the bytes after the terminator
        assert_eq!(out.num_fields, 7);
        assert_eq!(out.fixed_conc_syntax[0].len, -1);
        assert_eq!(out.comp_name[10], 0);
        assert_eq!(out.comp_name[11] as u8, b'm');
    }

    #[test]
    fn bad_messages_are_the_generic_failure() {
        let full = message(&info("c", "p")).unwrap().encode_to_vec();
        // without the address (the last field)
        assert_eq!(
            decode(&full[..full.len() - 2]).map(|_| ()),
            Err(Error::Perm)
        );
        assert_eq!(decode(&[]).map(|_| ()), Err(Error::Perm));
        assert_eq!(decode(&[0xff]).map(|_| ()), Err(Error::Perm));
        // a component name of 129 bytes cannot come in 128, but is refused
        let long = CepMsg {
            comp_name: "n".repeat(OCEP_BUF_STRLEN + 1),
            ..decode(&full).unwrap()
        };
        assert_eq!(decode(&long.encode_to_vec()).map(|_| ()), Err(Error::Perm));
    }
}

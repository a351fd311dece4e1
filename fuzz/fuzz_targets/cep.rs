//! CEP: a received `cep_msg` (what `cep_rcv` reads from a flow), decoded
//! with `c_api::cep::decode` and copied into a `struct conn_info` with
//! `fill`.
//!
//! Input: the message bytes. They are decoded whole and as `cep_rcv` sees
//! them (its one read takes at most 128 bytes).
//!
//! Checked: what `decode` accepts encodes and decodes to the same message
//! and has names that fit `conn_info`; `fill` writes each name as a C
//! string (up to an embedded NUL) with its terminator and leaves the rest
//! of the structure as it was; the filled structure converts back
//! (`message`, as `cep_snd` sends it) to the fields received, unless the
//! syntax does not fit the message's int32 (then `-1`, as upstream).

#![no_main]

use libfuzzer_sys::fuzz_target;
use ouroboros::c_api::cep::{conn_info, decode, fill, message, OCEP_BUF_STRLEN};
use ouroboros::c_api::str_from_array;
use ouroboros::pb::msg::CepMsg;
use ouroboros::Error;
use prost::Message;
use std::mem::{size_of, MaybeUninit};

/// What one `cep_rcv` reads.
const CEP_BUF_SIZE: usize = 128;
/// The bytes a `conn_info` holds before `fill` (to see what it changes).
const FILLER: u8 = 0xa5;

/// The C string a name becomes: up to an embedded NUL.
fn c_str(s: &str) -> &str {
    s.split('\0').next().unwrap_or("")
}

fn bytes(info: &conn_info) -> &[u8] {
    // SAFETY: conn_info is plain old data (integers and arrays of them)
    // without padding bytes that matter here: we read what we wrote.
    unsafe { std::slice::from_raw_parts((info as *const conn_info).cast(), size_of::<conn_info>()) }
}

fn filled() -> conn_info {
    let mut m = MaybeUninit::<conn_info>::uninit();
    // SAFETY: every bit pattern is a valid conn_info (integers only).
    unsafe {
        std::ptr::write_bytes(m.as_mut_ptr().cast::<u8>(), FILLER, size_of::<conn_info>());
        m.assume_init()
    }
}

fn one(buf: &[u8]) {
    let Ok(msg) = decode(buf) else {
        return;
    };
    let again = CepMsg::decode(&*msg.encode_to_vec()).expect("our encoding decodes");
    assert_eq!(again, msg, "decode(encode(m)) != m");
    let (comp, proto) = (c_str(&msg.comp_name), c_str(&msg.protocol));
    assert!(comp.len() <= OCEP_BUF_STRLEN && proto.len() <= OCEP_BUF_STRLEN);

    let before = filled();
    let mut out = before;
    fill(&mut out, &msg);
    assert_eq!(str_from_array(&out.comp_name).as_deref(), Ok(comp));
    assert_eq!(str_from_array(&out.protocol).as_deref(), Ok(proto));
    assert_eq!(out.pref_version, msg.pref_version as u32);
    assert_eq!(out.pref_syntax, msg.pref_syntax as u32);
    assert_eq!(out.addr, msg.address);
    assert_eq!(out.num_fields, before.num_fields);
    assert_eq!(out.fixed_conc_syntax, before.fixed_conc_syntax);
    // the array bytes behind each terminator are untouched
    let (b, a) = (bytes(&before), bytes(&out));
    let protocol_at = OCEP_BUF_STRLEN + 1;
    assert_eq!(
        a[comp.len() + 1..protocol_at],
        b[comp.len() + 1..protocol_at]
    );
    let tail = protocol_at + proto.len() + 1;
    assert_eq!(a[tail..2 * protocol_at], b[tail..2 * protocol_at]);

    match message(&out) {
        Ok(m) => {
            assert_eq!(m.comp_name, comp);
            assert_eq!(m.protocol, proto);
            assert_eq!(m.pref_version, msg.pref_version);
            assert_eq!(m.pref_syntax, msg.pref_syntax);
            assert_eq!(m.address, msg.address);
            let wire = m.encode_to_vec();
            assert_eq!(decode(&wire).as_ref(), Ok(&m), "what we send is accepted");
        }
        Err(e) => {
            assert_eq!(e, Error::Perm);
            assert!(msg.pref_syntax < 0, "refused a syntax that fits");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    one(data);
    one(&data[..data.len().min(CEP_BUF_SIZE)]);
});

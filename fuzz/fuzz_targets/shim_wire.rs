//! The network shims' parsers: UDP datagrams (`ipcpd::udp::wire`) and
//! Ethernet frames and management messages (`ipcpd::eth::frame`,
//! `ipcpd::eth::mgmt`), what their readers take from any host on the
//! network.
//!
//! Input: a selector byte, then the bytes as received: 0 a UDP datagram,
//! 1 a DIX frame (ethertype 0xA000), 2 an LLC frame, 3 and 4 a DIX and an
//! LLC management message (a frame's payload).
//!
//! Checked: no panic; a datagram shorter than 4 bytes has no endpoint id;
//! whatever decodes encodes to bytes that decode to the same thing; a UDP
//! request whose unused fields (`d_eid`, `response`) are zero, and a reply
//! whose unused fields (the QoS) are zero, encode to exactly the bytes
//! received; a frame re-encodes to its header and the payload its length
//! field names.

#![no_main]

use ipcpd::eth::frame::Framing;
use ipcpd::eth::{mgmt, Kind};
use ipcpd::udp::wire::{decode, eid, encode, Mgmt, MGMT_LEN};
use libfuzzer_sys::fuzz_target;

/// MD5 (UDP layers) and SHA3-256 (the eth default).
const MD5_LEN: usize = 16;
const SHA3_256_LEN: usize = 32;

fn udp(b: &[u8]) {
    assert_eq!(eid(b).is_none(), b.len() < 4);
    let Ok(m) = decode(b, MD5_LEN) else { return };
    let again = encode(&m);
    assert_eq!(decode(&again, MD5_LEN).as_ref(), Ok(&m));
    let unused_zero = match &m {
        Mgmt::Req { .. } => b[8..16].iter().all(|&x| x == 0),
        Mgmt::Reply { .. } => b[16..44].iter().chain(&b[45..MGMT_LEN]).all(|&x| x == 0),
    };
    if unused_zero && b[..4] == [0; 4] {
        assert_eq!(again, b);
    }
}

fn frame(framing: Framing, kind: Kind, b: &[u8]) {
    let Ok(f) = framing.decode(b) else { return };
    let mut out = Vec::new();
    framing.encode(&mut out, &f.dst, &f.src, f.ep, f.payload);
    let g = framing.decode(&out).expect("a frame we encode decodes");
    assert_eq!(g, f);
    if f.ep.is_mgmt() {
        management(kind, f.payload);
    }
}

fn management(kind: Kind, b: &[u8]) {
    let Ok(m) = mgmt::decode(kind, b, SHA3_256_LEN) else { return };
    let again = mgmt::encode(kind, &m);
    assert_eq!(mgmt::decode(kind, &again, SHA3_256_LEN).as_ref(), Ok(&m));
}

fuzz_target!(|input: &[u8]| {
    let Some((&sel, b)) = input.split_first() else { return };
    match sel % 5 {
        0 => udp(b),
        1 => frame(Framing::Dix { ethertype: 0xA000 }, Kind::Dix, b),
        2 => frame(Framing::Llc, Kind::Llc, b),
        3 => management(Kind::Dix, b),
        _ => management(Kind::Llc, b),
    }
});

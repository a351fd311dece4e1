//! The unicast layer's parsers, what its IPCP reads from neighbours: the
//! DT PCI (`unicast::dt_pci`), flow allocator messages (`fa_msg`), LSAs
//! (`lsa`), DHT messages (`dht_msg`) and the DHT node's receive path
//! (`unicast::dht::Dht::recv`).
//!
//! Input: a selector byte, then the SDU as received: 0 a DT PDU (default
//! 4-byte addresses, 8-byte eids), 1 a flow allocator message, 2 an LSA,
//! 3 a DHT message, 4 a DHT message delivered to a node (its sender's
//! address taken from the first 8 bytes of the rest).
//!
//! Checked: no panic; a decoded PCI, FA header, FA message and LSA encode
//! to the bytes they came from; a decoded DHT message encodes to bytes
//! that decode the same; a node's outputs after any input are messages
//! that decode.

#![no_main]

use ipcpd::unicast::dht::{Dht, Output, SplitMix64};
use ipcpd::unicast::dht_msg;
use ipcpd::unicast::dt_pci::Layout;
use ipcpd::unicast::fa_msg::{FaMsg, Header};
use ipcpd::unicast::lsa::Lsa;
use libfuzzer_sys::fuzz_target;
use ouroboros::ipcp::DhtConfig;

/// SHA3-256, the default directory hash.
const HASH_LEN: usize = 32;
const NOW_MS: u64 = 1_700_000_000_000;

fn dt(b: &[u8]) {
    let layout = Layout::new(4, 8).expect("default layout");
    let Ok((pci, payload)) = layout.decode(b) else { return };
    assert_eq!(layout.pdu(&pci, payload), b);
}

fn fa(b: &[u8]) {
    if let Ok((h, rest)) = Header::decode(b) {
        let mut out = Vec::new();
        h.encode(&mut out);
        out.extend_from_slice(rest);
        assert_eq!(out, b);
    }
    if let Ok(m) = FaMsg::decode(b, HASH_LEN) {
        let again = m.encode();
        assert_eq!(FaMsg::decode(&again, HASH_LEN).ok(), Some(m));
    }
}

fn lsa(b: &[u8]) {
    if let Ok(l) = Lsa::decode(b) {
        assert_eq!(&l.encode()[..], b);
    }
}

fn dht(b: &[u8]) {
    let Ok(m) = dht_msg::decode(b) else { return };
    let again = dht_msg::encode(&m);
    assert_eq!(dht_msg::decode(&again).ok(), Some(m));
}

fn node(b: &[u8]) {
    let (from, msg) = b.split_at(b.len().min(8));
    let mut a = [0u8; 8];
    a[..from.len()].copy_from_slice(from);
    let cfg = DhtConfig {
        alpha: 3,
        k: 8,
        t_expire: 86400,
        t_refresh: 900,
        t_replicate: 900,
        peer: 0,
    };
    let rng = Box::new(SplitMix64(7));
    let mut d = Dht::enrolled(0x0a00_0001, HASH_LEN, &cfg, 0x0a00_0002, rng, NOW_MS)
        .expect("a valid node");
    d.recv(NOW_MS + 5, u64::from_be_bytes(a), msg);
    d.tick(NOW_MS + 3_000);
    while let Some(o) = d.poll_output() {
        if let Output::Send { bytes, .. } = o {
            assert!(dht_msg::decode(&bytes).is_ok(), "we send what decodes");
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&sel, b)) = input.split_first() else { return };
    match sel % 5 {
        0 => dt(b),
        1 => fa(b),
        2 => lsa(b),
        3 => dht(b),
        _ => node(b),
    }
});

//! The golden network captures of upstream 0.23.0
//! (`../shared/vectors/net/*.pcap`): little-endian pcap files of Ethernet
//! frames, read whole (the vector tests fail when they are missing).

#![allow(dead_code)] // each test uses what it needs

use std::path::PathBuf;

pub fn vectors() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/net");
    assert!(dir.is_dir(), "golden vectors missing: {}", dir.display());
    dir
}

/// (frame number from 1, frame) of every record of capture `file`.
pub fn frames(file: &str) -> Vec<(usize, Vec<u8>)> {
    let pcap = std::fs::read(vectors().join(file)).expect(file);
    assert_eq!(&pcap[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "little-endian pcap");
    assert_eq!(&pcap[20..24], &[1, 0, 0, 0], "link type Ethernet");
    let mut at = 24;
    let mut out = Vec::new();
    while at + 16 <= pcap.len() {
        let incl = u32::from_le_bytes(pcap[at + 8..at + 12].try_into().unwrap()) as usize;
        out.push((out.len() + 1, pcap[at + 16..at + 16 + incl].to_vec()));
        at += 16 + incl;
    }
    assert_eq!(at, pcap.len(), "truncated pcap");
    out
}

/// The UDP payload of an IPv4/UDP frame (None for anything else).
pub fn udp_payload(f: &[u8]) -> Option<&[u8]> {
    if f.len() < 14 + 20 + 8 || f[12..14] != [0x08, 0x00] || f[23] != 17 {
        return None;
    }
    let ihl = usize::from(f[14] & 0x0f) * 4;
    let u = f.get(14 + ihl..)?;
    let len = usize::from(u16::from_be_bytes([*u.get(4)?, *u.get(5)?]));
    u.get(8..len)
}

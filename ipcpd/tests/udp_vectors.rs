//! The udp4 capture of two upstream 0.23.0 nodes
//! (`../shared/vectors/net/udp4.pcap`): every shim management datagram
//! decodes and re-encodes byte for byte, and every data datagram carries
//! the receiver's fd as endpoint id.

use ipcpd::udp::wire::{self, Mgmt};
use ouroboros::hash::HashAlgo;
use std::path::PathBuf;

fn vectors() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/net");
    assert!(dir.is_dir(), "golden vectors missing: {}", dir.display());
    dir
}

/// (frame number, UDP payload) of every IPv4/UDP frame of a pcap file.
fn udp_payloads(pcap: &[u8]) -> Vec<(usize, Vec<u8>)> {
    assert_eq!(&pcap[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "little-endian pcap");
    let mut at = 24;
    let mut out = Vec::new();
    let mut no = 0;
    while at + 16 <= pcap.len() {
        let incl = u32::from_le_bytes(pcap[at + 8..at + 12].try_into().unwrap()) as usize;
        let frame = &pcap[at + 16..at + 16 + incl];
        at += 16 + incl;
        no += 1;
        // Ethernet, IPv4, UDP
        if frame.len() < 14 + 20 + 8 || frame[12..14] != [0x08, 0x00] || frame[23] != 17 {
            continue;
        }
        let ihl = usize::from(frame[14] & 0x0f) * 4;
        let udp = &frame[14 + ihl..];
        let len = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
        out.push((no, udp[8..len].to_vec()));
    }
    out
}

#[test]
fn udp4_capture_round_trips() {
    let pcap = std::fs::read(vectors().join("udp4.pcap")).expect("udp4.pcap");
    let md5 = HashAlgo::Md5;
    let (mut reqs, mut replies, mut data) = (0, 0, 0);
    for (no, p) in udp_payloads(&pcap) {
        let eid = wire::eid(&p).expect("4-byte endpoint id");
        if eid != wire::MGMT_EID {
            assert!((64..4096).contains(&eid), "frame {no}: data eid {eid}");
            data += 1;
            continue;
        }
        let m = wire::decode(&p, md5.digest_len()).unwrap_or_else(|e| panic!("frame {no}: {e:?}"));
        assert_eq!(wire::encode(&m), p, "frame {no} re-encoded");
        match m {
            Mgmt::Req {
                s_eid, hash, data, ..
            } => {
                assert!((64..4096).contains(&s_eid));
                assert_eq!(data.len(), 36, "frame {no}: OAP request header");
                if no == 3 {
                    assert_eq!(hash, md5.digest(b"uni.net"));
                }
                reqs += 1;
            }
            Mgmt::Reply { response, data, .. } => {
                assert_eq!((response, data.len()), (0, 84), "frame {no}");
                replies += 1;
            }
        }
    }
    println!(
        "udp4 capture: {reqs} requests and {replies} replies re-encoded, {data} data datagrams"
    );
    assert_eq!((reqs, replies), (3, 3));
    assert!(data > 40, "{data} data datagrams");
}

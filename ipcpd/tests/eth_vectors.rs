//! The eth-dix and eth-llc captures of two upstream 0.23.0 nodes
//! (`../shared/vectors/net/eth_{dix,llc}.pcap`): every frame parses, every
//! shim management message decodes and re-encodes byte for byte (header
//! and frame), and every data frame carries a data endpoint and exactly
//! the length its header says.

use ipcpd::eth::frame::{Ep, Framing, BROADCAST};
use ipcpd::eth::mgmt::{self, Msg};
use ipcpd::eth::Kind;
use ouroboros::hash::HashAlgo;

mod pcap;

#[derive(Debug, Default, PartialEq)]
struct Counts {
    query_reqs: usize,
    query_replies: usize,
    flow_reqs: usize,
    flow_replies: usize,
    data: usize,
}

/// Checks every frame of `file`; `data_eps` are the endpoints data may
/// go to (fds for DIX, SAPs for LLC).
fn check(file: &str, kind: Kind, framing: Framing, data_eps: &[u16]) -> Counts {
    let sha3 = HashAlgo::Sha3_256;
    let mut c = Counts::default();
    let mut out = Vec::new();
    for (no, f) in pcap::frames(file) {
        let fr = framing
            .decode(&f)
            .unwrap_or_else(|e| panic!("{file} frame {no}: {e:?}"));
        // veth does not pad: the header's length covers the whole frame
        assert_eq!(
            framing.header_len() + fr.payload.len(),
            f.len(),
            "{file} frame {no}: length field"
        );
        framing.encode(&mut out, &fr.dst, &fr.src, fr.ep, fr.payload);
        assert_eq!(out, f, "{file} frame {no}: frame re-encoded");
        if !fr.ep.is_mgmt() {
            let ep = match fr.ep {
                Ep::Eid(e) => e,
                Ep::Saps { dsap, ssap } => {
                    assert_eq!(dsap, ssap, "{file} frame {no}: same SAP both ends");
                    u16::from(dsap)
                }
            };
            assert!(data_eps.contains(&ep), "{file} frame {no}: endpoint {ep}");
            assert_ne!(fr.dst, BROADCAST);
            c.data += 1;
            continue;
        }
        let m = mgmt::decode(kind, fr.payload, sha3.digest_len())
            .unwrap_or_else(|e| panic!("{file} frame {no}: {e:?}"));
        assert_eq!(
            mgmt::encode(kind, &m),
            fr.payload,
            "{file} frame {no}: message re-encoded"
        );
        match m {
            Msg::QueryReq { hash } => {
                assert_eq!(fr.dst, BROADCAST, "{file} frame {no}: query broadcast");
                if no == 1 {
                    assert_eq!(hash, sha3.digest(b"uni.net"));
                }
                c.query_reqs += 1;
            }
            Msg::QueryReply { hash } => {
                assert_ne!(fr.dst, BROADCAST);
                if no == 2 {
                    assert_eq!(hash, sha3.digest(b"uni.net"));
                }
                c.query_replies += 1;
            }
            Msg::FlowReq {
                s_ep, hash, data, ..
            } => {
                assert!(data_eps.contains(&s_ep), "{file} frame {no}: s_ep {s_ep}");
                assert_eq!(data.len(), 36, "{file} frame {no}: OAP request header");
                if no == 3 {
                    assert_eq!(hash, sha3.digest(b"uni.net"));
                }
                c.flow_reqs += 1;
            }
            Msg::FlowReply {
                s_ep,
                d_ep,
                response,
                data,
            } => {
                assert!(data_eps.contains(&s_ep) && data_eps.contains(&d_ep));
                assert_eq!((response, data.len()), (0, 84), "{file} frame {no}");
                c.flow_replies += 1;
            }
        }
    }
    println!("{file}: {c:?}");
    c
}

#[test]
fn eth_dix_capture_round_trips() {
    let c = check(
        "eth_dix.pcap",
        Kind::Dix,
        Framing::Dix { ethertype: 0xa000 },
        &[64, 65, 66],
    );
    let want = Counts {
        query_reqs: 2,
        query_replies: 2,
        flow_reqs: 3,
        flow_replies: 3,
        data: 48,
    };
    assert_eq!(c, want);
}

#[test]
fn eth_llc_capture_round_trips() {
    let c = check("eth_llc.pcap", Kind::Llc, Framing::Llc, &[2, 3]);
    let want = Counts {
        query_reqs: 2,
        query_replies: 2,
        flow_reqs: 3,
        flow_replies: 3,
        data: 46,
    };
    assert_eq!(c, want);
}

/// The worked example of the spec: the DIX FLOW_REQ header bytes.
#[test]
fn dix_flow_request_bytes() {
    let (_, f) = &pcap::frames("eth_dix.pcap")[2];
    let want = "0000006b0040000000000001000000000000000000000001ffffffffffffffff0001d4c0\
                00000000000000";
    assert_eq!(ouroboros::hash::hex(&f[14..14 + 4 + 39]), want);
}

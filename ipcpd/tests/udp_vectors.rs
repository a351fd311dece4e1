//! The udp4 capture of two upstream 0.23.0 nodes
//! (`../shared/vectors/net/udp4.pcap`): every shim management datagram
//! decodes and re-encodes byte for byte, and every data datagram carries
//! the receiver's fd as endpoint id.

use ipcpd::udp::wire::{self, Mgmt};
use ouroboros::hash::HashAlgo;

mod pcap;

#[test]
fn udp4_capture_round_trips() {
    let md5 = HashAlgo::Md5;
    let (mut reqs, mut replies, mut data) = (0, 0, 0);
    let payloads = pcap::frames("udp4.pcap")
        .into_iter()
        .filter_map(|(no, f)| Some((no, pcap::udp_payload(&f)?.to_vec())));
    for (no, p) in payloads {
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

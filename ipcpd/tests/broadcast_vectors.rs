//! The CACEP and enrollment messages two upstream 0.23.0 nodes exchanged
//! (`../shared/vectors/net/broadcast.pcap`, a broadcast layer over udp4,
//! and frames 5-9 of `udp4.pcap`, a unicast layer's enrollment): each
//! decodes and re-encodes byte for byte with our encoders, and the data
//! SDUs travel with no header of the broadcast layer's own.

use ipcpd::broadcast::dt_info;
use ipcpd::common::cep::ConnInfo;
use ipcpd::common::enroll::{check_resp, conn_info};
use ipcpd::common::oep::{EnrollAck, EnrollReq, EnrollResp};
use ouroboros::ipcp::IpcpType;

mod pcap;

/// (frame number, UDP payload) of every IPv4/UDP frame of capture `file`.
fn udp_payloads(file: &str) -> Vec<(usize, Vec<u8>)> {
    pcap::frames(file)
        .into_iter()
        .filter_map(|(no, f)| Some((no, pcap::udp_payload(&f)?.to_vec())))
        .collect()
}

/// The SDU of udp frame `no` (after the 4-byte endpoint id).
fn sdu(frames: &[(usize, Vec<u8>)], no: usize) -> Vec<u8> {
    let (_, p) = frames
        .iter()
        .find(|(n, _)| *n == no)
        .unwrap_or_else(|| panic!("no udp frame {no}"));
    assert_ne!(&p[..4], &[0, 0, 0, 0], "frame {no} is shim management");
    p[4..].to_vec()
}

fn cep_round_trip(frames: &[(usize, Vec<u8>)], no: usize) -> ConnInfo {
    let b = sdu(frames, no);
    let info = ConnInfo::decode(&b).unwrap_or_else(|e| panic!("frame {no}: {e:?}"));
    assert_eq!(info.encode(), b, "frame {no} re-encoded");
    info
}

/// Frames 7-9: request, response, ack of one enrollment; returns the
/// decoded response.
fn enrollment_round_trip(frames: &[(usize, Vec<u8>)], ty: IpcpType) -> EnrollResp {
    let b = sdu(frames, 7);
    assert_eq!(b.len(), 10);
    let req = EnrollReq::decode(&b).expect("enroll_req");
    assert_eq!(req.encode(), b, "enroll_req re-encoded");

    let b = sdu(frames, 8);
    let resp = EnrollResp::decode(&b).expect("enroll_resp");
    assert_eq!(resp.encode(), b, "enroll_resp re-encoded");
    assert_eq!((resp.id.as_slice(), resp.response), (&req.id[..], 0));
    let conf = check_resp(&resp, &req.id, ty as u32).expect("a response we accept");
    assert_eq!(conf.layer.dir_hash_algo, 1, "SHA3-256");

    let b = sdu(frames, 9);
    assert_eq!(b.len(), 12);
    let ack = EnrollAck::decode(&b).expect("enroll_ack");
    assert_eq!(ack.encode(), b, "enroll_ack re-encoded");
    assert_eq!((ack.id.as_slice(), ack.result), (&req.id[..], 0));
    resp
}

#[test]
fn broadcast_capture_round_trips() {
    let frames = udp_payloads("broadcast.pcap");
    let mut ceps = 0;
    for no in [5, 6] {
        assert_eq!(cep_round_trip(&frames, no), conn_info(), "frame {no}");
        ceps += 1;
    }
    for no in [12, 13] {
        assert_eq!(cep_round_trip(&frames, no), dt_info(), "frame {no}");
        ceps += 1;
    }
    // ours are the same bytes
    assert_eq!(conn_info().encode(), sdu(&frames, 5));
    assert_eq!(dt_info().encode(), sdu(&frames, 12));

    let resp = enrollment_round_trip(&frames, IpcpType::Broadcast);
    let conf = resp.conf.expect("conf");
    assert_eq!(conf.layer_info.name, "bc.net");
    assert_eq!(conf.ipcp_type, IpcpType::Broadcast as u32);
    assert!(conf.unicast.is_none() && conf.udp4.is_none() && conf.eth.is_none());
    assert_eq!(sdu(&frames, 8).len(), 40);

    // data: the obc messages, as sent
    assert_eq!(sdu(&frames, 14), b"hello.from.B\0");
    assert_eq!(sdu(&frames, 15), b"second.message\0");
    println!("broadcast capture: {ceps} cep_msg and 3 enrollment messages re-encoded");
    assert_eq!(ceps, 4);
}

#[test]
fn unicast_enrollment_in_udp4_capture_round_trips() {
    let frames = udp_payloads("udp4.pcap");
    for no in [5, 6] {
        assert_eq!(cep_round_trip(&frames, no), conn_info(), "frame {no}");
    }
    let resp = enrollment_round_trip(&frames, IpcpType::Unicast);
    let conf = resp.conf.expect("conf");
    let uni = conf.unicast.expect("unicast configuration");
    assert_eq!(uni.dt.addr_size, 4);
    assert!(uni.dir.dht.is_some());
    assert!(uni.dt.routing.ls.is_some());
    assert_eq!(sdu(&frames, 8).len(), 94);
}

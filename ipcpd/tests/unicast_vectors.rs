//! The unicast layer inside the upstream 0.23.0 captures
//! (`../shared/vectors/net/{udp4,eth_dix,eth_llc}.pcap`): every SDU of
//! the unicast IPCPs' N-1 flows decodes and re-encodes byte for byte.
//!
//! Each N-1 flow starts with a CEP message naming its component; after
//! that, Management flows carry LSAs and Data Transfer flows DT PDUs,
//! whose eid selects the flow allocator (0), the DHT (1) or N+1 data.
//! Shim flow allocations mark the endpoints whose next SDU is a CEP again
//! (the enrollment flow's fd is reused by the Management flow).

use ipcpd::eth::frame::{Ep, Framing};
use ipcpd::eth::{mgmt, Kind};
use ipcpd::udp::wire;
use ipcpd::unicast::dht_msg::{self, Code};
use ipcpd::unicast::dt_pci::{DtPci, Layout};
use ipcpd::unicast::fa_msg::{FaMsg, Header};
use ipcpd::unicast::lsa::Lsa;
use ipcpd::unicast::{eid, fa_msg};
use ouroboros::hash::HashAlgo;
use ouroboros::pb::msg::CepMsg;
use prost::Message;
use std::collections::HashMap;

mod pcap;

const HASH: HashAlgo = HashAlgo::Sha3_256;

/// A node by its shim address (IPv4 or MAC bytes).
type Node = Vec<u8>;

/// What one frame is to the unicast layer.
enum Shim<'a> {
    /// Not unicast traffic (ARP, name queries).
    Other,
    /// A shim flow allocation: these (node, endpoint) pairs start anew.
    Alloc(Vec<(Node, u16)>),
    /// An SDU of an N-1 flow, to endpoint `ep` of node `dst`.
    Sdu {
        src: Node,
        dst: Node,
        ep: u16,
        sdu: &'a [u8],
    },
}

fn udp(f: &[u8]) -> Shim<'_> {
    let Some(p) = pcap::udp_payload(f) else {
        return Shim::Other;
    };
    let (src, dst) = (f[26..30].to_vec(), f[30..34].to_vec());
    let ep = wire::eid(p).expect("4-byte endpoint id");
    if ep != wire::MGMT_EID {
        let ep = u16::try_from(ep).expect("fd");
        return Shim::Sdu {
            src,
            dst,
            ep,
            sdu: &p[4..],
        };
    }
    let fd = |e: u32| u16::try_from(e).expect("fd");
    match wire::decode(p, HashAlgo::Md5.digest_len()).expect("udp management") {
        wire::Mgmt::Req { s_eid, .. } => Shim::Alloc(vec![(src, fd(s_eid))]),
        wire::Mgmt::Reply { s_eid, d_eid, .. } => {
            Shim::Alloc(vec![(dst, fd(s_eid)), (src, fd(d_eid))])
        }
    }
}

fn eth(kind: Kind, framing: Framing, f: &[u8]) -> Shim<'_> {
    let fr = framing.decode(f).expect("frame");
    let (src, dst) = (fr.src.to_vec(), fr.dst.to_vec());
    if !fr.ep.is_mgmt() {
        let ep = match fr.ep {
            Ep::Eid(e) => e,
            Ep::Saps { dsap, .. } => u16::from(dsap),
        };
        return Shim::Sdu {
            src,
            dst,
            ep,
            sdu: fr.payload,
        };
    }
    match mgmt::decode(kind, fr.payload, HASH.digest_len()).expect("eth management") {
        mgmt::Msg::FlowReq { s_ep, .. } => Shim::Alloc(vec![(src, s_ep)]),
        mgmt::Msg::FlowReply { s_ep, d_ep, .. } => Shim::Alloc(vec![(src, s_ep), (dst, d_ep)]),
        _ => Shim::Other,
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    cep: usize,
    enrollment: usize,
    lsa: usize,
    fa_req: usize,
    fa_reply: usize,
    fa_update: usize,
    /// By DHT code 0..=4.
    dht: [usize; 5],
    /// N+1 SDUs (with or without FRCT), and bare DT headers.
    data: usize,
    np1_keepalive: usize,
    /// Zero-length SDUs on the N-1 flows themselves.
    n1_keepalive: usize,
}

/// A decoded unicast PDU worth spot-checking, by frame number.
#[derive(Debug)]
enum Seen {
    Lsa(Lsa),
    Fa(DtPci, Header, usize),
    Dht(DtPci, dht_msg::DhtMsg),
    Data(DtPci, usize),
}

struct Run {
    counts: Counts,
    seen: HashMap<usize, Seen>,
    /// Unicast address of each node, from its CEP messages.
    addr: HashMap<Node, u64>,
}

/// Walks one capture; `shim` turns a frame into what it carries.
fn walk(file: &str, shim: impl Fn(&[u8]) -> Shim<'_>) -> Run {
    let l = Layout::default();
    let mut comp: HashMap<(Node, u16), String> = HashMap::new();
    let mut run = Run {
        counts: Counts::default(),
        seen: HashMap::new(),
        addr: HashMap::new(),
    };
    let c = &mut run.counts;
    for (no, f) in pcap::frames(file) {
        let (src, dst, ep, sdu) = match shim(&f) {
            Shim::Other => continue,
            Shim::Alloc(eps) => {
                for k in eps {
                    comp.remove(&k);
                }
                continue;
            }
            Shim::Sdu { src, dst, ep, sdu } => (src, dst, ep, sdu),
        };
        let at = format!("{file} frame {no}");
        let key = (dst.clone(), ep);
        let Some(name) = comp.get(&key) else {
            ouroboros::pb::check_required("cep_msg", sdu).expect(&at);
            let cep = CepMsg::decode(sdu).expect(&at);
            assert_eq!(cep.encode_to_vec(), sdu, "{at}: CEP re-encoded");
            if cep.address != 0 {
                let old = run.addr.insert(src.clone(), cep.address);
                assert!(old.is_none_or(|a| a == cep.address), "{at}");
            }
            comp.insert(key, cep.comp_name);
            c.cep += 1;
            continue;
        };
        if sdu.is_empty() {
            c.n1_keepalive += 1;
            continue;
        }
        match name.as_str() {
            "Enrollment" => c.enrollment += 1,
            "Management" => {
                let lsa = Lsa::decode(sdu).expect(&at);
                assert_eq!(lsa.encode(), sdu, "{at}: LSA re-encoded");
                assert_eq!(Some(&lsa.s_addr), run.addr.get(&src), "{at}: originator");
                assert_eq!(Some(&lsa.d_addr), run.addr.get(&dst), "{at}: adjacency");
                run.seen.insert(no, Seen::Lsa(lsa));
                c.lsa += 1;
            }
            "Data Transfer" => {
                let (pci, payload) = l.decode(sdu).expect(&at);
                assert_eq!(l.pdu(&pci, payload), sdu, "{at}: DT PDU re-encoded");
                // two nodes, no forwarding; C senders always use cube 0
                assert_eq!((pci.qc, pci.ttl, pci.ecn), (0, 60, 0), "{at}");
                assert_eq!(Some(&pci.dst), run.addr.get(&dst), "{at}: destination");
                match pci.eid {
                    eid::FA => {
                        let m = FaMsg::decode(payload, HASH.digest_len()).expect(&at);
                        assert_eq!(m.encode(), payload, "{at}: FA message re-encoded");
                        let (h, trailer) = Header::decode(payload).expect(&at);
                        match m {
                            FaMsg::Req { s_addr, .. } => {
                                assert_eq!(Some(&s_addr), run.addr.get(&src), "{at}");
                                c.fa_req += 1;
                            }
                            FaMsg::Reply { .. } => c.fa_reply += 1,
                            FaMsg::Update { .. } => c.fa_update += 1,
                        }
                        run.seen.insert(no, Seen::Fa(pci, h, trailer.len()));
                    }
                    eid::DHT => {
                        let m = dht_msg::decode(payload).expect(&at);
                        assert_eq!(dht_msg::encode(&m), payload, "{at}: DHT re-encoded");
                        let v = dht_msg::validate(&m, HASH.digest_len()).expect(&at);
                        assert_eq!(v, dht_msg::Valid::Known(Code::from_u32(m.code).unwrap()));
                        assert_eq!(Some(&m.src.addr), run.addr.get(&src), "{at}: DHT src");
                        c.dht[m.code as usize] += 1;
                        run.seen.insert(no, Seen::Dht(pci, m));
                    }
                    e => {
                        assert!(eid::is_flow(e), "{at}: eid {e:#x}");
                        assert!(eid::eid_fd(e).is_some_and(|fd| fd >= 64), "{at}");
                        if payload.is_empty() {
                            c.np1_keepalive += 1;
                        } else {
                            c.data += 1;
                        }
                        run.seen.insert(no, Seen::Data(pci, payload.len()));
                    }
                }
            }
            other => panic!("{at}: component {other:?}"),
        }
    }
    println!("{file}: {:?}", run.counts);
    run
}

fn hash(name: &str) -> Vec<u8> {
    HASH.digest(name.as_bytes())
}

/// The flow allocation and data PDUs shared by all three captures
/// (frame numbers differ); `req`/`reply`/`data` are frame numbers.
fn check_allocation(run: &Run, req: usize, reply: usize, data: usize) {
    let Some(Seen::Fa(pci, h, trailer)) = run.seen.get(&req) else {
        panic!("frame {req}: {:?}", run.seen.get(&req));
    };
    // §9.1: a request is 15 + 61 + hash + 36-byte OAP header
    assert_eq!((pci.eid, h.code, *trailer), (0, fa_msg::FLOW_REQ, 32 + 36));
    assert_eq!((h.r_eid, h.response, h.ece), (0, 0, 0));
    assert_eq!(h.qos(), ouroboros::qos::QosSpec::RAW);
    let req_eid = h.s_eid;
    let Some(Seen::Fa(_, r, trailer)) = run.seen.get(&reply) else {
        panic!("frame {reply}");
    };
    assert_eq!(
        (r.code, r.s_addr, r.response, *trailer),
        (fa_msg::FLOW_REPLY, 0, 0, 84)
    );
    assert_eq!(r.r_eid, req_eid, "the reply names the requester's eid");
    let Some(Seen::Data(d, len)) = run.seen.get(&data) else {
        panic!("frame {data}");
    };
    // the requester sends its first ping to the responder's eid
    assert_eq!((d.eid, *len), (r.s_eid, 64));
}

#[test]
fn udp4_capture() {
    let run = walk("udp4.pcap", udp);
    let want = Counts {
        cep: 6,
        enrollment: 3,
        lsa: 8,
        fa_req: 2,
        fa_reply: 2,
        fa_update: 0,
        dht: [1, 2, 2, 0, 0],
        data: 27,
        np1_keepalive: 0,
        n1_keepalive: 2,
    };
    assert_eq!(run.counts, want);
    // node B (10.99.0.2) is 53d744da, node A e8d3d021
    assert_eq!(run.addr[&vec![10, 99, 0, 2]], 0x53d7_44da);
    assert_eq!(run.addr[&vec![10, 99, 0, 1]], 0xe8d3_d021);
    for (no, seqno) in [(18, 0), (19, 0), (56, 1), (59, 2), (63, 3)] {
        let Some(Seen::Lsa(l)) = run.seen.get(&no) else {
            panic!("frame {no}")
        };
        assert_eq!(l.seqno, seqno, "frame {no}");
    }
    check_allocation(&run, 25, 26, 27);
    // §9.1's layout on the wire: the UDP payload of B's first ping is the
    // receiver's fd 65 (BE), then the header with A's address and eid (LE)
    let (_, f) = &pcap::frames("udp4.pcap")[26];
    let p = &f[14 + 20 + 8..];
    let mut head = vec![0, 0, 0, 0x41, 0x21, 0xd0, 0xd3, 0xe8, 0x00, 0x3c, 0x00];
    head.extend_from_slice(&0x5481_0634_0000_0042u64.to_le_bytes());
    assert_eq!(p[..head.len()], head);
    assert_eq!(p.len(), 4 + 15 + 64);
    let Some(Seen::Fa(_, h, _)) = run.seen.get(&25) else {
        panic!()
    };
    assert_eq!((h.s_addr, h.s_eid), (0x53d7_44da, 0x32ab_f291_0000_0042));
    // the second flow (qos `data`) got fd 67 at A
    let Some(Seen::Fa(_, h, _)) = run.seen.get(&38) else {
        panic!()
    };
    assert_eq!(h.s_eid, 0xfe17_8bff_0000_0043);
    // A's STORE of oping.a: key = its hash, value = A's address, 8 B BE
    let Some(Seen::Dht(_, m)) = run.seen.get(&24) else {
        panic!()
    };
    let s = m.store.as_ref().expect("store body");
    assert_eq!(
        (s.key.clone(), s.val.as_slice()),
        (hash("oping.a"), &[0, 0, 0, 0, 0xe8, 0xd3, 0xd0, 0x21][..])
    );
    assert_eq!(dht_msg::value_addr(&s.val), Some(0xe8d3_d021));
    // the FIND_NODE_REQ looks up the sender's own id
    let Some(Seen::Dht(pci, m)) = run.seen.get(&20) else {
        panic!()
    };
    assert_eq!(pci.eid, eid::DHT);
    assert_eq!(m.find.as_ref().map(|f| &f.key), Some(&m.src.id));
}

#[test]
fn eth_dix_capture() {
    let framing = Framing::Dix { ethertype: 0xa000 };
    let run = walk("eth_dix.pcap", |f| eth(Kind::Dix, framing, f));
    let want = Counts {
        cep: 6,
        enrollment: 3,
        lsa: 2,
        fa_req: 2,
        fa_reply: 2,
        fa_update: 0,
        dht: [1, 2, 2, 0, 0],
        data: 28,
        np1_keepalive: 0,
        n1_keepalive: 0,
    };
    assert_eq!(run.counts, want);
    check_allocation(&run, 27, 28, 29);
}

#[test]
fn eth_llc_capture() {
    let run = walk("eth_llc.pcap", |f| eth(Kind::Llc, Framing::Llc, f));
    let want = Counts {
        cep: 6,
        enrollment: 3,
        lsa: 2,
        fa_req: 2,
        fa_reply: 2,
        fa_update: 0,
        dht: [0, 2, 2, 1, 1],
        data: 25,
        np1_keepalive: 0,
        n1_keepalive: 0,
    };
    assert_eq!(run.counts, want);
    check_allocation(&run, 28, 29, 30);
    // B's lookup of oping.a and A's answer: A's own address as the value
    let Some(Seen::Dht(_, q)) = run.seen.get(&26) else {
        panic!()
    };
    let f = q.find.as_ref().expect("find body");
    assert_eq!(f.key, hash("oping.a"));
    let Some(Seen::Dht(_, r)) = run.seen.get(&27) else {
        panic!()
    };
    let node = r.node.as_ref().expect("node body");
    assert_eq!((node.cookie, &node.key), (f.cookie, &f.key), "echoed");
    let vals = &r.val.as_ref().expect("val body").values;
    assert_eq!(vals.len(), 1);
    assert_eq!(dht_msg::value_addr(&vals[0]), Some(r.src.addr));
}

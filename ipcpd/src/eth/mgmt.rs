//! Management messages of the Ethernet shims (the payload of frames to
//! the management endpoint): a fixed header, then the name hash (flow
//! requests and name queries) and the IRMd's allocation data (flow
//! requests and replies). All integers big-endian. DIX and LLC order the
//! header differently:
//!
//! ```text
//! DIX (39 B): seid 2 | deid 2 | loss 4 | bandwidth 8 | ber 4 | max_gap 4
//!             | delay 4 | timeout 4 | response 4 | in_order 1 | code 1
//!             | availability 1
//! LLC (37 B): ssap 1 | dsap 1 | code 1 | availability 1 | loss 4
//!             | bandwidth 8 | ber 4 | max_gap 4 | delay 4 | timeout 4
//!             | response 4 | in_order 1
//! ```
//!
//! The SAPs in an LLC header are plain numbers (not bit-reversed).

use super::Kind;
use ouroboros::qos::QosSpec;

pub const FLOW_REQ: u8 = 0;
pub const FLOW_REPLY: u8 = 1;
pub const NAME_QUERY_REQ: u8 = 2;
pub const NAME_QUERY_REPLY: u8 = 3;

/// Header lengths.
pub const DIX_LEN: usize = 39;
pub const LLC_LEN: usize = 37;

/// A management message. Endpoints are fds (DIX) or SAPs (LLC, the low
/// byte only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// `s_ep`: the requester's fd or SAP.
    FlowReq {
        s_ep: u16,
        qos: QosSpec,
        hash: Vec<u8>,
        data: Vec<u8>,
    },
    /// `s_ep`: the responder's fd or SAP, `d_ep`: the requester's.
    FlowReply {
        s_ep: u16,
        d_ep: u16,
        response: i32,
        data: Vec<u8>,
    },
    QueryReq {
        hash: Vec<u8>,
    },
    QueryReply {
        hash: Vec<u8>,
    },
}

/// Why a management message was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Bad {
    /// Shorter than its header, or than header and hash.
    Runt,
    UnknownCode(u8),
}

pub fn header_len(kind: Kind) -> usize {
    match kind {
        Kind::Dix => DIX_LEN,
        Kind::Llc => LLC_LEN,
    }
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Offsets of the code and availability bytes.
fn code_at(kind: Kind) -> (usize, usize) {
    match kind {
        Kind::Dix => (37, 38),
        Kind::Llc => (2, 3),
    }
}

/// The message code of a payload long enough for the header.
pub fn code(kind: Kind, b: &[u8]) -> Option<u8> {
    (b.len() >= header_len(kind)).then(|| b[code_at(kind).0])
}

/// Decodes a management payload for a layer with `hash_len`-byte hashes.
/// Bytes after the hash of a name query are ignored.
pub fn decode(kind: Kind, b: &[u8], hash_len: usize) -> Result<Msg, Bad> {
    let hl = header_len(kind);
    let Some(code) = code(kind, b) else {
        return Err(Bad::Runt);
    };
    let (s_ep, d_ep) = match kind {
        Kind::Dix => (be16(b, 0), be16(b, 2)),
        Kind::Llc => (u16::from(b[0]), u16::from(b[1])),
    };
    let hash = || {
        b.get(hl..hl + hash_len)
            .map(<[u8]>::to_vec)
            .ok_or(Bad::Runt)
    };
    match code {
        FLOW_REQ => {
            let mut bw = [0u8; 8];
            bw.copy_from_slice(&b[8..16]);
            let qos = QosSpec {
                loss: be32(b, 4),
                bandwidth: u64::from_be_bytes(bw),
                ber: be32(b, 16),
                max_gap: be32(b, 20),
                delay: be32(b, 24),
                timeout: be32(b, 28),
                in_order: b[36],
                availability: b[code_at(kind).1],
            };
            let hash = hash()?;
            Ok(Msg::FlowReq {
                s_ep,
                qos,
                hash,
                data: b[hl + hash_len..].to_vec(),
            })
        }
        FLOW_REPLY => Ok(Msg::FlowReply {
            s_ep,
            d_ep,
            response: be32(b, 32) as i32,
            data: b[hl..].to_vec(),
        }),
        NAME_QUERY_REQ => Ok(Msg::QueryReq { hash: hash()? }),
        NAME_QUERY_REPLY => Ok(Msg::QueryReply { hash: hash()? }),
        c => Err(Bad::UnknownCode(c)),
    }
}

fn put_eps(kind: Kind, b: &mut [u8], s_ep: u16, d_ep: u16) {
    match kind {
        Kind::Dix => {
            b[0..2].copy_from_slice(&s_ep.to_be_bytes());
            b[2..4].copy_from_slice(&d_ep.to_be_bytes());
        }
        Kind::Llc => {
            b[0] = s_ep as u8;
            b[1] = d_ep as u8;
        }
    }
}

/// Encodes a management payload (what follows the frame header).
pub fn encode(kind: Kind, m: &Msg) -> Vec<u8> {
    let mut b = vec![0u8; header_len(kind)];
    let (code_at, avail_at) = code_at(kind);
    let code = match m {
        Msg::FlowReq {
            s_ep,
            qos,
            hash,
            data,
        } => {
            put_eps(kind, &mut b, *s_ep, 0);
            b[4..8].copy_from_slice(&qos.loss.to_be_bytes());
            b[8..16].copy_from_slice(&qos.bandwidth.to_be_bytes());
            b[16..20].copy_from_slice(&qos.ber.to_be_bytes());
            b[20..24].copy_from_slice(&qos.max_gap.to_be_bytes());
            b[24..28].copy_from_slice(&qos.delay.to_be_bytes());
            b[28..32].copy_from_slice(&qos.timeout.to_be_bytes());
            b[36] = qos.in_order;
            b[avail_at] = qos.availability;
            b.extend_from_slice(hash);
            b.extend_from_slice(data);
            FLOW_REQ
        }
        Msg::FlowReply {
            s_ep,
            d_ep,
            response,
            data,
        } => {
            put_eps(kind, &mut b, *s_ep, *d_ep);
            b[32..36].copy_from_slice(&response.to_be_bytes());
            b.extend_from_slice(data);
            FLOW_REPLY
        }
        Msg::QueryReq { hash } => {
            b.extend_from_slice(hash);
            NAME_QUERY_REQ
        }
        Msg::QueryReply { hash } => {
            b.extend_from_slice(hash);
            NAME_QUERY_REPLY
        }
    };
    b[code_at] = code;
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use ouroboros::hash::hex;

    fn req() -> Msg {
        Msg::FlowReq {
            s_ep: 64,
            qos: QosSpec {
                delay: 0x0102_0304,
                bandwidth: 0x1112_1314_1516_1718,
                availability: 0x21,
                loss: 0x3132_3334,
                ber: 0x4142_4344,
                in_order: 0x51,
                max_gap: 0x6162_6364,
                timeout: 0x7172_7374,
            },
            hash: vec![0xaa; 32],
            data: vec![0xbb; 36],
        }
    }

    #[test]
    fn dix_layout() {
        let b = encode(Kind::Dix, &req());
        assert_eq!(b.len(), 39 + 32 + 36);
        assert_eq!(
            hex(&b[..39]),
            "0040000031323334111213141516171841424344616263640102030471727374000000005100\
             21"
        );
        assert_eq!(decode(Kind::Dix, &b, 32), Ok(req()));
    }

    #[test]
    fn llc_layout() {
        let mut m = req();
        if let Msg::FlowReq { s_ep, .. } = &mut m {
            *s_ep = 2;
        }
        let b = encode(Kind::Llc, &m);
        assert_eq!(b.len(), 37 + 32 + 36);
        assert_eq!(
            hex(&b[..37]),
            "0200002131323334111213141516171841424344616263640102030471727374000000005\
             1"
        );
        assert_eq!(decode(Kind::Llc, &b, 32), Ok(m));
    }

    #[test]
    fn replies_and_queries_round_trip() {
        for kind in [Kind::Dix, Kind::Llc] {
            let rep = Msg::FlowReply {
                s_ep: 3,
                d_ep: 2,
                response: -13,
                data: vec![9; 84],
            };
            let b = encode(kind, &rep);
            assert_eq!(b.len(), header_len(kind) + 84);
            assert_eq!(&b[32..36], &(-13i32).to_be_bytes());
            assert_eq!(decode(kind, &b, 28), Ok(rep));
            for q in [
                Msg::QueryReq { hash: vec![5; 28] },
                Msg::QueryReply { hash: vec![6; 28] },
            ] {
                let b = encode(kind, &q);
                assert_eq!(b.len(), header_len(kind) + 28);
                assert_eq!(decode(kind, &b, 28), Ok(q));
            }
        }
        let b = encode(Kind::Dix, &Msg::QueryReq { hash: vec![] });
        assert_eq!(hex(&b), format!("{}02{}", "00".repeat(37), "00"));
        let b = encode(Kind::Llc, &Msg::QueryReply { hash: vec![] });
        assert_eq!(hex(&b), format!("000003{}", "00".repeat(34)));
    }

    #[test]
    fn short_and_unknown_messages_are_refused() {
        for kind in [Kind::Dix, Kind::Llc] {
            let hl = header_len(kind);
            assert_eq!(decode(kind, &vec![0; hl - 1], 32), Err(Bad::Runt));
            // a request or query cut inside its hash
            let b = encode(kind, &req());
            assert_eq!(decode(kind, &b[..hl + 31], 32), Err(Bad::Runt));
            let q = encode(kind, &Msg::QueryReq { hash: vec![1; 32] });
            assert_eq!(decode(kind, &q[..hl + 5], 32), Err(Bad::Runt));
            let mut u = q.clone();
            u[code_at(kind).0] = 4;
            assert_eq!(decode(kind, &u, 32), Err(Bad::UnknownCode(4)));
            // a bare reply header is a reply without data
            let r = encode(
                kind,
                &Msg::FlowReply {
                    s_ep: 1,
                    d_ep: 1,
                    response: 0,
                    data: vec![],
                },
            );
            assert_eq!(r.len(), hl);
            assert!(matches!(decode(kind, &r, 32), Ok(Msg::FlowReply { .. })));
        }
    }
}

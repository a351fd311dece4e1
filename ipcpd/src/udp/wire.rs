//! The UDP shim's datagrams: a 4-byte big-endian endpoint id, then either
//! an SDU (id != 0) or a management message (id 0): 47 bytes of header,
//! the name hash (requests only) and the IRMd's allocation data.

use ouroboros::qos::QosSpec;

/// The endpoint id of management messages.
pub const MGMT_EID: u32 = 0;
/// Length of the management header (the packed C struct).
pub const MGMT_LEN: usize = 47;
pub const FLOW_REQ: u8 = 1;
pub const FLOW_REPLY: u8 = 2;
/// C receivers copy a management datagram into a 2048-byte buffer
/// unchecked: we never send a longer one.
pub const MGMT_SEND_MAX: usize = 2048;

/// A management message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mgmt {
    /// `s_eid`: the requester's fd; `hash`: the destination's name hash.
    Req {
        s_eid: u32,
        qos: QosSpec,
        hash: Vec<u8>,
        data: Vec<u8>,
    },
    /// `s_eid` echoes the requester's fd, `d_eid` is the responder's.
    Reply {
        s_eid: u32,
        d_eid: u32,
        response: i32,
        data: Vec<u8>,
    },
}

/// Why a management datagram was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Bad {
    Runt,
    UnknownCode(u8),
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Decodes a management datagram (including its leading id) for a layer
/// whose hashes are `hash_len` bytes long.
pub fn decode(b: &[u8], hash_len: usize) -> Result<Mgmt, Bad> {
    if b.len() < MGMT_LEN {
        return Err(Bad::Runt);
    }
    match b[44] {
        FLOW_REQ => {
            // upstream does not check this length (it reads past the end)
            if b.len() < MGMT_LEN + hash_len {
                return Err(Bad::Runt);
            }
            let mut bw = [0u8; 8];
            bw.copy_from_slice(&b[16..24]);
            let qos = QosSpec {
                bandwidth: u64::from_be_bytes(bw),
                delay: be32(b, 24),
                loss: be32(b, 28),
                ber: be32(b, 32),
                max_gap: be32(b, 36),
                timeout: be32(b, 40),
                availability: b[45],
                in_order: b[46],
            };
            Ok(Mgmt::Req {
                s_eid: be32(b, 4),
                qos,
                hash: b[MGMT_LEN..MGMT_LEN + hash_len].to_vec(),
                data: b[MGMT_LEN + hash_len..].to_vec(),
            })
        }
        FLOW_REPLY => Ok(Mgmt::Reply {
            s_eid: be32(b, 4),
            d_eid: be32(b, 8),
            response: be32(b, 12) as i32,
            data: b[MGMT_LEN..].to_vec(),
        }),
        c => Err(Bad::UnknownCode(c)),
    }
}

/// Encodes a management message as a whole datagram.
pub fn encode(m: &Mgmt) -> Vec<u8> {
    let mut b = vec![0u8; MGMT_LEN];
    b[0..4].copy_from_slice(&MGMT_EID.to_be_bytes());
    match m {
        Mgmt::Req {
            s_eid,
            qos,
            hash,
            data,
        } => {
            b[4..8].copy_from_slice(&s_eid.to_be_bytes());
            b[16..24].copy_from_slice(&qos.bandwidth.to_be_bytes());
            b[24..28].copy_from_slice(&qos.delay.to_be_bytes());
            b[28..32].copy_from_slice(&qos.loss.to_be_bytes());
            b[32..36].copy_from_slice(&qos.ber.to_be_bytes());
            b[36..40].copy_from_slice(&qos.max_gap.to_be_bytes());
            b[40..44].copy_from_slice(&qos.timeout.to_be_bytes());
            b[44] = FLOW_REQ;
            b[45] = qos.availability;
            b[46] = qos.in_order;
            b.extend_from_slice(hash);
            b.extend_from_slice(data);
        }
        Mgmt::Reply {
            s_eid,
            d_eid,
            response,
            data,
        } => {
            b[4..8].copy_from_slice(&s_eid.to_be_bytes());
            b[8..12].copy_from_slice(&d_eid.to_be_bytes());
            b[12..16].copy_from_slice(&response.to_be_bytes());
            b[44] = FLOW_REPLY;
            b.extend_from_slice(data);
        }
    }
    b
}

/// The endpoint id at the start of a datagram (None: shorter than 4).
pub fn eid(b: &[u8]) -> Option<u32> {
    (b.len() >= 4).then(|| be32(b, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_reply_round_trip() {
        let req = Mgmt::Req {
            s_eid: 64,
            qos: QosSpec::RAW,
            hash: vec![7; 16],
            data: vec![1; 36],
        };
        let b = encode(&req);
        assert_eq!(b.len(), MGMT_LEN + 16 + 36);
        assert_eq!(decode(&b, 16), Ok(req));
        let rep = Mgmt::Reply {
            s_eid: 64,
            d_eid: 65,
            response: -1,
            data: vec![2; 84],
        };
        assert_eq!(decode(&encode(&rep), 16), Ok(rep));
    }

    #[test]
    fn short_and_unknown_messages_are_refused() {
        assert_eq!(decode(&[0; 46], 16), Err(Bad::Runt));
        let mut b = encode(&Mgmt::Req {
            s_eid: 64,
            qos: QosSpec::RAW,
            hash: vec![7; 16],
            data: vec![],
        });
        assert_eq!(decode(&b[..50], 16), Err(Bad::Runt));
        b[44] = 9;
        assert_eq!(decode(&b, 16), Err(Bad::UnknownCode(9)));
        assert_eq!(eid(&[0, 0, 1]), None);
        assert_eq!(eid(&[0, 0, 0, 64, 1]), Some(64));
    }
}

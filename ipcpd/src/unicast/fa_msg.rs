//! Flow allocator messages (spec §5.4): a fixed 61-byte header, all
//! integers big-endian, followed by a trailer whose meaning depends on
//! the code. They travel in DT PDUs to component eid 0, qos cube 0.
//!
//! ```text
//!  0 s_addr  8 r_eid  16 s_eid  24 bandwidth  32 response (i32)
//! 36 delay  40 loss  44 ber  48 max_gap  52 timeout  56 ece (u16)
//! 58 code  59 availability  60 in_order  61 trailer
//! ```

use ouroboros::qos::QosSpec;
use std::fmt;

/// Header length.
pub const HDR_LEN: usize = 61;
/// Longest message a receiver accepts (upstream's message buffer).
pub const MAX_LEN: usize = 2048;

pub const FLOW_REQ: u8 = 0;
pub const FLOW_REPLY: u8 = 1;
pub const FLOW_UPDATE: u8 = 2;

/// The fixed header, every field as on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub s_addr: u64,
    pub r_eid: u64,
    pub s_eid: u64,
    pub bandwidth: u64,
    pub response: i32,
    pub delay: u32,
    pub loss: u32,
    pub ber: u32,
    pub max_gap: u32,
    pub timeout: u32,
    pub ece: u16,
    pub code: u8,
    pub availability: u8,
    pub in_order: u8,
}

/// A message as the flow allocator acts on it. Fields the sender leaves
/// zero for a code are not represented (see [`Header`] for exact bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaMsg<'a> {
    /// Requester's address and new eid, the requested qos, the
    /// destination name hash and the IRMd's piggybacked data.
    Req {
        s_addr: u64,
        s_eid: u64,
        qos: QosSpec,
        hash: &'a [u8],
        data: &'a [u8],
    },
    /// Sent to the requester's address: its eid (`r_eid`), the
    /// responder's new eid and the IRMd's answer. `s_addr` is 0.
    Reply {
        r_eid: u64,
        s_eid: u64,
        response: i32,
        data: &'a [u8],
    },
    /// Congestion feedback for the flow the receiver knows as `r_eid`.
    Update { r_eid: u64, ece: u16 },
}

/// Why bytes are not a flow allocator message the receiver acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadFa {
    /// Shorter than the header (or, for a request, header + hash).
    Short { len: usize, need: usize },
    /// Longer than [`MAX_LEN`].
    Long(usize),
    /// A code other than 0, 1, 2.
    Code(u8),
}

impl fmt::Display for BadFa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadFa::Short { len, need } => write!(f, "FA message of {len} bytes, need {need}"),
            BadFa::Long(len) => write!(f, "FA message of {len} bytes, limit {MAX_LEN}"),
            BadFa::Code(c) => write!(f, "unknown FA message code {c}"),
        }
    }
}

impl std::error::Error for BadFa {}

/// Big-endian reader over a slice whose length was checked up front.
struct Be<'a>(&'a [u8]);

impl Be<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        if let Some((h, t)) = self.0.split_first_chunk::<N>() {
            a = *h;
            self.0 = t;
        }
        a
    }
    fn u64(&mut self) -> u64 {
        u64::from_be_bytes(self.take())
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes(self.take())
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes(self.take())
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
}

impl Header {
    /// The header and the trailer, with the receiver's length limits.
    pub fn decode(b: &[u8]) -> Result<(Header, &[u8]), BadFa> {
        if b.len() > MAX_LEN {
            return Err(BadFa::Long(b.len()));
        }
        let (head, trailer) = b.split_at_checked(HDR_LEN).ok_or(BadFa::Short {
            len: b.len(),
            need: HDR_LEN,
        })?;
        let mut r = Be(head);
        let h = Header {
            s_addr: r.u64(),
            r_eid: r.u64(),
            s_eid: r.u64(),
            bandwidth: r.u64(),
            response: r.u32() as i32,
            delay: r.u32(),
            loss: r.u32(),
            ber: r.u32(),
            max_gap: r.u32(),
            timeout: r.u32(),
            ece: r.u16(),
            code: r.u8(),
            availability: r.u8(),
            in_order: r.u8(),
        };
        Ok((h, trailer))
    }

    /// Appends the 61 header bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.s_addr.to_be_bytes());
        out.extend_from_slice(&self.r_eid.to_be_bytes());
        out.extend_from_slice(&self.s_eid.to_be_bytes());
        out.extend_from_slice(&self.bandwidth.to_be_bytes());
        out.extend_from_slice(&self.response.to_be_bytes());
        for v in [self.delay, self.loss, self.ber, self.max_gap, self.timeout] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.extend_from_slice(&self.ece.to_be_bytes());
        out.extend_from_slice(&[self.code, self.availability, self.in_order]);
    }

    /// The qos fields (meaningful in a request).
    pub fn qos(&self) -> QosSpec {
        QosSpec {
            delay: self.delay,
            bandwidth: self.bandwidth,
            availability: self.availability,
            loss: self.loss,
            ber: self.ber,
            in_order: self.in_order,
            max_gap: self.max_gap,
            timeout: self.timeout,
        }
    }

    fn with_qos(mut self, q: &QosSpec) -> Header {
        self.delay = q.delay;
        self.bandwidth = q.bandwidth;
        self.availability = q.availability;
        self.loss = q.loss;
        self.ber = q.ber;
        self.in_order = q.in_order;
        self.max_gap = q.max_gap;
        self.timeout = q.timeout;
        self
    }
}

impl<'a> FaMsg<'a> {
    /// Reads a message the way upstream's handler does; `hash_len` is the
    /// layer's name hash length (a request must carry at least that much).
    pub fn decode(b: &'a [u8], hash_len: usize) -> Result<FaMsg<'a>, BadFa> {
        let (h, trailer) = Header::decode(b)?;
        Ok(match h.code {
            FLOW_REQ => {
                let (hash, data) = trailer.split_at_checked(hash_len).ok_or(BadFa::Short {
                    len: b.len(),
                    need: HDR_LEN + hash_len,
                })?;
                FaMsg::Req {
                    s_addr: h.s_addr,
                    s_eid: h.s_eid,
                    qos: h.qos(),
                    hash,
                    data,
                }
            }
            FLOW_REPLY => FaMsg::Reply {
                r_eid: h.r_eid,
                s_eid: h.s_eid,
                response: h.response,
                data: trailer,
            },
            FLOW_UPDATE => FaMsg::Update {
                r_eid: h.r_eid,
                ece: h.ece,
            },
            c => return Err(BadFa::Code(c)),
        })
    }

    /// The header upstream's sender fills in for this message.
    pub fn header(&self) -> Header {
        match *self {
            FaMsg::Req {
                s_addr, s_eid, qos, ..
            } => Header {
                code: FLOW_REQ,
                s_addr,
                s_eid,
                ..Header::default()
            }
            .with_qos(&qos),
            FaMsg::Reply {
                r_eid,
                s_eid,
                response,
                ..
            } => Header {
                code: FLOW_REPLY,
                r_eid,
                s_eid,
                response,
                ..Header::default()
            },
            FaMsg::Update { r_eid, ece } => Header {
                code: FLOW_UPDATE,
                r_eid,
                ece,
                ..Header::default()
            },
        }
    }

    /// The message bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HDR_LEN + 128);
        self.header().encode(&mut out);
        match self {
            FaMsg::Req { hash, data, .. } => {
                out.extend_from_slice(hash);
                out.extend_from_slice(data);
            }
            FaMsg::Reply { data, .. } => out.extend_from_slice(data),
            FaMsg::Update { .. } => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unicast::test_util::unhex;

    /// §9.1: the FLOW_REQ header and hash (without the OAP trailer).
    const REQ: &str = "00000000fa4888cc 0000000000000000 fc4d203d00000042
        0000000000000000 00000000 ffffffff 00000001 00000001 ffffffff 0001d4c0
        0000 00 0000
        e3b02009571017 8f9cdf213944b1b6a5e2c9897735ea5ffec5adc270aab06356";

    #[test]
    fn worked_example_request() {
        let mut b = unhex(REQ);
        b.extend_from_slice(&[0xaa; 36]);
        let m = FaMsg::decode(&b, 32).unwrap();
        let FaMsg::Req {
            s_addr,
            s_eid,
            qos,
            hash,
            data,
        } = m
        else {
            panic!("{m:?}")
        };
        assert_eq!(s_addr, 0xfa48_88cc);
        assert_eq!(s_eid, 0xfc4d_203d_0000_0042);
        assert_eq!(qos, QosSpec::RAW);
        assert_eq!(
            hash,
            ouroboros::hash::HashAlgo::Sha3_256
                .digest(b"ocsrv3")
                .as_slice()
        );
        assert_eq!(data, &[0xaa; 36]);
        assert_eq!(m.encode(), b);
        let (h, t) = Header::decode(&b).unwrap();
        assert_eq!(t.len(), 68);
        let mut again = Vec::new();
        h.encode(&mut again);
        assert_eq!(again, b[..HDR_LEN]);
    }

    #[test]
    fn reply_and_update() {
        let r = FaMsg::Reply {
            r_eid: 0x32ab_f291_0000_0042,
            s_eid: 0x5481_0634_0000_0042,
            response: -13,
            data: b"oap",
        };
        let b = r.encode();
        assert_eq!(b.len(), HDR_LEN + 3);
        assert_eq!(&b[..8], &[0; 8], "reply s_addr is 0");
        assert_eq!(&b[32..36], &(-13i32).to_be_bytes());
        assert_eq!(b[58], FLOW_REPLY);
        assert_eq!(FaMsg::decode(&b, 32), Ok(r));

        let u = FaMsg::Update {
            r_eid: 0x1234_5678_0000_0041,
            ece: 0x19,
        };
        let b = u.encode();
        assert_eq!(b.len(), HDR_LEN);
        assert_eq!(&b[56..59], &[0x00, 0x19, FLOW_UPDATE]);
        assert_eq!(FaMsg::decode(&b, 32), Ok(u));
    }

    #[test]
    fn bad_input() {
        for n in [0, 1, 60] {
            assert_eq!(
                FaMsg::decode(&vec![0; n], 32),
                Err(BadFa::Short { len: n, need: 61 })
            );
        }
        // a request needs its hash
        assert_eq!(
            FaMsg::decode(&[0; 61 + 31], 32),
            Err(BadFa::Short { len: 92, need: 93 })
        );
        assert!(FaMsg::decode(&[0; 61 + 32], 32).is_ok());
        let mut b = vec![0; 61];
        b[58] = 3;
        assert_eq!(FaMsg::decode(&b, 32), Err(BadFa::Code(3)));
        b[58] = FLOW_REPLY;
        b.resize(MAX_LEN, 0);
        assert!(FaMsg::decode(&b, 32).is_ok());
        b.push(0);
        assert_eq!(FaMsg::decode(&b, 32), Err(BadFa::Long(MAX_LEN + 1)));
    }
}

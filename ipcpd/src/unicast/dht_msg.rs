//! DHT directory messages (spec §5.6): one protobuf `dht_msg` per DT PDU
//! to component eid 1. The types are generated from proto/dht.proto;
//! this module adds upstream's decoding rules (a missing required field
//! drops the message), the message shapes upstream's sender builds, the
//! receiver's validation, and the small encodings around them.

use ouroboros::pb::{self, Invalid};
use prost::Message;
use std::fmt;

pub use ouroboros::pb::msg::{
    DhtContactMsg, DhtFindNodeRspMsg, DhtFindReqMsg, DhtFindValueRspMsg, DhtMsg, DhtStoreMsg,
};

/// Most values a FIND_VALUE_RSP carries.
pub const MAX_VALS: usize = 8;
/// Seconds a lookup waits for a response.
pub const T_RESP: u64 = 2;
/// Periodic tasks of the worker (contact check, value expiry, request
/// expiry, replication, refresh).
pub const N_TASKS: u64 = 5;
/// Local values are republished within this many replication periods of
/// their expiry.
pub const N_REPUB: u64 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Store = 0,
    FindNodeReq = 1,
    FindNodeRsp = 2,
    FindValueReq = 3,
    FindValueRsp = 4,
}

impl Code {
    pub fn from_u32(v: u32) -> Option<Code> {
        Some(match v {
            0 => Code::Store,
            1 => Code::FindNodeReq,
            2 => Code::FindNodeRsp,
            3 => Code::FindValueReq,
            4 => Code::FindValueRsp,
            _ => return None,
        })
    }

    pub fn is_request(self) -> bool {
        matches!(self, Code::FindNodeReq | Code::FindValueReq)
    }
}

/// Why a DHT message is dropped.
#[derive(Debug, PartialEq, Eq)]
pub enum BadDht {
    /// Not a `dht_msg`, or a required field is missing (upstream's
    /// unpack fails).
    Unpack(Invalid),
    /// `src.id` is not a hash long.
    SrcId(usize),
    /// `src.addr` is 0.
    SrcAddr,
    /// The sub-message the code needs is absent.
    Missing(Code),
    /// A key (or store key) that is not a hash long.
    KeyLen(usize),
    /// A STORE with an empty value.
    EmptyValue,
}

impl fmt::Display for BadDht {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadDht::Unpack(e) => write!(f, "undecodable DHT message: {e:?}"),
            BadDht::SrcId(n) => write!(f, "DHT source id of {n} bytes"),
            BadDht::SrcAddr => write!(f, "DHT source address 0"),
            BadDht::Missing(c) => write!(f, "{c:?} without its body"),
            BadDht::KeyLen(n) => write!(f, "DHT key of {n} bytes"),
            BadDht::EmptyValue => write!(f, "DHT store without a value"),
        }
    }
}

impl std::error::Error for BadDht {}

/// Decodes a `dht_msg`, rejecting what protobuf-c would not unpack.
pub fn decode(b: &[u8]) -> Result<DhtMsg, BadDht> {
    pb::check_required("dht_msg", b).map_err(BadDht::Unpack)?;
    DhtMsg::decode(b).map_err(|_| BadDht::Unpack(Invalid::Malformed))
}

/// The message bytes: fields in number order, required ones always.
pub fn encode(m: &DhtMsg) -> Vec<u8> {
    m.encode_to_vec()
}

/// A contact (node id and address); `src` of every message.
pub fn contact(id: &[u8], addr: u64) -> DhtContactMsg {
    DhtContactMsg {
        id: id.to_vec(),
        addr,
    }
}

fn msg(code: Code, src: &DhtContactMsg) -> DhtMsg {
    DhtMsg {
        code: code as u32,
        src: src.clone(),
        ..DhtMsg::default()
    }
}

/// STORE {key, val, exp}: `exp` is absolute (s since the epoch).
pub fn store(src: &DhtContactMsg, key: &[u8], val: &[u8], exp: u32) -> DhtMsg {
    DhtMsg {
        store: Some(DhtStoreMsg {
            key: key.to_vec(),
            val: val.to_vec(),
            exp,
        }),
        ..msg(Code::Store, src)
    }
}

/// FIND_NODE_REQ or FIND_VALUE_REQ (any other code gives a message of
/// that code with a `find` body).
pub fn find_req(code: Code, src: &DhtContactMsg, cookie: u64, key: &[u8]) -> DhtMsg {
    DhtMsg {
        find: Some(DhtFindReqMsg {
            cookie,
            key: key.to_vec(),
        }),
        ..msg(code, src)
    }
}

/// FIND_NODE_RSP echoing the request's cookie and key.
pub fn find_node_rsp(
    src: &DhtContactMsg,
    cookie: u64,
    key: &[u8],
    contacts: Vec<DhtContactMsg>,
) -> DhtMsg {
    DhtMsg {
        node: Some(DhtFindNodeRspMsg {
            cookie,
            key: key.to_vec(),
            contacts,
        }),
        ..msg(Code::FindNodeRsp, src)
    }
}

/// FIND_VALUE_RSP: the node part plus `val`, present even when empty.
pub fn find_value_rsp(
    src: &DhtContactMsg,
    cookie: u64,
    key: &[u8],
    contacts: Vec<DhtContactMsg>,
    values: Vec<Vec<u8>>,
) -> DhtMsg {
    DhtMsg {
        code: Code::FindValueRsp as u32,
        val: Some(DhtFindValueRspMsg { values }),
        ..find_node_rsp(src, cookie, key, contacts)
    }
}

/// What a message that passed validation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Valid {
    Known(Code),
    /// Not acted upon, but upstream still refreshes the sender's contact.
    Unknown(u32),
}

fn key_ok(key: &[u8], id_len: usize) -> Result<(), BadDht> {
    if key.is_empty() || key.len() != id_len {
        return Err(BadDht::KeyLen(key.len()));
    }
    Ok(())
}

/// Upstream's checks before acting on a message, `id_len` being the
/// layer's hash length. Responses must in addition match an outstanding
/// request for their key and cookie; that table is the caller's.
pub fn validate(m: &DhtMsg, id_len: usize) -> Result<Valid, BadDht> {
    if m.src.id.len() != id_len {
        return Err(BadDht::SrcId(m.src.id.len()));
    }
    if m.src.addr == 0 {
        return Err(BadDht::SrcAddr);
    }
    let Some(code) = Code::from_u32(m.code) else {
        return Ok(Valid::Unknown(m.code));
    };
    match code {
        Code::FindNodeReq | Code::FindValueReq => {
            let f = m.find.as_ref().ok_or(BadDht::Missing(code))?;
            key_ok(&f.key, id_len)?;
        }
        Code::FindNodeRsp | Code::FindValueRsp => {
            if code == Code::FindValueRsp && m.val.is_none() {
                return Err(BadDht::Missing(code));
            }
            let n = m.node.as_ref().ok_or(BadDht::Missing(code))?;
            if n.key.len() != id_len {
                return Err(BadDht::KeyLen(n.key.len()));
            }
        }
        Code::Store => {
            let s = m.store.as_ref().ok_or(BadDht::Missing(code))?;
            key_ok(&s.key, id_len)?;
            if s.val.is_empty() {
                return Err(BadDht::EmptyValue);
            }
        }
    }
    Ok(Valid::Known(code))
}

/// A stored value: the registering node's address, 8 bytes BE.
pub fn addr_value(addr: u64) -> [u8; 8] {
    addr.to_be_bytes()
}

/// The address in a value; `None` unless it is 8 bytes long.
pub fn value_addr(v: &[u8]) -> Option<u64> {
    v.try_into().ok().map(u64::from_be_bytes)
}

/// Kademlia distance: XOR of the first 8 bytes of two ids, read BE
/// (shorter ids count as zero-padded; a layer's ids are at least 28 bytes).
pub fn distance(a: &[u8], b: &[u8]) -> u64 {
    let first8 = |x: &[u8]| {
        let mut w = [0u8; 8];
        for (d, s) in w.iter_mut().zip(x) {
            *d = *s;
        }
        u64::from_be_bytes(w)
    };
    first8(a) ^ first8(b)
}

/// C's `gcd` on time values (signed, `%` truncating).
fn gcd(a: i64, b: i64) -> i64 {
    if a == 0 {
        b
    } else {
        gcd(b.wrapping_rem(a), a)
    }
}

/// The pause (s) after each periodic task: a fifth of half the gcd of
/// the timers, at least 1 (90 s with the defaults).
pub fn task_interval(t_expire: u32, t_replicate: u32, t_refresh: u32) -> u64 {
    let (e, r, f) = (
        i64::from(t_expire),
        i64::from(t_replicate),
        i64::from(t_refresh),
    );
    let g = gcd(e, e - N_REPUB as i64 * r);
    let g = gcd(g, gcd(r, f)) / 2;
    (g / N_TASKS as i64).max(1) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unicast::test_util::unhex;

    fn me() -> DhtContactMsg {
        contact(&[0x11; 32], 0x6c26_948e)
    }

    #[test]
    fn captured_shapes() {
        // §5.6: STORE of 96 bytes and FIND_NODE_REQ of 90 bytes
        let s = store(&me(), &[0x22; 32], &addr_value(0x6c26_948e), 0x6b05_00c3);
        let b = encode(&s);
        assert_eq!(b.len(), 96);
        let src = format!("1228 0a20{} 10 8ea99ae106", "11".repeat(32));
        assert_eq!(b[..44], unhex(&format!("0800 {src}")));
        assert_eq!(
            b[44..],
            unhex(&format!(
                "1a32 0a20{} 1208 000000006c26948e 18 c381 94d8 06",
                "22".repeat(32)
            ))
        );
        assert_eq!(decode(&b).unwrap(), s);

        let f = find_req(Code::FindNodeReq, &me(), 0x51e6_1a0e_8c6e_ca4f, &[0x11; 32]);
        let b = encode(&f);
        assert_eq!(b.len(), 90);
        assert_eq!(b[..2], [0x08, 0x01]);
        assert_eq!(b[44..47], [0x22, 0x2c, 0x08]);
        assert_eq!(validate(&f, 32), Ok(Valid::Known(Code::FindNodeReq)));
    }

    #[test]
    fn required_zeroes_are_sent() {
        // code 0, cookie 0 and an empty key still appear on the wire
        let m = find_req(Code::Store, &contact(&[], 0), 0, &[]);
        assert_eq!(
            encode(&m),
            [0x08, 0x00, 0x12, 0x04, 0x0a, 0x00, 0x10, 0x00, 0x22, 0x04, 0x08, 0x00, 0x12, 0x00]
        );
        // an empty val list is still a present `val`
        let r = find_value_rsp(&me(), 9, &[0x22; 32], vec![], vec![]);
        let b = encode(&r);
        assert_eq!(b[b.len() - 2..], [0x32, 0x00]);
        assert_eq!(decode(&b).unwrap().val, Some(DhtFindValueRspMsg::default()));
    }

    #[test]
    fn missing_required_fields_are_rejected() {
        // code only, no src
        assert!(matches!(
            decode(&[0x08, 0x01]),
            Err(BadDht::Unpack(Invalid::MissingRequired { .. }))
        ));
        // src without addr
        assert!(decode(&[0x08, 0x01, 0x12, 0x02, 0x0a, 0x00]).is_err());
        // find without cookie
        let mut b = encode(&msg(Code::FindNodeReq, &me()));
        b.extend_from_slice(&[0x22, 0x02, 0x12, 0x00]);
        assert!(decode(&b).is_err());
        b.truncate(b.len() - 4);
        assert!(decode(&b).is_ok());
        for junk in [&[0xff][..], &[0x0a], &[0x12, 0x50, 0x00]] {
            assert!(decode(junk).is_err());
        }
    }

    #[test]
    fn validation() {
        let k = [0x22u8; 32];
        assert_eq!(
            validate(&find_req(Code::FindValueReq, &me(), 1, &k), 28),
            Err(BadDht::SrcId(32))
        );
        let zero = contact(&[1; 32], 0);
        assert_eq!(
            validate(&store(&zero, &k, b"v", 1), 32),
            Err(BadDht::SrcAddr)
        );
        assert_eq!(
            validate(&msg(Code::FindNodeReq, &me()), 32),
            Err(BadDht::Missing(Code::FindNodeReq))
        );
        assert_eq!(
            validate(&find_req(Code::FindNodeReq, &me(), 1, &k[..31]), 32),
            Err(BadDht::KeyLen(31))
        );
        assert_eq!(
            validate(&store(&me(), &k, b"", 1), 32),
            Err(BadDht::EmptyValue)
        );
        assert_eq!(
            validate(&store(&me(), &[], b"v", 1), 32),
            Err(BadDht::KeyLen(0))
        );
        let rsp = find_node_rsp(&me(), 1, &k, vec![contact(&[3; 32], 4)]);
        assert_eq!(validate(&rsp, 32), Ok(Valid::Known(Code::FindNodeRsp)));
        // a FIND_VALUE_RSP needs `val`
        let bad = DhtMsg {
            code: Code::FindValueRsp as u32,
            ..rsp.clone()
        };
        assert_eq!(validate(&bad, 32), Err(BadDht::Missing(Code::FindValueRsp)));
        let unknown = DhtMsg { code: 9, ..rsp };
        assert_eq!(validate(&unknown, 32), Ok(Valid::Unknown(9)));
    }

    #[test]
    fn values_distance_interval() {
        assert_eq!(
            addr_value(0x6c26_948e),
            [0, 0, 0, 0, 0x6c, 0x26, 0x94, 0x8e]
        );
        assert_eq!(value_addr(&addr_value(42)), Some(42));
        assert_eq!(value_addr(&[0; 4]), None);
        let a = [0x80u8; 32];
        let mut b = a;
        b[7] ^= 1;
        b[8] ^= 0xff; // beyond the first 8 bytes: ignored
        assert_eq!(distance(&a, &b), 1);
        assert_eq!(distance(&a, &a[..1]), 0x0080_8080_8080_8080);
        assert_eq!(task_interval(86400, 900, 900), 90);
        assert_eq!(task_interval(10, 10, 10), 1);
        assert_eq!(task_interval(1000, 100, 100), 10);
    }
}

//! Outstanding DHT requests (spec §5.6 *Lookup*), one per key: the peers
//! asked (each with its own cookie), and the values the responses
//! brought. A response is only accepted if its key's request has a peer
//! entry with its cookie. Requests live 2 s past their last activity but
//! are only removed by the periodic request-expiry task (or when a lookup
//! times out); a later lookup of a key whose request still holds values
//! is answered from them.

use super::super::dht_msg::{Code, T_RESP};

/// Most requests outstanding at once.
pub const MAX_REQS: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub cookie: u64,
    pub id: Vec<u8>,
    pub addr: u64,
    pub code: Code,
    /// When the request was sent (ms).
    pub t_sent: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Req {
    pub key: Vec<u8>,
    /// Expiry (s): 2 s after the last activity.
    pub t_exp: u64,
    pub peers: Vec<Peer>,
    /// Values received for the key.
    pub cache: Vec<Vec<u8>>,
}

#[derive(Debug, Default)]
pub struct Reqs {
    reqs: Vec<Req>,
}

/// Why peers could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooMany;

impl Reqs {
    pub fn get(&self, key: &[u8]) -> Option<&Req> {
        self.reqs.iter().find(|r| r.key == key)
    }

    pub fn len(&self) -> usize {
        self.reqs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    /// Adds the peers about to be asked about `key` (creating its request,
    /// renewing its expiry) and returns those to actually send to: none if
    /// the request already holds values; otherwise not a peer already asked
    /// with this or a stronger code — unless it carries the `magic` cookie
    /// (the bootstrap request, always repeated).
    pub fn add(
        &mut self,
        key: &[u8],
        peers: Vec<Peer>,
        magic: u64,
        now_s: u64,
    ) -> Result<Vec<Peer>, TooMany> {
        let i = match self.reqs.iter().position(|r| r.key == key) {
            Some(i) => i,
            None => {
                if self.reqs.len() >= MAX_REQS {
                    return Err(TooMany);
                }
                self.reqs.push(Req {
                    key: key.to_vec(),
                    t_exp: 0,
                    peers: Vec::new(),
                    cache: Vec::new(),
                });
                self.reqs.len() - 1
            }
        };
        let r = &mut self.reqs[i];
        r.t_exp = now_s + T_RESP;
        if !r.cache.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for p in peers {
            let dup = r
                .peers
                .iter()
                .any(|x| x.addr == p.addr && x.code as u32 >= p.code as u32);
            if dup && p.cookie != magic {
                continue;
            }
            r.peers.push(p.clone());
            out.push(p);
        }
        Ok(out)
    }

    /// True if a response with this key and cookie answers a request.
    pub fn expects(&self, key: &[u8], cookie: u64) -> bool {
        self.get(key)
            .is_some_and(|r| r.peers.iter().any(|p| p.cookie == cookie))
    }

    /// True if `addr` was already asked about `key`.
    pub fn asked(&self, key: &[u8], addr: u64) -> bool {
        self.get(key)
            .is_some_and(|r| r.peers.iter().any(|p| p.addr == addr))
    }

    /// Values arrived for `key`: kept with its request (duplicates
    /// dropped). False if there is no request.
    pub fn respond(&mut self, key: &[u8], vals: &[Vec<u8>]) -> bool {
        let Some(r) = self.reqs.iter_mut().find(|r| r.key == key) else {
            return false;
        };
        for v in vals {
            if !v.is_empty() && !r.cache.contains(v) {
                r.cache.push(v.clone());
            }
        }
        true
    }

    pub fn remove(&mut self, key: &[u8]) {
        self.reqs.retain(|r| r.key != key);
    }

    /// The periodic task: drops requests expired at `now_s`.
    pub fn remove_expired(&mut self, now_s: u64) {
        self.reqs.retain(|r| now_s <= r.t_exp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(cookie: u64, addr: u64, code: Code) -> Peer {
        Peer {
            cookie,
            id: vec![addr as u8; 8],
            addr,
            code,
            t_sent: 0,
        }
    }

    #[test]
    fn dedup_and_magic() {
        let mut r = Reqs::default();
        let k = [1u8; 8];
        let sent = r
            .add(
                &k,
                vec![peer(7, 2, Code::FindNodeReq), peer(8, 3, Code::FindNodeReq)],
                99,
                10,
            )
            .unwrap();
        assert_eq!(sent.len(), 2);
        assert!(r.expects(&k, 7) && r.expects(&k, 8) && !r.expects(&k, 9));
        assert!(!r.expects(&[2u8; 8], 7));
        // asking the same peer again is suppressed, a stronger code is not
        let sent = r
            .add(
                &k,
                vec![
                    peer(9, 2, Code::FindNodeReq),
                    peer(10, 3, Code::FindValueReq),
                ],
                99,
                10,
            )
            .unwrap();
        assert_eq!(sent.iter().map(|p| p.cookie).collect::<Vec<_>>(), [10]);
        // the magic cookie always goes
        let sent = r
            .add(&k, vec![peer(99, 2, Code::FindNodeReq)], 99, 11)
            .unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(r.get(&k).unwrap().t_exp, 13);
        // once values are in, nothing more is sent
        assert!(r.respond(&k, &[b"v".to_vec(), b"v".to_vec(), vec![]]));
        assert_eq!(r.get(&k).unwrap().cache, [b"v".to_vec()]);
        assert!(r
            .add(&k, vec![peer(5, 4, Code::FindValueReq)], 99, 12)
            .unwrap()
            .is_empty());
        assert!(!r.respond(&[3u8; 8], &[b"v".to_vec()]));
    }

    #[test]
    fn limits_and_expiry() {
        let mut r = Reqs::default();
        for i in 0..MAX_REQS {
            r.add(&(i as u64).to_be_bytes(), vec![], 0, 0).unwrap();
        }
        assert_eq!(r.add(&[0xff; 8], vec![], 0, 0), Err(TooMany));
        r.add(&0u64.to_be_bytes(), vec![], 0, 5).unwrap();
        r.remove_expired(2);
        assert_eq!(r.len(), MAX_REQS);
        r.remove_expired(3);
        assert_eq!(r.len(), 1);
        r.remove(&0u64.to_be_bytes());
        assert!(r.is_empty());
    }
}

//! Lookups waiting for values (spec §5.6 *Lookup*): a query sends
//! FIND_VALUE_REQ to up to alpha contacts and waits up to 2 s for the
//! first response carrying values; the address used is the first value,
//! or the second when the first is this node's own.
//!
//! Upstream's lookups are effectively one round (the follow-up requests to
//! contacts learnt from responses are suppressed by its duplicate filter).
//! [`follow_ups`] picks the follow-ups a Kademlia lookup makes instead;
//! the `Dht` sends them unless configured to behave like upstream.

use super::super::dht_msg::{self, T_RESP};
use super::bucket::Contact;

/// A query's handle; its answer comes back as an `Answer` output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueryId(pub u64);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub id: QueryId,
    pub key: Vec<u8>,
    /// The query gives up at this time (ms).
    pub deadline: u64,
}

/// Queries waiting for a response.
#[derive(Debug, Default)]
pub struct Lookups {
    next: u64,
    pending: Vec<Pending>,
}

impl Lookups {
    /// A new handle.
    pub fn handle(&mut self) -> QueryId {
        self.next += 1;
        QueryId(self.next)
    }

    /// Waits for values for `key` until `now_ms` + 2 s.
    pub fn wait(&mut self, id: QueryId, key: &[u8], now_ms: u64) {
        self.pending.push(Pending {
            id,
            key: key.to_vec(),
            deadline: now_ms.saturating_add(T_RESP * 1000),
        });
    }

    /// The queries for `key` (now answered).
    pub fn take_key(&mut self, key: &[u8]) -> Vec<Pending> {
        let (done, rest) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| p.key == key);
        self.pending = rest;
        done
    }

    /// The queries timed out at `now_ms`.
    pub fn take_expired(&mut self, now_ms: u64) -> Vec<Pending> {
        let (done, rest) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| now_ms >= p.deadline);
        self.pending = rest;
        done
    }

    pub fn next_deadline(&self) -> Option<u64> {
        self.pending.iter().map(|p| p.deadline).min()
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

/// The address a query returns from its values (upstream's choice): the
/// first value, or the second if the first is `own` (a value that is not
/// 8 bytes long gives none).
pub fn choose(vals: &[Vec<u8>], own: u64) -> Option<u64> {
    let addr = |v: &Vec<u8>| dht_msg::value_addr(v).filter(|a| *a != own && *a != 0);
    let first = dht_msg::value_addr(vals.first()?)?;
    if first != own && first != 0 {
        return Some(first);
    }
    vals.get(1).and_then(addr)
}

/// Of the contacts a response named, those a lookup for `key` asks next:
/// not yet asked (`asked`), closest to the key first, at most `alpha`,
/// and no more than leave the lookup at `max_peers` peers in all.
pub fn follow_ups(
    key: &[u8],
    learnt: &[Contact],
    asked: impl Fn(u64) -> bool,
    n_asked: usize,
    alpha: usize,
    max_peers: usize,
) -> Vec<Contact> {
    let mut c: Vec<Contact> = Vec::new();
    for l in learnt {
        if !asked(l.addr) && !c.iter().any(|x| x.addr == l.addr) {
            c.push(l.clone());
        }
    }
    c.sort_by_key(|x| dht_msg::distance(&x.id, key));
    c.truncate(alpha.min(max_peers.saturating_sub(n_asked)));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_of_address() {
        let v = |a: u64| a.to_be_bytes().to_vec();
        assert_eq!(choose(&[], 1), None);
        assert_eq!(choose(&[v(5), v(6)], 1), Some(5));
        assert_eq!(choose(&[v(1), v(6)], 1), Some(6));
        assert_eq!(choose(&[v(1)], 1), None);
        assert_eq!(choose(&[vec![1, 2]], 1), None);
        assert_eq!(choose(&[v(1), vec![3]], 1), None);
    }

    #[test]
    fn waiting_and_timeouts() {
        let mut l = Lookups::default();
        let (a, b) = (l.handle(), l.handle());
        assert_ne!(a, b);
        l.wait(a, b"k1", 1000);
        l.wait(b, b"k2", 1500);
        assert_eq!(l.next_deadline(), Some(3000));
        assert!(l.take_expired(2999).is_empty());
        assert_eq!(l.take_expired(3000)[0].id, a);
        assert_eq!(l.take_key(b"k2")[0].id, b);
        assert!(l.is_empty());
    }

    #[test]
    fn follow_up_choice() {
        let c = |first: u8, addr: u64| Contact {
            id: vec![first; 8],
            addr,
            t_seen: 0,
        };
        let learnt = [c(0x70, 7), c(0x10, 1), c(0x30, 3), c(0x20, 2), c(0x10, 1)];
        let f = follow_ups(&[0; 8], &learnt, |a| a == 2, 0, 2, 8);
        assert_eq!(f.iter().map(|c| c.addr).collect::<Vec<_>>(), [1, 3]);
        let f = follow_ups(&[0; 8], &learnt, |_| false, 7, 3, 8);
        assert_eq!(f.len(), 1);
    }
}

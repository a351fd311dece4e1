//! The DHT's key/value store (spec §5.6): per key, the values other nodes
//! asked this node to keep ("replicated", with their expiry) and the ones
//! registered here ("local", republished before they would expire).
//! Entries are kept by distance of their key to the own id, as upstream.
//! Times are whole seconds since the UNIX epoch, as on the wire.

use super::super::dht_msg::{self, MAX_VALS, N_REPUB};

/// Most keys kept (not an upstream limit: it bounds what STOREs from the
/// network can make this node hold).
pub const MAX_KEYS: usize = 1 << 16;
/// Most replicated values kept per key (likewise ours).
pub const MAX_KEY_VALS: usize = 64;
/// Longest value accepted in a STORE (likewise ours; values are 8-byte
/// addresses in practice).
pub const MAX_VAL_LEN: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Val {
    pub val: Vec<u8>,
    /// Expiry (s since the epoch).
    pub t_exp: u64,
    /// Last replication (s), 0 for never.
    pub t_repl: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: Vec<u8>,
    /// Replicated values (stored for others).
    pub vals: Vec<Val>,
    /// Local values (registered here).
    pub lvals: Vec<Val>,
}

/// Why a STORE was not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    Expired,
    Full,
    TooLong,
}

#[derive(Debug)]
pub struct Store {
    own_id: Vec<u8>,
    entries: Vec<Entry>,
}

/// A value to send in a STORE during replication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub key: Vec<u8>,
    pub val: Vec<u8>,
    pub exp: u64,
    /// A local value being republished (else a replicated one).
    pub local: bool,
}

impl Store {
    pub fn new(own_id: &[u8]) -> Store {
        Store {
            own_id: own_id.to_vec(),
            entries: Vec::new(),
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn find(&self, key: &[u8]) -> Option<usize> {
        self.entries.iter().position(|e| e.key == key)
    }

    /// The entry for `key`, created in distance order when missing.
    fn entry(&mut self, key: &[u8]) -> Option<usize> {
        if let Some(i) = self.find(key) {
            return Some(i);
        }
        if self.entries.len() >= MAX_KEYS {
            return None;
        }
        let d = dht_msg::distance(key, &self.own_id);
        let at = self
            .entries
            .iter()
            .position(|e| dht_msg::distance(&e.key, &self.own_id) >= d)
            .unwrap_or(self.entries.len());
        self.entries.insert(
            at,
            Entry {
                key: key.to_vec(),
                vals: Vec::new(),
                lvals: Vec::new(),
            },
        );
        Some(at)
    }

    fn drop_if_empty(&mut self, i: usize) {
        if self.entries[i].vals.is_empty() && self.entries[i].lvals.is_empty() {
            self.entries.remove(i);
        }
    }

    /// A received STORE: refused if already expired; a value registered
    /// here is not duplicated; a known value keeps the later expiry.
    pub fn store(&mut self, key: &[u8], val: &[u8], exp: u64, now: u64) -> Result<(), Refused> {
        if exp < now {
            return Err(Refused::Expired);
        }
        if val.len() > MAX_VAL_LEN {
            return Err(Refused::TooLong);
        }
        let i = self.entry(key).ok_or(Refused::Full)?;
        let e = &mut self.entries[i];
        if e.lvals.iter().any(|v| v.val == val) {
            return Ok(());
        }
        if let Some(v) = e.vals.iter_mut().find(|v| v.val == val) {
            v.t_exp = v.t_exp.max(exp);
            return Ok(());
        }
        if e.vals.len() >= MAX_KEY_VALS {
            self.drop_if_empty(i);
            return Err(Refused::Full);
        }
        e.vals.push(Val {
            val: val.to_vec(),
            t_exp: exp,
            t_repl: 0,
        });
        Ok(())
    }

    /// A registration here: a local value expiring at `exp` unless known.
    pub fn publish(&mut self, key: &[u8], val: &[u8], exp: u64) -> Result<(), Refused> {
        let i = self.entry(key).ok_or(Refused::Full)?;
        let e = &mut self.entries[i];
        if !e.lvals.iter().any(|v| v.val == val) {
            e.lvals.push(Val {
                val: val.to_vec(),
                t_exp: exp,
                t_repl: 0,
            });
        }
        Ok(())
    }

    /// Removes a local value; false if there was none.
    pub fn unpublish(&mut self, key: &[u8], val: &[u8]) -> bool {
        let Some(i) = self.find(key) else {
            return false;
        };
        let e = &mut self.entries[i];
        let n = e.lvals.len();
        e.lvals.retain(|v| v.val != val);
        let removed = e.lvals.len() != n;
        self.drop_if_empty(i);
        removed
    }

    /// Up to [`MAX_VALS`] values for `key`: replicated ones first.
    pub fn retrieve(&self, key: &[u8]) -> Vec<Vec<u8>> {
        let Some(i) = self.find(key) else {
            return Vec::new();
        };
        let e = &self.entries[i];
        e.vals
            .iter()
            .chain(&e.lvals)
            .take(MAX_VALS)
            .map(|v| v.val.clone())
            .collect()
    }

    /// Drops replicated values past their expiry (`now > exp`) and the
    /// entries left without values. Local values do not expire here.
    pub fn remove_expired(&mut self, now: u64) {
        for e in &mut self.entries {
            e.vals.retain(|v| now <= v.t_exp);
        }
        self.entries
            .retain(|e| !e.vals.is_empty() || !e.lvals.is_empty());
    }

    /// What replication sends at `now`: replicated values not replicated
    /// for `t_repl` and not expired (with their own expiry), and local
    /// values not replicated for `t_repl` and within [`N_REPUB`]
    /// replication periods of expiring (with expiry now + `t_expire`).
    pub fn due(&self, now: u64, t_repl: u64, t_expire: u64) -> Vec<Outgoing> {
        let must_replicate = |v: &Val| now > v.t_repl.saturating_add(t_repl);
        let mut out = Vec::new();
        for e in &self.entries {
            for v in e
                .vals
                .iter()
                .filter(|v| must_replicate(v) && now <= v.t_exp)
            {
                out.push(Outgoing {
                    key: e.key.clone(),
                    val: v.val.clone(),
                    exp: v.t_exp,
                    local: false,
                });
            }
            for v in e.lvals.iter().filter(|v| {
                must_replicate(v) && (v.t_exp as i128 - now as i128) < (N_REPUB * t_repl) as i128
            }) {
                out.push(Outgoing {
                    key: e.key.clone(),
                    val: v.val.clone(),
                    exp: now.saturating_add(t_expire),
                    local: true,
                });
            }
        }
        out
    }

    /// Records that `o` was sent at `now`: its replication time, and for
    /// a local value the extended expiry.
    pub fn replicated(&mut self, o: &Outgoing, now: u64) {
        let Some(i) = self.find(&o.key) else { return };
        let e = &mut self.entries[i];
        let list = if o.local { &mut e.lvals } else { &mut e.vals };
        if let Some(v) = list.iter_mut().find(|v| v.val == o.val) {
            v.t_repl = now;
            if o.local {
                v.t_exp = v.t_exp.max(o.exp);
            }
        }
    }

    /// (keys, replicated values, local values).
    pub fn counts(&self) -> (usize, usize, usize) {
        let vals = self.entries.iter().map(|e| e.vals.len()).sum();
        let lvals = self.entries.iter().map(|e| e.lvals.len()).sum();
        (self.entries.len(), vals, lvals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> Vec<u8> {
        vec![b; 8]
    }

    #[test]
    fn store_rules() {
        let mut s = Store::new(&key(0));
        assert_eq!(s.store(&key(1), b"a", 99, 100), Err(Refused::Expired));
        assert_eq!(s.counts(), (0, 0, 0));
        s.store(&key(1), b"a", 100, 100).unwrap();
        // the later expiry wins
        s.store(&key(1), b"a", 300, 100).unwrap();
        s.store(&key(1), b"a", 200, 100).unwrap();
        assert_eq!(s.entries()[0].vals[0].t_exp, 300);
        // a local value is never duplicated as a replicated one
        s.publish(&key(1), b"l", 500).unwrap();
        s.store(&key(1), b"l", 900, 100).unwrap();
        assert_eq!(s.counts(), (1, 1, 1));
        assert_eq!(s.retrieve(&key(1)), [b"a".to_vec(), b"l".to_vec()]);
        assert_eq!(s.store(&key(1), &[0; 300], 900, 100), Err(Refused::TooLong));
        assert!(s.unpublish(&key(1), b"l"));
        assert!(!s.unpublish(&key(1), b"l"));
        assert!(!s.unpublish(&key(2), b"l"));
        assert_eq!(s.counts(), (1, 1, 0));
    }

    #[test]
    fn order_limits_and_expiry() {
        let mut s = Store::new(&key(0x10));
        s.store(&key(0x80), b"x", 10, 0).unwrap();
        s.store(&key(0x11), b"x", 10, 0).unwrap();
        s.publish(&key(0x30), b"y", 10).unwrap();
        let ks: Vec<u8> = s.entries().iter().map(|e| e.key[0]).collect();
        assert_eq!(ks, [0x11, 0x30, 0x80]);
        for i in 0..20u8 {
            s.store(&key(0x11), &[i], 10, 0).unwrap();
        }
        assert_eq!(s.retrieve(&key(0x11)).len(), MAX_VALS);
        // expiry: strictly after exp; local values stay
        s.remove_expired(10);
        assert_eq!(s.counts(), (3, 22, 1));
        s.remove_expired(11);
        assert_eq!(s.counts(), (1, 0, 1));
        for i in 0..MAX_KEY_VALS + 1 {
            let r = s.store(&key(0x12), &i.to_be_bytes(), 10, 0);
            assert_eq!(r.is_ok(), i < MAX_KEY_VALS);
        }
    }

    #[test]
    fn replication_and_republication() {
        const T: u64 = 1_000_000;
        let mut s = Store::new(&key(0));
        s.store(&key(1), b"r", T + 5000, T).unwrap();
        s.publish(&key(2), b"l", T + 10_000).unwrap();
        // replicated values go at once (never replicated), local ones only
        // within 5 periods (5 * 1000) of expiring
        let d = s.due(T + 1, 1000, 86400);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].exp, d[0].local), (T + 5000, false));
        s.replicated(&d[0], T + 1);
        assert!(s.due(T + 1001, 1000, 86400).is_empty());
        let d = s.due(T + 5001, 1000, 86400);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].exp, d[0].local), (T + 5001 + 86400, true));
        s.replicated(&d[0], T + 5001);
        assert_eq!(s.entries()[1].lvals[0].t_exp, T + 5001 + 86400);
        // expired replicated values are not sent
        assert!(s.due(T + 7000, 1000, 86400).is_empty());
    }
}

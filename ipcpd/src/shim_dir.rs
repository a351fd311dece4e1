//! What a shim IPCP knows of names: the hashes registered here, and the
//! addresses learnt for remote hashes (kept forever, newest first).

use std::collections::HashSet;
use std::sync::Mutex;

pub struct ShimDir<A> {
    reg: Mutex<HashSet<Vec<u8>>>,
    dir: Mutex<Vec<(Vec<u8>, A)>>,
}

impl<A: Clone + PartialEq> Default for ShimDir<A> {
    fn default() -> Self {
        ShimDir {
            reg: Mutex::new(HashSet::new()),
            dir: Mutex::new(Vec::new()),
        }
    }
}

impl<A: Clone + PartialEq> ShimDir<A> {
    pub fn reg_add(&self, hash: &[u8]) {
        self.reg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(hash.to_vec());
    }

    pub fn reg_del(&self, hash: &[u8]) {
        self.reg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(hash);
    }

    /// Whether `hash` is registered here.
    pub fn reg_has(&self, hash: &[u8]) -> bool {
        self.reg
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(hash)
    }

    /// Notes that `hash` is at `addr` (a known pair is not added twice).
    pub fn dir_add(&self, hash: &[u8], addr: A) {
        let mut d = self.dir.lock().unwrap_or_else(|e| e.into_inner());
        if !d.iter().any(|(h, a)| h == hash && *a == addr) {
            d.push((hash.to_vec(), addr));
        }
    }

    /// The address learnt last for `hash`.
    pub fn dir_get(&self, hash: &[u8]) -> Option<A> {
        let d = self.dir.lock().unwrap_or_else(|e| e.into_inner());
        d.iter()
            .rev()
            .find(|(h, _)| h == hash)
            .map(|(_, a)| a.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::ShimDir;

    #[test]
    fn newest_address_wins() {
        let d: ShimDir<u32> = ShimDir::default();
        assert_eq!(d.dir_get(b"h"), None);
        d.dir_add(b"h", 1);
        d.dir_add(b"h", 2);
        d.dir_add(b"h", 1);
        assert_eq!(d.dir_get(b"h"), Some(2));
    }

    #[test]
    fn registry() {
        let d: ShimDir<u32> = ShimDir::default();
        assert!(!d.reg_has(b"h"));
        d.reg_add(b"h");
        assert!(d.reg_has(b"h") && !d.reg_has(b"g"));
        d.reg_del(b"h");
        assert!(!d.reg_has(b"h"));
    }
}

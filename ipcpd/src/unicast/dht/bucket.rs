//! The DHT routing table (spec §5.6 *Routing table*): a tree of
//! k-buckets. A bucket holds at most k contacts plus a replacement list of
//! at most k; when the bucket that covers this node's own id is full, it
//! splits into 256 children keyed on the next id byte. Nothing here is
//! on the wire, but which contacts a node names in its responses, and to
//! whom it sends requests, follows from it.
//!
//! Times are whole seconds, as upstream keeps them.

/// Children per split bucket (upstream's branching factor 2^8: one id
/// byte per tree level).
pub const BRANCH: usize = 256;

/// A node known to the DHT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub id: Vec<u8>,
    pub addr: u64,
    /// When a valid message from it was last received (s).
    pub t_seen: u64,
}

#[derive(Debug)]
struct Bucket {
    contacts: Vec<Contact>,
    alts: Vec<Contact>,
    /// The bucket counts as unused (to be refreshed) from this time on.
    t_refr: u64,
    depth: usize,
    /// Empty, or [`BRANCH`] children.
    children: Vec<Bucket>,
}

impl Bucket {
    fn new(depth: usize, t_refr: u64) -> Bucket {
        Bucket {
            contacts: Vec::new(),
            alts: Vec::new(),
            t_refr,
            depth,
            children: Vec::new(),
        }
    }
}

/// The routing table of one node; it always contains the node itself.
#[derive(Debug)]
pub struct Table {
    own_id: Vec<u8>,
    own_addr: u64,
    k: usize,
    t_refresh: u64,
    root: Bucket,
}

/// The child index of `id` below a bucket at `depth`.
fn slot(id: &[u8], depth: usize) -> Option<usize> {
    id.get(depth).map(|b| usize::from(*b))
}

impl Table {
    /// A table holding only this node (id, address), at time `now` (s).
    pub fn new(own_id: &[u8], own_addr: u64, k: usize, t_refresh: u64, now: u64) -> Table {
        let mut t = Table {
            own_id: own_id.to_vec(),
            own_addr,
            k: k.max(1),
            t_refresh,
            root: Bucket::new(0, now.saturating_add(t_refresh)),
        };
        t.update(own_id, own_addr, now);
        t
    }

    /// The path (child indices) to the leaf bucket for `id`.
    fn path(&self, id: &[u8]) -> Vec<usize> {
        let mut path = Vec::new();
        let mut b = &self.root;
        while !b.children.is_empty() {
            let Some(i) = slot(id, b.depth) else { break };
            path.push(i);
            b = &b.children[i];
        }
        path
    }

    fn at(&mut self, path: &[usize]) -> &mut Bucket {
        let mut b = &mut self.root;
        for &i in path {
            b = &mut b.children[i];
        }
        b
    }

    /// True if this node's own id falls in the bucket at `path`.
    fn covers_own(&self, path: &[usize]) -> bool {
        path.iter()
            .enumerate()
            .all(|(d, &i)| slot(&self.own_id, d) == Some(i))
    }

    /// Adds or refreshes a contact: a contact with the same address in
    /// the bucket is replaced (moving it to the bucket's tail); a full
    /// bucket that covers the own id splits, another full bucket puts the
    /// contact on its replacement list (dropping the oldest there).
    pub fn update(&mut self, id: &[u8], addr: u64, now: u64) {
        let path = self.path(id);
        let covers = self.covers_own(&path);
        let (k, t_refr, id_len) = (
            self.k,
            now.saturating_add(self.t_refresh),
            self.own_id.len(),
        );
        let c = Contact {
            id: id.to_vec(),
            addr,
            t_seen: now,
        };
        let b = self.at(&path);
        b.contacts.retain(|d| d.addr != addr);
        if b.contacts.len() < k {
            b.contacts.push(c);
        } else if covers && b.depth < id_len {
            b.contacts.push(c);
            split(b, k, id_len, t_refr);
        } else {
            if b.alts.len() >= k {
                b.alts.remove(0);
            }
            b.alts.push(c);
        }
    }

    /// Up to k contacts for `key`, this node excluded, in bucket order:
    /// those of the key's bucket when it is full or the root, else those
    /// of the bucket and its siblings. Marks the key's bucket as used.
    pub fn closest(&mut self, key: &[u8], now: u64) -> Vec<Contact> {
        let path = self.path(key);
        let (k, own, t_refr) = (self.k, self.own_addr, now.saturating_add(self.t_refresh));
        let leaf = self.at(&path);
        leaf.t_refr = t_refr;
        let from: Vec<&Bucket> = if leaf.contacts.len() == k || path.is_empty() {
            vec![leaf]
        } else {
            self.at(&path[..path.len() - 1]).children.iter().collect()
        };
        from.iter()
            .flat_map(|b| b.contacts.iter())
            .filter(|c| c.addr != own)
            .take(k)
            .cloned()
            .collect()
    }

    /// The contacts to refresh at `now`: of each bucket not used for
    /// t_refresh, its first contact when that was not heard from for
    /// t_refresh (last found first, as upstream builds the list).
    pub fn refresh_list(&self, now: u64) -> Vec<Contact> {
        let mut out = Vec::new();
        refresh(&self.root, now, self.t_refresh, &mut out);
        out.reverse();
        out
    }

    /// Every contact (this node included), replacement lists excluded.
    pub fn contacts(&self) -> Vec<&Contact> {
        let mut out = Vec::new();
        collect(&self.root, &mut out);
        out
    }

    /// Number of contacts other than this node.
    pub fn len(&self) -> usize {
        self.contacts()
            .iter()
            .filter(|c| c.addr != self.own_addr)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of buckets (leaves and inner ones).
    pub fn buckets(&self) -> usize {
        fn n(b: &Bucket) -> usize {
            1 + b.children.iter().map(n).sum::<usize>()
        }
        n(&self.root)
    }
}

fn collect<'a>(b: &'a Bucket, out: &mut Vec<&'a Contact>) {
    out.extend(b.contacts.iter());
    for c in &b.children {
        collect(c, out);
    }
}

fn refresh(b: &Bucket, now: u64, t_refresh: u64, out: &mut Vec<Contact>) {
    if now < b.t_refr {
        return;
    }
    for c in &b.children {
        refresh(c, now, t_refresh, out);
    }
    if let Some(c) = b.contacts.first() {
        if now > c.t_seen.saturating_add(t_refresh) {
            out.push(c.clone());
        }
    }
}

/// Splits `b` on the id byte at its depth; a child that received every
/// contact splits again (down to the last id byte).
fn split(b: &mut Bucket, k: usize, id_len: usize, t_refr: u64) {
    let n = b.contacts.len();
    b.children = (0..BRANCH)
        .map(|_| Bucket::new(b.depth + 1, t_refr))
        .collect();
    b.alts.clear();
    for c in std::mem::take(&mut b.contacts) {
        let i = slot(&c.id, b.depth).unwrap_or(0);
        b.children[i].contacts.push(c);
    }
    for ch in &mut b.children {
        if ch.contacts.len() == n && n > k && ch.depth < id_len {
            split(ch, k, id_len, t_refr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(first: u8, second: u8) -> Vec<u8> {
        let mut v = vec![0u8; 8];
        v[0] = first;
        v[1] = second;
        v
    }

    #[test]
    fn fills_dedups_and_excludes_self() {
        let mut t = Table::new(&id(0, 0), 1, 3, 900, 100);
        assert!(t.is_empty());
        assert!(t.closest(&id(9, 9), 100).is_empty());
        t.update(&id(5, 0), 2, 101);
        t.update(&id(6, 0), 3, 102);
        // same address again: moved to the tail, time renewed
        t.update(&id(5, 1), 2, 103);
        let c = t.closest(&id(9, 9), 104);
        assert_eq!(
            c.iter().map(|c| (c.addr, c.t_seen)).collect::<Vec<_>>(),
            [(3, 102), (2, 103)]
        );
        assert_eq!(c[1].id, id(5, 1));
        assert_eq!(t.len(), 2);
        assert_eq!(t.buckets(), 1);
    }

    #[test]
    fn full_own_bucket_splits_on_the_first_byte() {
        let mut t = Table::new(&id(0x10, 0), 1, 2, 900, 0);
        t.update(&id(0x20, 0), 2, 0);
        assert_eq!(t.buckets(), 1);
        t.update(&id(0x30, 0), 3, 0);
        assert_eq!(t.buckets(), 1 + BRANCH);
        // a key whose bucket is not full: its siblings, in index order
        let c = t.closest(&id(0x30, 7), 1);
        assert_eq!(c.iter().map(|c| c.addr).collect::<Vec<_>>(), [2, 3]);
        // a bucket not covering the own id does not split: replacements
        t.update(&id(0x30, 1), 4, 1);
        t.update(&id(0x30, 2), 5, 1);
        t.update(&id(0x30, 3), 6, 1);
        assert_eq!(t.buckets(), 1 + BRANCH);
        let c = t.closest(&id(0x30, 7), 1);
        assert_eq!(c.iter().map(|c| c.addr).collect::<Vec<_>>(), [3, 4]);
        // the own bucket splits again on the second byte
        t.update(&id(0x10, 1), 7, 1);
        t.update(&id(0x10, 2), 8, 1);
        assert_eq!(t.buckets(), 1 + 2 * BRANCH);
        assert_eq!(t.len(), 5);
    }

    #[test]
    fn identical_ids_split_no_deeper_than_the_id() {
        let mut t = Table::new(&[7u8; 8], 1, 1, 900, 0);
        for a in 2..20 {
            t.update(&[7u8; 8], a, 0);
        }
        assert!(t.buckets() <= 1 + 8 * BRANCH);
        assert!(t.contacts().len() <= 3);
    }

    #[test]
    fn refresh_of_unused_buckets() {
        let mut t = Table::new(&id(0, 0), 1, 8, 900, 0);
        t.update(&id(1, 0), 2, 10);
        assert!(t.refresh_list(900).is_empty());
        // self is the first contact and never heard from
        let r = t.refresh_list(901);
        assert_eq!(r.iter().map(|c| c.addr).collect::<Vec<_>>(), [1]);
        // using the bucket postpones it
        t.closest(&id(3, 3), 901);
        assert!(t.refresh_list(1000).is_empty());
        assert_eq!(t.refresh_list(1802).len(), 1);
    }
}

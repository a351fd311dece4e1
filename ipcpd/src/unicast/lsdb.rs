//! The link-state database (spec §5.7): one entry per announced
//! adjacency, kept in (destination, source) order as upstream does, with
//! the graph built from it.
//!
//! Time is passed in (seconds), so the aging and refresh rules can be
//! tested without clocks; sending is left to the caller.

use super::graph::Graph;
use super::lsa::Lsa;

/// One announced adjacency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Adj {
    pub src: u64,
    pub dst: u64,
    pub seqno: u64,
    /// When it was last inserted or refreshed (s).
    pub stamp: u64,
}

/// What receiving an LSA did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// Unknown adjacency, inserted: flood it, and recompute the
    /// forwarding tables now (the graph may have a new link).
    New,
    /// Higher sequence number: flood it.
    Newer,
    /// Not newer than what we have: drop it.
    Stale,
}

impl Added {
    /// True when the LSA goes on to the other Management neighbours.
    pub fn forward(self) -> bool {
        self != Added::Stale
    }
}

/// The result of one periodic update.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tick {
    /// Entries that aged out (removed from the graph too).
    pub expired: Vec<(u64, u64)>,
    /// Own entries with their incremented seqno, to send to every
    /// Management neighbour.
    pub send: Vec<Lsa>,
}

#[derive(Clone, Debug)]
pub struct Lsdb {
    own: u64,
    db: Vec<Adj>,
    graph: Graph,
}

impl Lsdb {
    /// An empty database for the node with address `own`.
    pub fn new(own: u64) -> Lsdb {
        Lsdb {
            own,
            db: Vec::new(),
            graph: Graph::new(),
        }
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub fn entries(&self) -> &[Adj] {
        &self.db
    }

    fn find(&self, src: u64, dst: u64) -> Result<usize, usize> {
        self.db
            .binary_search_by_key(&(dst, src), |a| (a.dst, a.src))
    }

    /// Inserts or refreshes `src -> dst`. A known entry only takes a
    /// strictly higher seqno (refreshing its stamp); the graph changes on
    /// insertion only.
    pub fn add(&mut self, src: u64, dst: u64, seqno: u64, now: u64) -> Added {
        match self.find(src, dst) {
            Ok(i) => {
                let a = &mut self.db[i];
                if a.seqno < seqno {
                    a.seqno = seqno;
                    a.stamp = now;
                    Added::Newer
                } else {
                    Added::Stale
                }
            }
            Err(i) => {
                let adj = Adj {
                    src,
                    dst,
                    seqno,
                    stamp: now,
                };
                self.db.insert(i, adj);
                self.graph.update_edge(src, dst);
                Added::New
            }
        }
    }

    /// Applies a received LSA (see [`Lsdb::add`]).
    pub fn receive(&mut self, lsa: &Lsa, now: u64) -> Added {
        self.add(lsa.s_addr, lsa.d_addr, lsa.seqno, now)
    }

    /// Removes `src -> dst` (a DT connection went away; nothing is sent).
    pub fn del(&mut self, src: u64, dst: u64) -> bool {
        match self.find(src, dst) {
            Ok(i) => {
                self.db.remove(i);
                self.graph.del_edge(src, dst);
                true
            }
            Err(_) => false,
        }
    }

    /// The periodic update (every `t_update`): entries not refreshed for
    /// more than `t_timeo` seconds go; own entries get seqno + 1, a fresh
    /// stamp, and are returned for sending.
    pub fn tick(&mut self, now: u64, t_timeo: u64) -> Tick {
        let mut t = Tick::default();
        let own = self.own;
        let graph = &mut self.graph;
        self.db.retain_mut(|a| {
            if now > a.stamp.saturating_add(t_timeo) {
                graph.del_edge(a.src, a.dst);
                t.expired.push((a.src, a.dst));
                return false;
            }
            if a.src == own {
                a.seqno = a.seqno.wrapping_add(1);
                a.stamp = now;
                t.send.push(Lsa {
                    d_addr: a.dst,
                    s_addr: a.src,
                    seqno: a.seqno,
                });
            }
            true
        });
        t
    }

    /// Every entry as an LSA, in database order: what a new Management
    /// neighbour is sent.
    pub fn lsas(&self) -> Vec<Lsa> {
        self.db
            .iter()
            .map(|a| Lsa {
                d_addr: a.dst,
                s_addr: a.src,
                seqno: a.seqno,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unicast::graph::Algo;

    #[test]
    fn flooding_rules() {
        let mut db = Lsdb::new(1);
        let l = Lsa {
            d_addr: 1,
            s_addr: 2,
            seqno: 0,
        };
        assert_eq!(db.receive(&l, 100), Added::New);
        assert_eq!(db.receive(&l, 101), Added::Stale);
        assert!(!db.receive(&l, 101).forward());
        let newer = Lsa { seqno: 3, ..l };
        assert_eq!(db.receive(&newer, 102), Added::Newer);
        assert_eq!(db.receive(&Lsa { seqno: 2, ..l }, 103), Added::Stale);
        assert_eq!(db.entries()[0].stamp, 102);
        assert_eq!(db.lsas(), [newer]);
    }

    #[test]
    fn link_needs_both_directions() {
        let mut db = Lsdb::new(1);
        db.add(1, 2, 0, 0);
        assert_eq!(db.graph().routing_table(Algo::Simple, 1), Some(vec![]));
        db.add(2, 1, 0, 0);
        assert!(db.graph().usable(1, 2));
        assert!(db.del(1, 2));
        assert!(!db.del(1, 2));
        assert!(!db.graph().usable(1, 2));
    }

    #[test]
    fn database_order() {
        let mut db = Lsdb::new(5);
        for (s, d) in [(3, 2), (1, 2), (9, 1), (2, 3)] {
            db.add(s, d, 0, 0);
        }
        let order: Vec<_> = db.entries().iter().map(|a| (a.src, a.dst)).collect();
        assert_eq!(order, [(9, 1), (1, 2), (3, 2), (2, 3)]);
    }

    #[test]
    fn aging_and_refresh() {
        let mut db = Lsdb::new(1);
        db.add(1, 2, 0, 0); // own
        db.add(2, 1, 0, 0);
        db.add(2, 3, 7, 10);
        let t = db.tick(15, 60);
        assert!(t.expired.is_empty());
        let own = Lsa {
            d_addr: 2,
            s_addr: 1,
            seqno: 1,
        };
        assert_eq!(t.send, [own]);
        // 2->1 was last heard at 0: gone after 60 s; own entries live on
        let t = db.tick(61, 60);
        assert_eq!(t.expired, [(2, 1)]);
        assert_eq!(t.send, [Lsa { seqno: 2, ..own }]);
        assert!(!db.graph().usable(1, 2));
        // 2->3 was heard at 10: kept at 70, gone at 71
        let t = db.tick(70, 60);
        assert_eq!(t.expired, []);
        let t = db.tick(71, 60);
        assert_eq!(t.expired, [(2, 3)]);
        assert_eq!(db.entries().len(), 1);
    }
}

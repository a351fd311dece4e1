//! Packet forwarding tables (spec §5.8): destination address to the N-1
//! DT flow(s) to send on. One table per qos cube, all filled from the same
//! routing table. The policy follows the routing algorithm.

use super::graph::{Algo, Route};
use std::collections::HashMap;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// One fd per destination.
    Simple,
    /// [primary, alternates...]; lookups take the first, which is swapped
    /// out while its flow is down.
    Alternate,
    /// The fds rotate on every lookup (per-packet round robin).
    Multipath,
}

impl Policy {
    /// The table policy each routing algorithm uses.
    pub fn for_algo(algo: Algo) -> Policy {
        match algo {
            Algo::Simple => Policy::Simple,
            Algo::Lfa => Policy::Alternate,
            Algo::Ecmp => Policy::Multipath,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PffError {
    /// Adding a destination that is already present.
    Exists(u64),
    /// Updating or deleting a destination that is absent.
    Missing(u64),
    /// An entry needs at least one fd.
    NoFds,
    /// A flow reported up that was not down.
    NotDown(i32),
}

impl fmt::Display for PffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PffError::Exists(a) => write!(f, "destination {a:#x} already has an entry"),
            PffError::Missing(a) => write!(f, "no entry for destination {a:#x}"),
            PffError::NoFds => write!(f, "entry without next hops"),
            PffError::NotDown(fd) => write!(f, "flow {fd} was not down"),
        }
    }
}

impl std::error::Error for PffError {}

#[derive(Clone, Debug)]
struct Entry {
    fds: Vec<i32>,
    /// The first fd as added (the alternate policy restores it).
    primary: i32,
}

#[derive(Clone, Debug)]
pub struct Pff {
    policy: Policy,
    table: HashMap<u64, Entry>,
    /// fds reported down (alternate policy only).
    down: Vec<i32>,
}

impl Pff {
    pub fn new(policy: Policy) -> Pff {
        Pff {
            policy,
            table: HashMap::new(),
            down: Vec::new(),
        }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    fn entry(&self, fds: &[i32]) -> Result<Entry, PffError> {
        let primary = *fds.first().ok_or(PffError::NoFds)?;
        let fds = match self.policy {
            Policy::Simple => vec![primary],
            Policy::Alternate | Policy::Multipath => fds.to_vec(),
        };
        Ok(Entry { fds, primary })
    }

    /// Adds an entry (the simple policy keeps only the first fd).
    pub fn add(&mut self, dst: u64, fds: &[i32]) -> Result<(), PffError> {
        if self.table.contains_key(&dst) {
            return Err(PffError::Exists(dst));
        }
        let e = self.entry(fds)?;
        self.table.insert(dst, e);
        Ok(())
    }

    /// Replaces an existing entry.
    pub fn update(&mut self, dst: u64, fds: &[i32]) -> Result<(), PffError> {
        let e = self.entry(fds)?;
        let slot = self.table.get_mut(&dst).ok_or(PffError::Missing(dst))?;
        *slot = e;
        Ok(())
    }

    pub fn del(&mut self, dst: u64) -> Result<(), PffError> {
        self.table
            .remove(&dst)
            .map(|_| ())
            .ok_or(PffError::Missing(dst))
    }

    /// Empties the table. Like upstream, this also forgets which flows
    /// were down.
    pub fn flush(&mut self) {
        self.table.clear();
        self.down.clear();
    }

    /// The fd to send a PDU for `dst` on. The multipath policy rotates
    /// the entry, so every call may answer differently.
    pub fn nhop(&mut self, dst: u64) -> Option<i32> {
        let e = self.table.get_mut(&dst)?;
        let fd = *e.fds.first()?;
        if self.policy == Policy::Multipath {
            e.fds.rotate_left(1);
        }
        Some(fd)
    }

    /// Rebuilds the table from a routing table (upstream's
    /// `calculate_pff`): next hops without a DT flow (`nb_fd` gives
    /// `None`) are skipped, and destinations left without any.
    pub fn fill(&mut self, routes: &[Route], nb_fd: impl Fn(u64) -> Option<i32>) {
        self.flush();
        for r in routes {
            let fds: Vec<i32> = r.nhops.iter().filter_map(|&n| nb_fd(n)).collect();
            if !fds.is_empty() {
                // a routing table has each destination once
                let _ = self.add(r.dst, &fds);
            }
        }
    }

    /// A DT flow went down or came back. Only the alternate policy acts:
    /// entries led by a downed flow switch to their first alternate that
    /// is not down; entries whose primary comes back put it in front
    /// again (swapping it with the first position that holds it).
    pub fn flow_state_change(&mut self, fd: i32, up: bool) -> Result<(), PffError> {
        if self.policy != Policy::Alternate {
            return Ok(());
        }
        if up {
            let p = self.down.iter().position(|&d| d == fd);
            self.down.remove(p.ok_or(PffError::NotDown(fd))?);
        } else if self.down.contains(&fd) {
            // every failed write reports it again (upstream lists it again)
            return Ok(());
        } else {
            self.down.push(fd);
        }
        for e in self.table.values_mut() {
            let swap = if up {
                (e.primary == fd && e.fds.first() != Some(&fd))
                    .then(|| e.fds.iter().position(|&f| f == fd))
                    .flatten()
            } else if e.fds.first() == Some(&fd) {
                e.fds
                    .iter()
                    .skip(1)
                    .position(|f| !self.down.contains(f))
                    .map(|i| i + 1)
            } else {
                None
            };
            if let Some(i) = swap {
                e.fds.swap(0, i);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple() {
        let mut p = Pff::new(Policy::Simple);
        assert_eq!(p.nhop(7), None);
        p.add(7, &[65, 66]).unwrap();
        assert_eq!(p.add(7, &[67]), Err(PffError::Exists(7)));
        assert_eq!(p.add(8, &[]), Err(PffError::NoFds));
        assert_eq!(p.nhop(7), Some(65));
        assert_eq!(p.nhop(7), Some(65));
        p.update(7, &[70]).unwrap();
        assert_eq!(p.nhop(7), Some(70));
        assert_eq!(p.update(9, &[70]), Err(PffError::Missing(9)));
        p.del(7).unwrap();
        assert_eq!(p.del(7), Err(PffError::Missing(7)));
        assert!(p.is_empty());
        // flow events mean nothing here
        assert_eq!(p.flow_state_change(65, true), Ok(()));
    }

    #[test]
    fn multipath_rotates_per_lookup() {
        let mut p = Pff::new(Policy::Multipath);
        p.add(7, &[65, 66, 67]).unwrap();
        let got: Vec<_> = (0..5).map(|_| p.nhop(7).unwrap()).collect();
        assert_eq!(got, [65, 66, 67, 65, 66]);
    }

    #[test]
    fn alternate_fails_over_and_back() {
        let mut p = Pff::new(Policy::Alternate);
        // as LFA produces it: primary, alternates, the primary again
        p.add(7, &[65, 66, 65]).unwrap();
        p.add(8, &[66, 67]).unwrap();
        assert_eq!(p.nhop(7), Some(65));
        p.flow_state_change(65, false).unwrap();
        assert_eq!(p.nhop(7), Some(66));
        assert_eq!(p.nhop(8), Some(66));
        p.flow_state_change(66, false).unwrap();
        // 7 is led by 66 now, whose alternates (65 again) are all down
        assert_eq!(p.nhop(7), Some(66));
        assert_eq!(p.nhop(8), Some(67));
        p.flow_state_change(65, true).unwrap();
        assert_eq!(p.nhop(7), Some(65));
        assert_eq!(p.flow_state_change(65, true), Err(PffError::NotDown(65)));
        p.flow_state_change(66, true).unwrap();
        assert_eq!(p.nhop(8), Some(66));
        // a flow reported down again (each failed write does) comes back
        // with one report
        p.flow_state_change(66, false).unwrap();
        p.flow_state_change(66, false).unwrap();
        assert_eq!(p.nhop(8), Some(67));
        p.flow_state_change(66, true).unwrap();
        assert_eq!(p.nhop(8), Some(66));
        assert_eq!(p.flow_state_change(66, true), Err(PffError::NotDown(66)));
    }

    #[test]
    fn fill_from_routes() {
        let routes = [
            Route {
                dst: 3,
                nhops: vec![2, 9],
            },
            Route {
                dst: 4,
                nhops: vec![9],
            },
        ];
        let mut p = Pff::new(Policy::Multipath);
        p.add(100, &[1]).unwrap();
        p.fill(&routes, |a| (a == 2).then_some(65));
        assert_eq!(p.len(), 1);
        assert_eq!(p.nhop(3), Some(65));
        assert_eq!(p.nhop(4), None);
        assert_eq!(p.nhop(100), None);
        assert_eq!(Policy::for_algo(Algo::Lfa), Policy::Alternate);
    }
}

//! What the Ethernet shims know of their flows: per fd the peer's MAC
//! and endpoint (fd for DIX, SAP for LLC) and, for LLC, the local SAP,
//! allocated lowest free from 2 to 65.

use super::frame::Mac;
use std::collections::HashMap;

/// The first and last data SAP (1 is management).
pub const SAP_FIRST: u8 = 2;
pub const SAP_LAST: u8 = 65;

/// One flow's endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ef {
    /// The peer's fd or SAP once known.
    pub r_ep: Option<u16>,
    pub r_addr: Mac,
    /// LLC: our SAP once allocated.
    pub sap: Option<u8>,
    /// Our request waits for its reply.
    pub pending: bool,
}

impl Ef {
    /// A flow we requested from the host at `r_addr`.
    pub fn requested(r_addr: Mac, sap: Option<u8>) -> Ef {
        Ef {
            r_ep: None,
            r_addr,
            sap,
            pending: true,
        }
    }

    /// A flow requested by endpoint `r_ep` at `r_addr`.
    pub fn accepted(r_addr: Mac, r_ep: u16) -> Ef {
        Ef {
            r_ep: Some(r_ep),
            r_addr,
            sap: None,
            pending: false,
        }
    }
}

#[derive(Debug, Default)]
pub struct Table {
    by_fd: HashMap<i32, Ef>,
    /// LLC: the fd of each allocated SAP.
    by_sap: HashMap<u8, i32>,
}

impl Table {
    pub fn get(&self, fd: i32) -> Option<Ef> {
        self.by_fd.get(&fd).copied()
    }

    pub fn get_mut(&mut self, fd: i32) -> Option<&mut Ef> {
        self.by_fd.get_mut(&fd)
    }

    /// Records `ef` for `fd`, replacing (and freeing the SAP of) an old one.
    pub fn insert(&mut self, fd: i32, ef: Ef) {
        self.remove(fd);
        if let Some(sap) = ef.sap {
            self.by_sap.insert(sap, fd);
        }
        self.by_fd.insert(fd, ef);
    }

    /// Forgets `fd`, freeing its SAP.
    pub fn remove(&mut self, fd: i32) {
        if let Some(ef) = self.by_fd.remove(&fd) {
            if let Some(sap) = ef.sap {
                self.by_sap.remove(&sap);
            }
        }
    }

    /// The lowest free SAP, not taken yet.
    pub fn free_sap(&self) -> Option<u8> {
        (SAP_FIRST..=SAP_LAST).find(|s| !self.by_sap.contains_key(s))
    }

    /// Gives `fd` (which must be known) the lowest free SAP.
    pub fn assign_sap(&mut self, fd: i32) -> Option<u8> {
        let sap = self.free_sap()?;
        let ef = self.by_fd.get_mut(&fd)?;
        if let Some(old) = ef.sap.replace(sap) {
            self.by_sap.remove(&old);
        }
        self.by_sap.insert(sap, fd);
        Some(sap)
    }

    /// Takes the SAP of `fd` back.
    pub fn release_sap(&mut self, fd: i32) {
        if let Some(sap) = self.by_fd.get_mut(&fd).and_then(|ef| ef.sap.take()) {
            self.by_sap.remove(&sap);
        }
    }

    /// The fd whose local SAP is `sap`.
    pub fn fd_of_sap(&self, sap: u8) -> Option<i32> {
        self.by_sap.get(&sap).copied()
    }

    /// Every fd with a flow.
    pub fn fds(&self) -> Vec<i32> {
        self.by_fd.keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Mac = [2, 0, 0, 0, 0, 1];

    #[test]
    fn saps_lowest_free_from_2_to_65() {
        let mut t = Table::default();
        for fd in 64..128 {
            t.insert(fd, Ef::accepted(M, 9));
            assert_eq!(t.assign_sap(fd), Some((fd - 62) as u8));
        }
        assert_eq!(t.fd_of_sap(65), Some(127));
        t.insert(200, Ef::accepted(M, 9));
        assert_eq!(t.assign_sap(200), None, "64 SAPs only");
        t.remove(70);
        assert_eq!(t.fd_of_sap(8), None);
        assert_eq!(t.free_sap(), Some(8));
        assert_eq!(t.assign_sap(200), Some(8));
        t.release_sap(64);
        assert_eq!(t.get(64).map(|e| e.sap), Some(None));
        assert_eq!(t.free_sap(), Some(2));
    }

    #[test]
    fn reinsert_frees_the_old_sap() {
        let mut t = Table::default();
        t.insert(64, Ef::requested(M, Some(2)));
        assert_eq!(t.fd_of_sap(2), Some(64));
        t.insert(64, Ef::requested(M, Some(3)));
        assert_eq!((t.fd_of_sap(2), t.fd_of_sap(3)), (None, Some(64)));
        assert_eq!(t.assign_sap(99), None, "unknown fd");
        assert_eq!(t.fds(), vec![64]);
        t.remove(64);
        assert_eq!(t.fd_of_sap(3), None);
        assert!(t.get(64).is_none());
    }
}

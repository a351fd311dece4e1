//! Broadcast forwarding: the neighbours (N-1 data-transfer connections
//! and joined application flows) and the reader that floods every SDU to
//! all neighbours but the one it came from. No header, no duplicate
//! suppression: the layer's graph must be a tree.

use crate::common::connmgr::{self, Component, Conn};
use ouroboros::c_api::fccntl::{FLOWFDEFAULT, FLOWFRNOBLOCK, FLOWFRNOPART};
use ouroboros::dev::fccntl::{fccntl, Cmd};
use ouroboros::dev::fqueue::{FSet, FQ};
use ouroboros::dev::np1;
use ouroboros::errno::Error;
use ouroboros::ssm::FLOW_PKT;
use ouroboros::{log_err, log_info, log_warn};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const PREFIX: &str = "dt";
/// SDUs are forwarded up to this length; longer ones are cut (upstream's
/// read buffer).
pub const BROADCAST_MTU: usize = 1400;
/// Read buffer for N-1 flows: whole SDUs are read, then cut.
const READ_BUF: usize = 1 << 16;
/// Neighbours are also polled this often: a packet that arrived before
/// its flow joined the set raised no event.
const SWEEP: Duration = Duration::from_millis(100);

/// What goes out of an SDU.
pub fn clip(sdu: &[u8]) -> &[u8] {
    &sdu[..sdu.len().min(BROADCAST_MTU)]
}

/// The forwarding rule: every neighbour except the arrival one.
pub fn targets(nbs: impl IntoIterator<Item = i32>, from: i32) -> Vec<i32> {
    nbs.into_iter().filter(|&fd| fd != from).collect()
}

/// One neighbour.
#[derive(Debug)]
pub enum Nb {
    /// A data-transfer connection to a peer IPCP (our N-1 flow).
    Lower(Conn),
    /// An application that joined the layer (our N+1 flow's fd).
    Joined(i32),
}

impl Nb {
    pub fn fd(&self) -> i32 {
        match self {
            Nb::Lower(c) => c.flow.fd(),
            Nb::Joined(fd) => *fd,
        }
    }

    /// The next waiting SDU into `buf` (non-blocking); `None` when there
    /// is none or the flow failed.
    fn read(&self, buf: &mut Vec<u8>) -> Option<()> {
        match self {
            Nb::Lower(c) => {
                buf.resize(READ_BUF, 0);
                loop {
                    match c.flow.read(buf) {
                        Ok(n) => {
                            buf.truncate(n);
                            return Some(());
                        }
                        // too long even for READ_BUF: dropped, next one
                        Err(Error::MsgSize) => continue,
                        Err(_) => return None,
                    }
                }
            }
            Nb::Joined(fd) => np1::np1_flow_read(*fd, buf).ok(),
        }
    }

    fn write(&self, sdu: &[u8]) {
        let _ = match self {
            Nb::Lower(c) => c.flow.write(sdu).map(|_| ()),
            Nb::Joined(fd) => np1::np1_flow_write(*fd, sdu),
        };
    }
}

pub struct Fwd {
    nbs: RwLock<BTreeMap<i32, Arc<Nb>>>,
    set: FSet,
}

impl Fwd {
    /// A forwarder with its flow set; `None` when no set is left.
    pub fn new() -> Option<Arc<Fwd>> {
        Some(Arc::new(Fwd {
            nbs: RwLock::new(BTreeMap::new()),
            set: FSet::create()?,
        }))
    }

    pub fn add_nb(&self, nb: Nb) {
        let fd = nb.fd();
        if let Nb::Lower(c) = &nb {
            // reads never wait (the set says when) and take whole SDUs
            let flags = FLOWFDEFAULT | FLOWFRNOPART | FLOWFRNOBLOCK;
            let _ = fccntl(c.flow.fd(), Cmd::SetFlags(flags));
            let _ = c.flow.set_read_timeout(None);
        }
        {
            let mut nbs = self.nbs.write().unwrap_or_else(|e| e.into_inner());
            if nbs.contains_key(&fd) {
                log_warn!(PREFIX, "Already know neighbor on fd {}.", fd);
                return;
            }
            nbs.insert(fd, Arc::new(nb));
        }
        let _ = self.set.add(fd);
        log_info!(PREFIX, "Neighbor {} added.", fd);
    }

    /// Removes the neighbour on `fd`.
    pub fn del_nb(&self, fd: i32) -> Option<Arc<Nb>> {
        let nb = self
            .nbs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&fd);
        match &nb {
            Some(_) => {
                self.set.del(fd);
                log_info!(PREFIX, "Neighbor {} deleted.", fd);
            }
            None => log_err!(PREFIX, "Neighbor not found on fd {}.", fd),
        }
        nb
    }

    pub fn fds(&self) -> Vec<i32> {
        let nbs = self.nbs.read().unwrap_or_else(|e| e.into_inner());
        nbs.keys().copied().collect()
    }

    fn get(&self, fd: i32) -> Option<Arc<Nb>> {
        let nbs = self.nbs.read().unwrap_or_else(|e| e.into_inner());
        nbs.get(&fd).cloned()
    }

    /// Starts the reader thread.
    pub fn start(self: &Arc<Self>) -> bool {
        let me = self.clone();
        std::thread::Builder::new()
            .name("broadcast-reader".into())
            .spawn(move || me.reader())
            .is_ok()
    }

    fn reader(&self) {
        let mut fq = FQ::new();
        let mut buf = Vec::with_capacity(READ_BUF);
        let mut next_sweep = Instant::now() + SWEEP;
        loop {
            if self.set.wait(&mut fq, Some(SWEEP)).is_ok() {
                while let Ok(fd) = fq.next_fd() {
                    if fq.event_type() != Ok(FLOW_PKT) {
                        continue;
                    }
                    if let Some(nb) = self.get(fd) {
                        self.drain(&nb, &mut buf);
                    }
                }
            }
            if Instant::now() >= next_sweep {
                for fd in self.fds() {
                    if let Some(nb) = self.get(fd) {
                        self.drain(&nb, &mut buf);
                    }
                }
                next_sweep = Instant::now() + SWEEP;
            }
        }
    }

    /// Forwards everything waiting on `nb`.
    fn drain(&self, nb: &Nb, buf: &mut Vec<u8>) {
        while nb.read(buf).is_some() {
            self.forward(nb.fd(), clip(buf));
        }
    }

    /// Writes `sdu` to every neighbour but `from`.
    pub fn forward(&self, from: i32, sdu: &[u8]) {
        let out: Vec<Arc<Nb>> = {
            let nbs = self.nbs.read().unwrap_or_else(|e| e.into_inner());
            targets(nbs.keys().copied(), from)
                .into_iter()
                .filter_map(|fd| nbs.get(&fd).cloned())
                .collect()
        };
        for nb in out {
            nb.write(sdu);
        }
    }
}

/// The data-transfer component: its connections are neighbours.
impl Component for Fwd {
    fn add(&self, conn: Conn) {
        self.add_nb(Nb::Lower(conn));
    }

    fn remove(&self, dst: &str) -> Option<i32> {
        let fd = {
            let nbs = self.nbs.read().unwrap_or_else(|e| e.into_inner());
            nbs.values().find_map(|nb| match &**nb {
                Nb::Lower(c) if c.dst == dst => Some(c.flow.fd()),
                _ => None,
            })
        }?;
        let nb = self.del_nb(fd)?;
        // the reader may hold it a moment longer; the flow then goes
        // when it lets go
        match Arc::try_unwrap(nb) {
            Ok(Nb::Lower(conn)) => Some(connmgr::dealloc(conn)),
            _ => Some(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floods_to_all_but_the_arrival_neighbour() {
        assert_eq!(targets([64, 65, 66], 65), [64, 66]);
        assert_eq!(targets([64, 65, 66], 70), [64, 65, 66]);
        assert_eq!(targets([64], 64), Vec::<i32>::new());
        assert_eq!(targets([], 64), Vec::<i32>::new());
    }

    #[test]
    fn cuts_long_sdus_only() {
        let long = vec![7u8; 2000];
        assert_eq!(clip(&long).len(), BROADCAST_MTU);
        assert_eq!(clip(&long[..1400]).len(), 1400);
        assert_eq!(clip(b"hello.from.B\0"), b"hello.from.B\0");
        assert_eq!(clip(&[]), &[] as &[u8]);
    }
}

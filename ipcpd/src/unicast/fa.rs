//! The flow allocator's table (spec §5.4): for every N+1 flow, the
//! eid we handed out, the peer's address and eid, and the congestion
//! state of both directions. Pure state; the running IPCP (`node`) sends
//! the messages and holds packets back.

use super::ca;
use super::eid;
use std::collections::HashMap;

/// Maximum packet lifetime reported for flows of a unicast layer (ms).
pub const MPL: u32 = 100;

/// One N+1 flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Our endpoint id for the flow ((random << 32) | fd).
    pub eid: u64,
    /// The peer IPCP's address.
    pub r_addr: u64,
    /// The peer's endpoint id (0 until its FLOW_REPLY arrives).
    pub r_eid: u64,
    pub rx: ca::Rx,
    /// The QoS cube its data PDUs carry.
    pub qc: u8,
    /// Sender rate control, from the first packet or FLOW_UPDATE on.
    pub tx: Option<ca::Tx>,
}

impl Entry {
    /// The sender's rate control, started at `now_ns` if it is not yet.
    fn tx_at(&mut self, now_ns: u64) -> &mut ca::Tx {
        self.tx.get_or_insert_with(|| ca::Tx::new(now_ns))
    }
}

/// Congestion feedback due: a FLOW_UPDATE with `ece` for the flow the
/// node at `r_addr` knows as `r_eid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feedback {
    pub r_addr: u64,
    pub r_eid: u64,
    pub ece: u16,
}

/// What a FLOW_REPLY did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replied {
    /// The flow on this fd now knows the peer's eid.
    Up(i32),
    /// Negative answer: the flow on this fd is forgotten.
    Refused(i32),
}

#[derive(Debug, Default)]
pub struct Flows {
    map: HashMap<i32, Entry>,
}

impl Flows {
    /// Records flow `fd` in QoS cube `qc` to the peer at `r_addr` (with
    /// its eid, or 0 when not known yet); `rnd` makes our eid. Returns our
    /// eid.
    pub fn insert(&mut self, fd: i32, r_addr: u64, r_eid: u64, qc: u8, rnd: u32) -> u64 {
        let eid = eid::flow_eid(rnd, fd as u32);
        self.map.insert(
            fd,
            Entry {
                eid,
                r_addr,
                r_eid,
                rx: ca::Rx::default(),
                qc,
                tx: None,
            },
        );
        eid
    }

    pub fn get(&self, fd: i32) -> Option<Entry> {
        self.map.get(&fd).copied()
    }

    pub fn remove(&mut self, fd: i32) -> Option<Entry> {
        self.map.remove(&fd)
    }

    /// The fds of every flow.
    pub fn fds(&self) -> Vec<i32> {
        self.map.keys().copied().collect()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The flow an eid we handed out names: its fd, if the whole eid
    /// (random half included) matches.
    pub fn fd_of(&self, eid: u64) -> Option<i32> {
        let fd = i32::try_from(eid::eid_fd(eid)?).ok()?;
        match self.map.get(&fd) {
            Some(e) if e.eid == eid => Some(fd),
            _ => None,
        }
    }

    /// A FLOW_REPLY for our eid `r_eid` with the peer's eid `s_eid`.
    pub fn reply(&mut self, r_eid: u64, s_eid: u64, response: i32) -> Option<Replied> {
        let fd = self.fd_of(r_eid)?;
        if response < 0 {
            self.map.remove(&fd);
            return Some(Replied::Refused(fd));
        }
        let e = self.map.get_mut(&fd)?;
        e.r_eid = s_eid;
        Some(Replied::Up(fd))
    }

    /// A FLOW_UPDATE for our eid `eid`: the congestion level `ece` the
    /// receiver sees. False for an eid we did not hand out.
    pub fn update(&mut self, eid: u64, ece: u16, now_ns: u64) -> bool {
        let Some(fd) = self.fd_of(eid) else {
            return false;
        };
        let Some(e) = self.map.get_mut(&fd) else {
            return false;
        };
        e.tx_at(now_ns).on_update(ece);
        true
    }

    /// Accounts an SDU of `len` bytes the application sent on `fd` at
    /// `now_ns`: the flow's entry and how long to hold the SDU back (ns,
    /// as upstream's sender waits before it writes).
    pub fn on_send(&mut self, fd: i32, len: usize, now_ns: u64) -> Option<(Entry, u64)> {
        let e = self.map.get_mut(&fd)?;
        let wait = e.tx_at(now_ns).on_send(len, now_ns);
        Some((*e, wait))
    }

    /// A data PDU for our eid `eid` carrying `ecn`: the fd to deliver to,
    /// and the congestion level to report to the sender, if due.
    pub fn data(&mut self, eid: u64, ecn: u8) -> Option<(i32, Option<Feedback>)> {
        let fd = self.fd_of(eid)?;
        let e = self.map.get_mut(&fd)?;
        let upd = e.rx.update(ecn).map(|ece| Feedback {
            r_addr: e.r_addr,
            r_eid: e.r_eid,
            ece,
        });
        Some((fd, upd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requester_side() {
        let mut f = Flows::default();
        let eid = f.insert(66, 0xd8f7_9456, 0, 0, 0xfc4d_203d);
        assert_eq!(eid, 0xfc4d_203d_0000_0042);
        assert_eq!(f.get(66).unwrap().r_eid, 0);
        // a reply to a stale eid (other random half) or unknown fd: nothing
        assert_eq!(f.reply(0x1111_1111_0000_0042, 5, 0), None);
        assert_eq!(f.reply(0xfc4d_203d_0000_0043, 5, 0), None);
        assert_eq!(
            f.reply(eid, 0xab15_b687_0000_0042, 0),
            Some(Replied::Up(66))
        );
        let e = f.get(66).unwrap();
        assert_eq!((e.r_addr, e.r_eid), (0xd8f7_9456, 0xab15_b687_0000_0042));
        // data for our eid goes to fd 66; wrong random half is dropped
        assert_eq!(f.data(eid, 0), Some((66, None)));
        assert_eq!(f.data(eid ^ (1 << 40), 0), None);
        assert_eq!(f.data(64, 0), None);
        assert_eq!(f.data(u64::MAX, 0), None);
    }

    #[test]
    fn refused_reply_forgets_the_flow() {
        let mut f = Flows::default();
        let eid = f.insert(70, 9, 0, 0, 1);
        assert_eq!(f.reply(eid, 0, -1), Some(Replied::Refused(70)));
        assert!(f.is_empty());
        assert_eq!(f.data(eid, 0), None);
    }

    fn fb(ece: u16) -> Feedback {
        Feedback {
            r_addr: 0xfa48_88cc,
            r_eid: 0xfc4d_203d_0000_0042,
            ece,
        }
    }

    #[test]
    fn acceptor_side_and_congestion_feedback() {
        let mut f = Flows::default();
        let eid = f.insert(64, 0xfa48_88cc, 0xfc4d_203d_0000_0042, 0, 7);
        assert_eq!(f.len(), 1);
        // a marked packet starts an episode: report to the sender's eid
        assert_eq!(f.data(eid, 3), Some((64, Some(fb(3)))));
        // unmarked packets fade it; the update goes when it reaches 0
        assert_eq!(f.data(eid, 0), Some((64, Some(fb(0)))));
        assert_eq!(f.data(eid, 0), Some((64, None)));
        assert_eq!(f.remove(64).map(|e| e.eid), Some(eid));
        assert_eq!(f.data(eid, 0), None);
    }

    #[test]
    fn sender_paces_by_the_receivers_updates() {
        const SLOT: u64 = 1 << 24;
        let mut f = Flows::default();
        let eid = f.insert(65, 0xfa48_88cc, 0xfc4d_203d_0000_0042, 2, 7);
        assert_eq!(f.on_send(99, 100, 0), None, "no such flow");
        assert!(!f.update(eid ^ 1, 3, 0), "not our eid");
        // slow start: the first slot takes 64 KiB; the packet that goes
        // over waits for the next slot
        let t0 = 5 * SLOT;
        let mut sent = 0;
        let wait = loop {
            let (e, wait) = f.on_send(65, 1000, t0).unwrap();
            assert_eq!((e.r_eid, e.qc), (0xfc4d_203d_0000_0042, 2));
            if wait > 0 {
                break wait;
            }
            sent += 1000;
        };
        assert_eq!(sent, 65_000);
        assert_eq!(wait, SLOT);
        // a congestion report reaches the flow's rate control (ca.rs
        // tests what it does there)
        assert!(f.update(eid, 0xff, t0));
        assert_eq!(f.get(65).unwrap().tx.unwrap().ece(), 0xff);
    }
}

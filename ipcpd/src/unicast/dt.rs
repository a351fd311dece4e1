//! Data transfer (spec §5.3): the N-1 flows of the connection manager's
//! DT and Management components, what the receive path does with a PDU,
//! and the header for PDUs we originate.

use super::dt_pci::{DtPci, Layout, Rx};
use super::pff::Pff;
use crate::common::connmgr::Conn;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which component an N-1 flow belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Carries DT PDUs only.
    Dt,
    /// Carries LSAs only.
    Mgmt,
}

/// One N-1 flow to a neighbour.
#[derive(Debug)]
pub struct N1 {
    pub conn: Conn,
    pub kind: Kind,
}

impl N1 {
    pub fn fd(&self) -> i32 {
        self.conn.flow.fd()
    }

    /// The neighbour's address, from its CEP message.
    pub fn addr(&self) -> u64 {
        self.conn.peer.addr
    }
}

/// The N-1 flows by fd.
#[derive(Debug, Default)]
pub struct N1s {
    map: BTreeMap<i32, Arc<N1>>,
}

impl N1s {
    /// Adds a flow; false if its fd is known already.
    pub fn add(&mut self, n: N1) -> bool {
        let fd = n.fd();
        if self.map.contains_key(&fd) {
            return false;
        }
        self.map.insert(fd, Arc::new(n));
        true
    }

    pub fn get(&self, fd: i32) -> Option<Arc<N1>> {
        self.map.get(&fd).cloned()
    }

    pub fn remove(&mut self, fd: i32) -> Option<Arc<N1>> {
        self.map.remove(&fd)
    }

    pub fn fds(&self) -> Vec<i32> {
        self.map.keys().copied().collect()
    }

    /// The flows of one kind.
    pub fn of(&self, kind: Kind) -> Vec<Arc<N1>> {
        self.map
            .values()
            .filter(|n| n.kind == kind)
            .cloned()
            .collect()
    }

    /// The DT flow to the neighbour at `addr` (the first one).
    pub fn dt_fd(&self, addr: u64) -> Option<i32> {
        self.map
            .values()
            .find(|n| n.kind == Kind::Dt && n.addr() == addr)
            .map(|n| n.fd())
    }

    /// The flow of `kind` made by `connect` to `dst`.
    pub fn connected_to(&self, kind: Kind, dst: &str) -> Option<i32> {
        self.map
            .values()
            .find(|n| n.kind == kind && n.conn.dst == dst)
            .map(|n| n.fd())
    }
}

/// What the receive path does with one PDU read from a DT flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Dropped: malformed, out of hops, no route, or unknown component.
    Drop,
    /// Forward the PDU (TTL already decremented) on this N-1 fd.
    Forward(i32),
    /// The payload (after `head` bytes) is for the flow allocator's data
    /// path.
    Flow { eid: u64, ecn: u8, head: usize },
    /// The payload is for component eid 0 (FA) or 1 (DHT).
    Component { eid: u64, head: usize },
}

/// Upstream's `packet_handler`: decrements the TTL in `pdu` and decides.
pub fn receive(layout: Layout, own: u64, pdu: &mut [u8], pff: &mut Pff) -> Action {
    let head = layout.head_len();
    match layout.receive(pdu, own) {
        Err(_) | Ok(Rx::TtlExpired) => Action::Drop,
        Ok(Rx::Forward(dst)) => pff.nhop(dst).map_or(Action::Drop, Action::Forward),
        Ok(Rx::Flow { eid, ecn }) => Action::Flow { eid, ecn, head },
        Ok(Rx::Component(eid)) if eid == super::eid::FA || eid == super::eid::DHT => {
            Action::Component { eid, head }
        }
        Ok(Rx::Component(_)) => Action::Drop,
    }
}

/// The PDU we originate for `dst`: TTL = max_ttl, ECN 0.
pub fn originate(layout: Layout, max_ttl: u8, dst: u64, qc: u8, eid: u64, sdu: &[u8]) -> Vec<u8> {
    let pci = DtPci {
        dst,
        qc,
        ttl: max_ttl,
        ecn: 0,
        eid,
    };
    layout.pdu(&pci, sdu)
}

/// Adds the congestion mark policy `ca` puts on `pdu` when it goes out on
/// an N-1 flow with `queued` packets waiting (OR-ed into the ECN byte, as
/// each hop does; a runt is left alone).
pub fn mark(ca: super::ca::Policy, layout: Layout, pdu: &mut [u8], queued: usize) {
    let ecn = ca.mark(0, queued);
    if ecn != 0 {
        let _ = layout.or_ecn(pdu, ecn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unicast::pff::Policy;
    use crate::unicast::test_util::unhex;

    const OWN: u64 = 0xd8f7_9456;
    const B: u64 = 0x0102_0304;

    fn table() -> Pff {
        let mut p = Pff::new(Policy::Simple);
        p.add(0xfa48_88cc, &[65]).unwrap();
        p
    }

    #[test]
    fn worked_example_is_delivered_or_forwarded() {
        let l = Layout::default();
        let pdu = originate(
            l,
            60,
            OWN,
            0,
            0xd877_5594_0000_0042,
            &[1, 2, 3, 4, 5, 6, 7, 8],
        );
        assert_eq!(
            pdu,
            unhex("5694f7d8003c00420000009455 77d80102030405060708")
        );
        // at C: for the flow with that eid, payload after 15 bytes
        let mut at_c = pdu.clone();
        assert_eq!(
            receive(l, OWN, &mut at_c, &mut table()),
            Action::Flow {
                eid: 0xd877_5594_0000_0042,
                ecn: 0,
                head: 15
            }
        );
        // at B (not for B): forwarded only with a route, TTL 59
        let mut at_b = pdu.clone();
        assert_eq!(receive(l, B, &mut at_b, &mut table()), Action::Drop);
        let mut p = table();
        p.add(OWN, &[70]).unwrap();
        let mut at_b = pdu.clone();
        assert_eq!(receive(l, B, &mut at_b, &mut p), Action::Forward(70));
        assert_eq!(at_b[5], 0x3b);
        assert_eq!(at_b[..5], pdu[..5]);
        assert_eq!(at_b[6..], pdu[6..]);
    }

    #[test]
    fn congestion_marks_add_up_along_the_path() {
        use crate::unicast::ca::Policy as Ca;
        let l = Layout::default();
        let ecn = l.ecn_offset();
        const EID: u64 = 0xd877_5594_0000_0042;
        let mut pdu = originate(l, 60, OWN, 0, EID, b"data");
        mark(Ca::MbEcn, l, &mut pdu, 15);
        assert_eq!(pdu[ecn], 0, "fewer than 16 queued: no mark");
        mark(Ca::MbEcn, l, &mut pdu, 16);
        assert_eq!(pdu[ecn], 1);
        // the next hop ORs its own mark in
        mark(Ca::MbEcn, l, &mut pdu, 4 * 16 + 3);
        assert_eq!(pdu[ecn], 5);
        mark(Ca::None, l, &mut pdu, 1 << 10);
        assert_eq!(pdu[ecn], 5, "no policy: no mark");
        let before = pdu.clone();
        mark(Ca::MbEcn, l, &mut pdu, 0);
        assert_eq!(pdu, before);
        // a runt is left alone
        let mut runt = vec![0u8; 3];
        mark(Ca::MbEcn, l, &mut runt, 1 << 10);
        assert_eq!(runt, vec![0u8; 3]);
        // the receiver sees the mark
        let mut p = table();
        let mut at_c = pdu.clone();
        assert_eq!(
            receive(l, OWN, &mut at_c, &mut p),
            Action::Flow {
                eid: EID,
                ecn: 5,
                head: 15
            }
        );
    }

    #[test]
    fn ttl_components_and_runts() {
        let l = Layout::default();
        let mut p = table();
        p.add(OWN, &[70]).unwrap();
        // last hop for a transit PDU: dropped
        let mut pdu = originate(l, 1, OWN, 0, 0, b"x");
        assert_eq!(receive(l, B, &mut pdu, &mut p), Action::Drop);
        // but delivered when it is for us
        let mut pdu = originate(l, 1, OWN, 0, 0, b"x");
        assert_eq!(
            receive(l, OWN, &mut pdu, &mut p),
            Action::Component { eid: 0, head: 15 }
        );
        let mut pdu = originate(l, 60, OWN, 2, 1, b"");
        assert_eq!(
            receive(l, OWN, &mut pdu, &mut p),
            Action::Component { eid: 1, head: 15 }
        );
        // eids 2..63 have no component
        let mut pdu = originate(l, 60, OWN, 0, 2, b"x");
        assert_eq!(receive(l, OWN, &mut pdu, &mut p), Action::Drop);
        for n in 0..15 {
            let mut runt = vec![0u8; n];
            assert_eq!(receive(l, OWN, &mut runt, &mut p), Action::Drop);
        }
    }
}

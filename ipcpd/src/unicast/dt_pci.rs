//! The data transfer PCI (spec §5.3): the header in front of every SDU on
//! a unicast layer's DT flows.
//!
//! ```text
//!  dst addr (addr_size, LE) | qc (1) | ttl (1) | ecn (1) | eid (eid_size, LE)
//! ```
//!
//! Upstream copies native integers into the header, so the multi-byte
//! fields are little-endian on every realistic build; we write LE
//! explicitly. There is no length, source or checksum: the N-1 flow gives
//! the SDU boundary.

use std::fmt;

/// The only address size the flat address authority accepts.
pub const ADDR_SIZE: u8 = 4;
/// The only eid size upstream supports (others are forced to it).
pub const EID_SIZE: u8 = 8;
/// The default initial TTL.
pub const MAX_TTL: u8 = 60;

/// The decoded header. `qc` is the byte as sent: receivers accept any
/// value (forwarding uses the cube of the arrival flow, not this one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DtPci {
    pub dst: u64,
    pub qc: u8,
    pub ttl: u8,
    pub ecn: u8,
    pub eid: u64,
}

/// Field sizes fixed by the layer's configuration; offsets follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    addr_size: u8,
    eid_size: u8,
}

/// Why a header could not be read or a layout not built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadPci {
    /// The SDU is shorter than the header.
    Short { len: usize, need: usize },
    /// A field size outside 1..=8 bytes.
    Size(u32),
}

impl fmt::Display for BadPci {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadPci::Short { len, need } => write!(f, "DT PDU of {len} bytes, header needs {need}"),
            BadPci::Size(s) => write!(f, "unsupported DT field size {s}"),
        }
    }
}

impl std::error::Error for BadPci {}

impl Default for Layout {
    fn default() -> Layout {
        Layout {
            addr_size: ADDR_SIZE,
            eid_size: EID_SIZE,
        }
    }
}

fn size(s: u32) -> Result<u8, BadPci> {
    match u8::try_from(s) {
        Ok(b @ 1..=8) => Ok(b),
        _ => Err(BadPci::Size(s)),
    }
}

impl Layout {
    /// The layout for a configuration's `addr_size` and `eid_size`. Like
    /// upstream's `dt_init`, any eid size other than 8 becomes 8; the
    /// second value says whether that happened (upstream logs a warning).
    pub fn from_config(addr_size: u32, eid_size: u32) -> Result<(Layout, bool), BadPci> {
        let forced = eid_size != u32::from(EID_SIZE);
        let l = Layout {
            addr_size: size(addr_size)?,
            eid_size: EID_SIZE,
        };
        Ok((l, forced))
    }

    /// A layout with exactly these sizes (each 1..=8 bytes).
    pub fn new(addr_size: u32, eid_size: u32) -> Result<Layout, BadPci> {
        Ok(Layout {
            addr_size: size(addr_size)?,
            eid_size: size(eid_size)?,
        })
    }

    pub fn addr_size(self) -> usize {
        usize::from(self.addr_size)
    }

    pub fn eid_size(self) -> usize {
        usize::from(self.eid_size)
    }

    pub fn qc_offset(self) -> usize {
        self.addr_size()
    }

    pub fn ttl_offset(self) -> usize {
        self.addr_size() + 1
    }

    pub fn ecn_offset(self) -> usize {
        self.addr_size() + 2
    }

    pub fn eid_offset(self) -> usize {
        self.addr_size() + 3
    }

    /// Header length: 15 with the defaults.
    pub fn head_len(self) -> usize {
        self.eid_offset() + self.eid_size()
    }

    /// Appends the header for `pci` to `out`. Addresses and eids wider
    /// than their field lose their high bytes, as upstream's copies do.
    pub fn encode(self, pci: &DtPci, out: &mut Vec<u8>) {
        out.extend_from_slice(&pci.dst.to_le_bytes()[..self.addr_size()]);
        out.extend_from_slice(&[pci.qc, pci.ttl, pci.ecn]);
        out.extend_from_slice(&pci.eid.to_le_bytes()[..self.eid_size()]);
    }

    /// `pci`'s header followed by `payload`.
    pub fn pdu(self, pci: &DtPci, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.head_len() + payload.len());
        self.encode(pci, &mut out);
        out.extend_from_slice(payload);
        out
    }

    /// The header and the payload after it.
    pub fn decode(self, b: &[u8]) -> Result<(DtPci, &[u8]), BadPci> {
        let need = self.head_len();
        let (head, payload) = b
            .split_at_checked(need)
            .ok_or(BadPci::Short { len: b.len(), need })?;
        let le = |f: &[u8]| {
            let mut w = [0u8; 8];
            w[..f.len()].copy_from_slice(f);
            u64::from_le_bytes(w)
        };
        let (addr, rest) = head.split_at(self.addr_size());
        let (fixed, eid) = rest.split_at(3);
        let pci = DtPci {
            dst: le(addr),
            qc: fixed[0],
            ttl: fixed[1],
            ecn: fixed[2],
            eid: le(eid),
        };
        Ok((pci, payload))
    }

    /// The receive path (upstream's `packet_handler`): decrements the TTL
    /// byte in place, then decides. The TTL wraps like upstream's byte
    /// does, so a PDU arriving with TTL 0 leaves with 255 [!].
    pub fn receive(self, pdu: &mut [u8], own: u64) -> Result<Rx, BadPci> {
        let (mut pci, _) = self.decode(pdu)?;
        pci.ttl = pci.ttl.wrapping_sub(1);
        if let Some(ttl) = pdu.get_mut(self.ttl_offset()) {
            *ttl = pci.ttl;
        }
        Ok(if pci.dst != own {
            if pci.ttl == 0 {
                Rx::TtlExpired
            } else {
                Rx::Forward(pci.dst)
            }
        } else if pci.eid >= super::eid::RES_EIDS {
            Rx::Flow {
                eid: pci.eid,
                ecn: pci.ecn,
            }
        } else {
            Rx::Component(pci.eid)
        })
    }

    /// ORs a congestion level into the ECN byte (marks accumulate along
    /// the path).
    pub fn or_ecn(self, pdu: &mut [u8], ecn: u8) -> Result<(), BadPci> {
        let len = pdu.len();
        let b = pdu.get_mut(self.ecn_offset()).ok_or(BadPci::Short {
            len,
            need: self.head_len(),
        })?;
        *b |= ecn;
        Ok(())
    }
}

/// What the receive path does with a PDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rx {
    /// Not for us and out of hops: drop.
    TtlExpired,
    /// Not for us: look up this destination and forward the PDU as is
    /// (already carrying the decremented TTL).
    Forward(u64),
    /// For an N+1 flow: strip the header, hand to the flow allocator.
    Flow { eid: u64, ecn: u8 },
    /// For a component (0 FA, 1 DHT; others are dropped).
    Component(u64),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unicast::test_util::unhex;

    /// §9.1: the PDU leaving A towards C.
    const EXAMPLE: &str = "5694f7d8003c00420000009455 77d80102030405060708";

    fn example() -> DtPci {
        DtPci {
            dst: 0xd8f7_9456,
            qc: 0,
            ttl: 60,
            ecn: 0,
            eid: 0xd877_5594_0000_0042,
        }
    }

    #[test]
    fn worked_example() {
        let l = Layout::default();
        assert_eq!(l.head_len(), 15);
        let bytes = unhex(EXAMPLE);
        let (pci, payload) = l.decode(&bytes).unwrap();
        assert_eq!(pci, example());
        assert_eq!(payload, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(l.pdu(&pci, payload), bytes);
    }

    #[test]
    fn forwarding_decrements_ttl() {
        let l = Layout::default();
        let mut b = unhex(EXAMPLE);
        assert_eq!(l.receive(&mut b, 0xfa48_88cc), Ok(Rx::Forward(0xd8f7_9456)));
        assert_eq!(b[5], 0x3b);
        l.or_ecn(&mut b, 0x05).unwrap();
        l.or_ecn(&mut b, 0x03).unwrap();
        assert_eq!(b[6], 0x07);
        assert_eq!(
            l.receive(&mut b, 0xd8f7_9456),
            Ok(Rx::Flow {
                eid: 0xd877_5594_0000_0042,
                ecn: 7
            })
        );
    }

    #[test]
    fn ttl_edges() {
        let l = Layout::default();
        let mut pci = DtPci {
            ttl: 1,
            dst: 9,
            ..DtPci::default()
        };
        let mut b = l.pdu(&pci, &[]);
        assert_eq!(l.receive(&mut b, 1), Ok(Rx::TtlExpired));
        // delivered locally even at TTL 0
        let mut b = l.pdu(&pci, &[]);
        assert_eq!(l.receive(&mut b, 9), Ok(Rx::Component(0)));
        pci.ttl = 0;
        pci.eid = 1;
        let mut b = l.pdu(&pci, &[]);
        assert_eq!(l.receive(&mut b, 2), Ok(Rx::Forward(9)));
        assert_eq!(b[5], 255);
    }

    #[test]
    fn other_sizes() {
        let l = Layout::new(2, 3).unwrap();
        assert_eq!(l.head_len(), 8);
        let pci = DtPci {
            dst: 0x1234,
            qc: 2,
            ttl: 7,
            ecn: 1,
            eid: 0x0a0b0c,
        };
        let b = l.pdu(&pci, b"x");
        assert_eq!(b, [0x34, 0x12, 2, 7, 1, 0x0c, 0x0b, 0x0a, b'x']);
        assert_eq!(l.decode(&b).unwrap(), (pci, &b"x"[..]));
        let (l, forced) = Layout::from_config(4, 4).unwrap();
        assert!(forced);
        assert_eq!(l, Layout::default());
        assert_eq!(
            Layout::from_config(4, 8).unwrap(),
            (Layout::default(), false)
        );
        assert_eq!(Layout::new(0, 8), Err(BadPci::Size(0)));
        assert_eq!(Layout::new(4, 9), Err(BadPci::Size(9)));
        assert_eq!(Layout::from_config(300, 8), Err(BadPci::Size(300)));
    }

    #[test]
    fn short_input() {
        let l = Layout::default();
        for n in 0..15 {
            let mut b = vec![0u8; n];
            assert_eq!(l.decode(&b), Err(BadPci::Short { len: n, need: 15 }));
            assert!(l.receive(&mut b, 0).is_err());
            if n <= 6 {
                assert!(l.or_ecn(&mut b, 1).is_err());
            }
        }
        // a keepalive: a bare header
        let b = l.pdu(&example(), &[]);
        assert_eq!(b.len(), 15);
        assert_eq!(l.decode(&b).unwrap().1, &[] as &[u8]);
    }
}

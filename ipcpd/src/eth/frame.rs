//! Ethernet frames of the two shims. DIX: MACs, the layer's ethertype, a
//! 2-byte endpoint id and a 2-byte payload length. LLC: MACs, the 802.3
//! length (3 + payload), DSAP, SSAP and control 0x03, the SAPs
//! bit-reversed on the wire. All integers big-endian; frames are never
//! padded by the sender, so the length fields (not the frame length) say
//! where the payload ends.

/// An Ethernet hardware address.
pub type Mac = [u8; 6];

/// The broadcast address name queries go to.
pub const BROADCAST: Mac = [0xff; 6];

const MACS: usize = 12;
/// DIX: ethertype, endpoint id, length.
pub const DIX_HEADER: usize = MACS + 6;
/// LLC: 802.3 length, DSAP, SSAP, control.
pub const LLC_HEADER: usize = MACS + 5;
/// The shim's own part of the LLC header, counted in the 802.3 length.
const LLC_PDU_HEADER: usize = 3;
/// 802.2 unnumbered information.
const LLC_UI: u8 = 0x03;
/// Largest 802.3 length; larger values in that place are ethertypes.
const LLC_MAX_LENGTH: usize = 0x05ff;

/// The management endpoint: eid 0 (DIX), SAP 1 both ways (LLC).
pub const MGMT_EID: u16 = 0;
pub const MGMT_SAP: u8 = 1;

/// Mirrors the bits of a byte (bit 0 to bit 7, ...): SAPs on the wire.
pub fn reverse_bits(b: u8) -> u8 {
    b.reverse_bits()
}

/// Where a frame goes inside the receiving shim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ep {
    /// DIX: the receiver's endpoint id (its fd, 0: management).
    Eid(u16),
    /// LLC: destination and source SAP, plain (not reversed) numbers.
    Saps { dsap: u8, ssap: u8 },
}

impl Ep {
    pub fn is_mgmt(self) -> bool {
        match self {
            Ep::Eid(e) => e == MGMT_EID,
            Ep::Saps { dsap, ssap } => dsap == MGMT_SAP && ssap == MGMT_SAP,
        }
    }
}

/// One received frame, its payload cut to the in-frame length.
#[derive(Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    pub dst: Mac,
    pub src: Mac,
    pub ep: Ep,
    pub payload: &'a [u8],
}

/// Why a frame was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum BadFrame {
    /// Shorter than the header.
    Runt,
    /// Not ours: another ethertype (DIX), an ethertype where the 802.3
    /// length should be (LLC).
    NotOurs,
    /// The length field says more than the frame holds, or (LLC) less
    /// than the LLC header.
    BadLength,
}

/// The framing of one shim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    Dix { ethertype: u16 },
    Llc,
}

fn mac_at(b: &[u8], at: usize) -> Mac {
    let mut m = [0u8; 6];
    m.copy_from_slice(&b[at..at + 6]);
    m
}

fn be16(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_be_bytes([b[at], b[at + 1]]))
}

impl Framing {
    pub fn header_len(self) -> usize {
        match self {
            Framing::Dix { .. } => DIX_HEADER,
            Framing::Llc => LLC_HEADER,
        }
    }

    /// What the shim's header takes from the interface MTU (4 or 3).
    pub fn overhead(self) -> usize {
        match self {
            Framing::Dix { .. } => 4,
            Framing::Llc => LLC_PDU_HEADER,
        }
    }

    /// The largest MTU the shim uses, whatever the interface allows.
    pub fn mtu_max(self) -> usize {
        match self {
            Framing::Dix { .. } => 0xffff,
            Framing::Llc => 1500,
        }
    }

    /// The management endpoint of this framing.
    pub fn mgmt(self) -> Ep {
        match self {
            Framing::Dix { .. } => Ep::Eid(MGMT_EID),
            Framing::Llc => Ep::Saps {
                dsap: MGMT_SAP,
                ssap: MGMT_SAP,
            },
        }
    }

    /// Appends a whole frame to `out` (cleared first). The payload must
    /// fit the 16-bit length field, which the MTU rule guarantees.
    pub fn encode(self, out: &mut Vec<u8>, dst: &Mac, src: &Mac, ep: Ep, payload: &[u8]) {
        out.clear();
        out.extend_from_slice(dst);
        out.extend_from_slice(src);
        match (self, ep) {
            (Framing::Dix { ethertype }, Ep::Eid(eid)) => {
                out.extend_from_slice(&ethertype.to_be_bytes());
                out.extend_from_slice(&eid.to_be_bytes());
                out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
            }
            (Framing::Llc, Ep::Saps { dsap, ssap }) => {
                let len = (LLC_PDU_HEADER + payload.len()) as u16;
                out.extend_from_slice(&len.to_be_bytes());
                out.push(reverse_bits(dsap));
                out.push(reverse_bits(ssap));
                out.push(LLC_UI);
            }
            // an endpoint of the other framing: nothing sensible to send
            _ => {
                out.clear();
                return;
            }
        }
        out.extend_from_slice(payload);
    }

    /// Parses a received frame (possibly padded or truncated).
    pub fn decode(self, b: &[u8]) -> Result<Frame<'_>, BadFrame> {
        if b.len() < self.header_len() {
            return Err(BadFrame::Runt);
        }
        let (dst, src) = (mac_at(b, 0), mac_at(b, 6));
        let body = &b[self.header_len()..];
        let (ep, len) = match self {
            Framing::Dix { ethertype } => {
                if be16(b, 12) != usize::from(ethertype) {
                    return Err(BadFrame::NotOurs);
                }
                (Ep::Eid(be16(b, 14) as u16), be16(b, 16))
            }
            Framing::Llc => {
                let len = be16(b, 12);
                if len > LLC_MAX_LENGTH {
                    return Err(BadFrame::NotOurs);
                }
                let Some(len) = len.checked_sub(LLC_PDU_HEADER) else {
                    return Err(BadFrame::BadLength);
                };
                let ep = Ep::Saps {
                    dsap: reverse_bits(b[14]),
                    ssap: reverse_bits(b[15]),
                };
                (ep, len)
            }
        };
        if len > body.len() {
            return Err(BadFrame::BadLength);
        }
        Ok(Frame {
            dst,
            src,
            ep,
            payload: &body[..len],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Mac = [0x0a, 0x18, 0xea, 0x81, 0x64, 0xb1];
    const B: Mac = [0x1e, 0x99, 0x5b, 0x83, 0xd7, 0x1f];

    #[test]
    fn saps_are_bit_reversed() {
        assert_eq!(reverse_bits(1), 0x80);
        assert_eq!(reverse_bits(2), 0x40);
        assert_eq!(reverse_bits(3), 0xc0);
        assert_eq!(reverse_bits(4), 0x20);
        assert_eq!(reverse_bits(65), 0x82);
        assert_eq!(reverse_bits(0b1011_0001), 0b1000_1101);
        for b in 0..=255u8 {
            assert_eq!(reverse_bits(reverse_bits(b)), b);
        }
    }

    #[test]
    fn header_sizes() {
        let dix = Framing::Dix { ethertype: 0xa000 };
        assert_eq!((dix.header_len(), dix.overhead()), (18, 4));
        assert_eq!(
            (Framing::Llc.header_len(), Framing::Llc.overhead()),
            (17, 3)
        );
        assert_eq!((dix.mtu_max(), Framing::Llc.mtu_max()), (65535, 1500));
    }

    #[test]
    fn llc_data_frame_as_captured() {
        // spec §4.6: an 8-byte SDU from SAP 2 to SAP 2
        let want = "0a18ea8164b11e995b83d71f000b4040030102030405060708";
        let mut out = Vec::new();
        let ep = Ep::Saps { dsap: 2, ssap: 2 };
        Framing::Llc.encode(&mut out, &A, &B, ep, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(ouroboros::hash::hex(&out), want);
        let f = Framing::Llc.decode(&out).unwrap();
        assert_eq!((f.dst, f.src, f.ep), (A, B, ep));
        assert_eq!(f.payload, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(!f.ep.is_mgmt());
    }

    #[test]
    fn dix_frames_and_keepalives() {
        let dix = Framing::Dix { ethertype: 0xa000 };
        let mut out = Vec::new();
        dix.encode(&mut out, &A, &B, Ep::Eid(64), &[]);
        assert_eq!(out.len(), 18, "keepalive");
        assert_eq!(&out[12..], &[0xa0, 0, 0, 64, 0, 0]);
        let f = dix.decode(&out).unwrap();
        assert_eq!((f.ep, f.payload.len()), (Ep::Eid(64), 0));
        dix.encode(&mut out, &A, &B, dix.mgmt(), b"xyz");
        assert!(dix.decode(&out).unwrap().ep.is_mgmt());
        Framing::Llc.encode(&mut out, &A, &B, Framing::Llc.mgmt(), &[]);
        assert_eq!(out.len(), 17, "LLC keepalive");
        assert_eq!(&out[12..], &[0, 3, 0x80, 0x80, 3]);
        assert!(Framing::Llc.decode(&out).unwrap().ep.is_mgmt());
    }

    #[test]
    fn padding_is_ignored_and_lies_are_refused() {
        let dix = Framing::Dix { ethertype: 0xa000 };
        let mut out = Vec::new();
        dix.encode(&mut out, &A, &B, Ep::Eid(70), b"abc");
        let mut padded = out.clone();
        padded.resize(60, 0);
        assert_eq!(dix.decode(&padded).unwrap().payload, b"abc");
        assert_eq!(dix.decode(&out[..17]), Err(BadFrame::Runt));
        assert_eq!(dix.decode(&out[..20]), Err(BadFrame::BadLength));
        let other = Framing::Dix { ethertype: 0xa001 };
        assert_eq!(other.decode(&out), Err(BadFrame::NotOurs));
        assert_eq!(Framing::Llc.decode(&out), Err(BadFrame::NotOurs));

        let mut llc = Vec::new();
        Framing::Llc.encode(&mut llc, &A, &B, Ep::Saps { dsap: 5, ssap: 9 }, b"abc");
        let mut padded = llc.clone();
        padded.resize(60, 0);
        assert_eq!(Framing::Llc.decode(&padded).unwrap().payload, b"abc");
        llc[13] = 2; // an 802.3 length below the LLC header
        assert_eq!(Framing::Llc.decode(&llc), Err(BadFrame::BadLength));
        llc[13] = 7; // one more than the frame holds
        assert_eq!(Framing::Llc.decode(&llc), Err(BadFrame::BadLength));
        assert_eq!(Framing::Llc.decode(&llc[..16]), Err(BadFrame::Runt));
    }
}

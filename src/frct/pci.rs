//! The FRCT protocol control information: 12 bytes in front of every FRCT
//! data packet, and the whole of every FRCT control packet.
//!
//! ```text
//!  0        1                 4                 8                 12
//! +--------+-----------------+-----------------+-----------------+
//! | flags  | window (24, BE) | seqno (32, BE)  | ackno (32, BE)  |
//! +--------+-----------------+-----------------+-----------------+
//! ```
//!
//! The window carries the low 24 bits of the sender's receive right window
//! edge; [`rebuild_window`] widens it back to 32 bits.

/// Length of the PCI in bytes.
pub const PCI_LEN: usize = 12;

/// The packet carries application data.
pub const DATA: u8 = 0x01;
/// Data run flag: first packet of a run (nothing unacknowledged before it).
pub const DRF: u8 = 0x02;
/// The ackno field is valid.
pub const ACK: u8 = 0x04;
/// The window field is valid.
pub const FC: u8 = 0x08;
/// Rendezvous: the sender's window is closed, asks for a window update.
pub const RDVS: u8 = 0x10;
/// First fragment (defined, unused in 0.23.0).
pub const FFGM: u8 = 0x20;
/// More fragments (defined, unused in 0.23.0).
pub const MFGM: u8 = 0x40;

/// Mask of the 24-bit window field.
pub const WINDOW_MASK: u32 = 0x00FF_FFFF;

mod field {
    use std::ops::Range;
    pub const FLAGS: usize = 0;
    pub const WINDOW: Range<usize> = 1..4;
    pub const SEQNO: Range<usize> = 4..8;
    pub const ACKNO: Range<usize> = 8..12;
}

/// A decoded FRCT header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pci {
    pub flags: u8,
    /// 24 bits; the top byte is ignored when encoding.
    pub window: u32,
    pub seqno: u32,
    pub ackno: u32,
}

impl Pci {
    /// Decodes the first 12 bytes of `buf`; `None` when it is shorter
    /// (upstream reads past such packets; we drop them).
    pub fn parse(buf: &[u8]) -> Option<Pci> {
        let b: &[u8; PCI_LEN] = buf.get(..PCI_LEN)?.try_into().ok()?;
        let be = |r: std::ops::Range<usize>| {
            let mut w = [0u8; 4];
            w[4 - r.len()..].copy_from_slice(&b[r]);
            u32::from_be_bytes(w)
        };
        Some(Pci {
            flags: b[field::FLAGS],
            window: be(field::WINDOW),
            seqno: be(field::SEQNO),
            ackno: be(field::ACKNO),
        })
    }

    /// The 12 wire bytes.
    pub fn to_bytes(&self) -> [u8; PCI_LEN] {
        let mut b = [0u8; PCI_LEN];
        self.emit(&mut b);
        b
    }

    /// Writes the header into the first 12 bytes of `buf`.
    ///
    /// # Panics
    /// When `buf` is shorter than [`PCI_LEN`].
    pub fn emit(&self, buf: &mut [u8]) {
        buf[field::FLAGS] = self.flags;
        buf[field::WINDOW].copy_from_slice(&(self.window & WINDOW_MASK).to_be_bytes()[1..]);
        buf[field::SEQNO].copy_from_slice(&self.seqno.to_be_bytes());
        buf[field::ACKNO].copy_from_slice(&self.ackno.to_be_bytes());
    }

    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Overwrites the ackno field of an encoded packet (retransmissions carry
/// the current left window edge of the receive direction).
pub fn set_ackno(buf: &mut [u8], ackno: u32) {
    buf[field::ACKNO].copy_from_slice(&ackno.to_be_bytes());
}

/// Widens a received 24-bit window to 32 bits next to the current edge
/// `cur`: take the top byte of `cur`, and step into the next 2^24 block
/// when the result would lie more than 2^23 - 1 behind `cur`.
pub fn rebuild_window(field: u32, cur: u32) -> u32 {
    let mut rwe = (field & WINDOW_MASK) | (cur & !WINDOW_MASK);
    if super::seq::before(rwe, cur) && cur.wrapping_sub(rwe) > 0x007F_FFFF {
        rwe = rwe.wrapping_add(0x0100_0000);
    }
    rwe
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    #[test]
    fn observed_data_header() {
        let b = hex("0b f5 fb ca 6b 64 c7 26 00 00 00 00");
        let p = Pci::parse(&b).unwrap();
        assert_eq!(
            p,
            Pci {
                flags: DATA | DRF | FC,
                window: 0xf5fbca,
                seqno: 0x6b64c726,
                ackno: 0,
            }
        );
        assert_eq!(p.to_bytes().to_vec(), b);
    }

    /// Headers from `shared/vectors/net/udp4.pcap` (packets 39, 40, 41).
    #[test]
    fn udp4_capture_headers() {
        let cases = [
            (
                "03 00 00 00 65 2c f5 a3 00 00 00 00",
                DATA | DRF,
                0,
                1697445283,
                0,
            ),
            (
                "0f 2c f6 a4 8e a8 ff 1a 65 2c f5 a4",
                DATA | DRF | ACK | FC,
                2946724,
                2393440026,
                0x652cf5a4,
            ),
            (
                "0c a9 00 1b 00 00 00 00 8e a8 ff 1b",
                ACK | FC,
                11075611,
                0,
                2393440027,
            ),
        ];
        for (bytes, flags, window, seqno, ackno) in cases {
            let b = hex(bytes);
            let p = Pci::parse(&b).unwrap();
            assert_eq!(
                (p.flags, p.window, p.seqno, p.ackno),
                (flags, window, seqno, ackno)
            );
            assert_eq!(p.to_bytes().to_vec(), b);
        }
    }

    #[test]
    fn short_and_long_buffers() {
        assert_eq!(Pci::parse(&[0x01; 11]), None);
        assert_eq!(Pci::parse(&[]), None);
        let mut b = hex("01 00 00 40 00 00 00 07 00 00 00 00 aa bb");
        let p = Pci::parse(&b).unwrap();
        assert_eq!((p.flags, p.window, p.seqno), (DATA, 0x40, 7));
        set_ackno(&mut b, 0x01020304);
        assert_eq!(&b[8..], &[1, 2, 3, 4, 0xaa, 0xbb]);
    }

    #[test]
    fn window_is_truncated_to_24_bits() {
        let p = Pci {
            flags: FC,
            window: 0x12345678,
            ..Pci::default()
        };
        assert_eq!(&p.to_bytes()[..4], &[FC, 0x34, 0x56, 0x78]);
        assert!(p.has(FC) && !p.has(ACK));
    }

    #[test]
    fn window_rebuild() {
        // Same 2^24 block.
        assert_eq!(rebuild_window(0x000140, 0x12000100), 0x12000140);
        // Slightly behind stays behind (an older update).
        assert_eq!(rebuild_window(0x0000f0, 0x12000100), 0x120000f0);
        // The edge crossed into the next block.
        assert_eq!(rebuild_window(0x000010, 0x12fffff0), 0x13000010);
        // Wrap of the 32-bit space.
        assert_eq!(rebuild_window(0x000020, 0xfffffff0), 0x00000020);
        // Far ahead in the same block is taken as is.
        assert_eq!(rebuild_window(0xfffff0, 0x12000010), 0x12fffff0);
    }
}

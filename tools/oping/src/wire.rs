//! The oping packet: a 24-byte header at the start of every request and
//! reply, zero-padded to the packet size.
//!
//! | offset | size | field   | byte order |
//! |--------|------|---------|------------|
//! | 0      | 4    | type    | network (0 request, 1 reply) |
//! | 4      | 4    | id      | network (sequence number)    |
//! | 8      | 8    | tv_sec  | host (client CLOCK_MONOTONIC) |
//! | 16     | 8    | tv_nsec | host                          |

pub const REQUEST: u32 = 0;
pub const REPLY: u32 = 1;
pub const HEADER_LEN: usize = 24;

mod field {
    use std::ops::Range;
    pub const TYPE: Range<usize> = 0..4;
    pub const ID: Range<usize> = 4..8;
    pub const SEC: Range<usize> = 8..16;
    pub const NSEC: Range<usize> = 16..24;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub kind: u32,
    pub id: u32,
    pub sec: u64,
    pub nsec: u64,
}

impl Header {
    /// Writes the header into the first 24 bytes of `buf`.
    pub fn emit(&self, buf: &mut [u8]) {
        buf[field::TYPE].copy_from_slice(&self.kind.to_be_bytes());
        buf[field::ID].copy_from_slice(&self.id.to_be_bytes());
        buf[field::SEC].copy_from_slice(&self.sec.to_ne_bytes());
        buf[field::NSEC].copy_from_slice(&self.nsec.to_ne_bytes());
    }

    /// Reads the header from the first 24 bytes of `buf`.
    pub fn parse(buf: &[u8; HEADER_LEN]) -> Header {
        let u32_at =
            |r: std::ops::Range<usize>| u32::from_be_bytes(buf[r].try_into().unwrap_or([0; 4]));
        let u64_at =
            |r: std::ops::Range<usize>| u64::from_ne_bytes(buf[r].try_into().unwrap_or([0; 8]));
        Header {
            kind: u32_at(field::TYPE),
            id: u32_at(field::ID),
            sec: u64_at(field::SEC),
            nsec: u64_at(field::NSEC),
        }
    }

    /// The header at the start of a receive buffer. Like upstream, the
    /// fields are taken from the buffer whatever the length of the packet
    /// that was just read into it.
    pub fn of(buf: &[u8]) -> Header {
        let mut h = [0u8; HEADER_LEN];
        let n = buf.len().min(HEADER_LEN);
        h[..n].copy_from_slice(&buf[..n]);
        Header::parse(&h)
    }
}

/// The type field of the packet in `buf`.
pub fn kind(buf: &[u8]) -> u32 {
    Header::of(buf).kind
}

/// Turns the request in `buf` into a reply (only the type changes).
pub fn make_reply(buf: &mut [u8]) {
    buf[field::TYPE].copy_from_slice(&REPLY.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_request() {
        let h = Header {
            kind: REQUEST,
            id: 0x0102_0304,
            sec: 0x1122_3344_5566_7788,
            nsec: 999_999_999,
        };
        let mut buf = [0xeeu8; 64];
        h.emit(&mut buf);
        let mut want = vec![0, 0, 0, 0, 1, 2, 3, 4];
        want.extend_from_slice(&0x1122_3344_5566_7788u64.to_ne_bytes());
        want.extend_from_slice(&999_999_999u64.to_ne_bytes());
        assert_eq!(&buf[..24], &want[..]);
        assert!(buf[24..].iter().all(|&b| b == 0xee), "padding untouched");
        assert_eq!(Header::of(&buf), h);
    }

    #[test]
    fn timestamps_are_host_order() {
        let h = Header {
            kind: REPLY,
            id: 7,
            sec: 1,
            nsec: 2,
        };
        let mut buf = [0u8; 24];
        h.emit(&mut buf);
        // little-endian hosts (x86_64) put the low byte first
        #[cfg(target_endian = "little")]
        assert_eq!(
            buf,
            [0, 0, 0, 1, 0, 0, 0, 7, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn reply_changes_only_the_type() {
        let h = Header {
            kind: REQUEST,
            id: 42,
            sec: 5,
            nsec: 6,
        };
        let mut buf = vec![0u8; 64];
        h.emit(&mut buf);
        buf[63] = 9;
        let before = buf.clone();
        make_reply(&mut buf);
        assert_eq!(kind(&buf), REPLY);
        assert_eq!(&buf[4..], &before[4..]);
        assert_eq!(Header::of(&buf), Header { kind: REPLY, ..h });
    }

    #[test]
    fn short_buffers_read_as_zero_beyond_their_end() {
        assert_eq!(Header::of(&[0, 0, 0, 1]).kind, REPLY);
        assert_eq!(Header::of(&[0, 0, 0, 1]).id, 0);
        assert_eq!(kind(&[]), 0);
    }
}

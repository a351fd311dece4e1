//! Link-state advertisements (spec §5.7): 24 bytes, all big-endian, one
//! per SDU on Management flows only.
//!
//! ```text
//!  0 d_addr (far end of the adjacency)  8 s_addr (originator)  16 seqno
//! ```

use std::fmt;

/// The only length a receiver accepts.
pub const LEN: usize = 24;

/// One adjacency as announced by its originator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Lsa {
    pub d_addr: u64,
    pub s_addr: u64,
    pub seqno: u64,
}

/// An SDU on a Management flow that is not an LSA (receivers ignore it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadLsa {
    pub len: usize,
}

impl fmt::Display for BadLsa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LSA of {} bytes, expected {LEN}", self.len)
    }
}

impl std::error::Error for BadLsa {}

impl Lsa {
    pub fn encode(&self) -> [u8; LEN] {
        let mut b = [0u8; LEN];
        b[..8].copy_from_slice(&self.d_addr.to_be_bytes());
        b[8..16].copy_from_slice(&self.s_addr.to_be_bytes());
        b[16..].copy_from_slice(&self.seqno.to_be_bytes());
        b
    }

    pub fn decode(b: &[u8]) -> Result<Lsa, BadLsa> {
        let bad = BadLsa { len: b.len() };
        let b: &[u8; LEN] = b.try_into().map_err(|_| bad)?;
        let (d, rest) = b.split_first_chunk::<8>().ok_or(bad)?;
        let (s, q) = rest.split_first_chunk::<8>().ok_or(bad)?;
        let q: &[u8; 8] = q.try_into().map_err(|_| bad)?;
        Ok(Lsa {
            d_addr: u64::from_be_bytes(*d),
            s_addr: u64::from_be_bytes(*s),
            seqno: u64::from_be_bytes(*q),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        // captured: src 53d744da announces dst e8d3d021, seqno 2
        let l = Lsa {
            d_addr: 0xe8d3_d021,
            s_addr: 0x53d7_44da,
            seqno: 2,
        };
        let b = l.encode();
        assert_eq!(
            b,
            [
                0, 0, 0, 0, 0xe8, 0xd3, 0xd0, 0x21, 0, 0, 0, 0, 0x53, 0xd7, 0x44, 0xda, 0, 0, 0, 0,
                0, 0, 0, 2
            ]
        );
        assert_eq!(Lsa::decode(&b), Ok(l));
    }

    #[test]
    fn wrong_lengths() {
        for n in [0, 1, 23, 25, 48] {
            assert_eq!(Lsa::decode(&vec![0; n]), Err(BadLsa { len: n }));
        }
    }
}

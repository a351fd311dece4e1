//! The flat random address authority (spec §5.2): every node draws a
//! random non-zero 32-bit address for itself, with no coordination.

use std::fmt;

/// The address that means "none".
pub const INVALID: u64 = 0;
/// The only address size the policy accepts.
pub const ADDR_SIZE: u32 = 4;

/// Why the address authority cannot start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadAddrAuth {
    /// A policy other than flat (0).
    Policy(u32),
    /// An address size other than 4.
    Size(u32),
}

impl fmt::Display for BadAddrAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadAddrAuth::Policy(p) => write!(f, "unknown address authority {p}"),
            BadAddrAuth::Size(s) => write!(f, "flat addresses are 4 bytes, not {s}"),
        }
    }
}

impl std::error::Error for BadAddrAuth {}

/// Draws this node's address for policy `pol` and size `addr_size`,
/// calling `rnd` until it yields a non-zero value.
pub fn draw(pol: u32, addr_size: u32, mut rnd: impl FnMut() -> u32) -> Result<u64, BadAddrAuth> {
    if pol != 0 {
        return Err(BadAddrAuth::Policy(pol));
    }
    if addr_size != ADDR_SIZE {
        return Err(BadAddrAuth::Size(addr_size));
    }
    loop {
        let a = rnd();
        if u64::from(a) != INVALID {
            return Ok(u64::from(a));
        }
    }
}

/// A random address from the kernel's source.
pub fn random(pol: u32, addr_size: u32) -> Result<u64, BadAddrAuth> {
    draw(pol, addr_size, || {
        let mut b = [0u8; 4];
        // on failure b stays 0 and we draw again
        let _ = ouroboros::oap::os_random(&mut b);
        u32::from_ne_bytes(b)
    })
}

/// Upstream's log and RIB form: the four bytes in memory (LE) order,
/// so 0xd8f79456 prints as `56.94.f7.d8`.
pub struct Display(pub u64);

impl fmt::Display for Display {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0.to_le_bytes();
        write!(f, "{:02x}.{:02x}.{:02x}.{:02x}", b[0], b[1], b[2], b[3])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_zero() {
        let mut seq = [0u32, 0, 7].into_iter();
        assert_eq!(draw(0, 4, || seq.next().unwrap()), Ok(7));
        assert_eq!(draw(0, 8, || 1), Err(BadAddrAuth::Size(8)));
        assert_eq!(draw(1, 4, || 1), Err(BadAddrAuth::Policy(1)));
        let a = random(0, 4).unwrap();
        assert!(a != 0 && a <= u64::from(u32::MAX));
    }

    #[test]
    fn printed_in_memory_order() {
        assert_eq!(Display(0xd8f7_9456).to_string(), "56.94.f7.d8");
    }
}

//! Serial-number arithmetic on 32-bit sequence numbers (RFC 1982 style):
//! `a` is before `b` when `(a - b) as i32 < 0`.

/// `a` comes before `b`.
pub fn before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// `a` comes after `b`.
pub fn after(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) < 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering() {
        assert!(before(1, 2) && !before(2, 1) && !before(5, 5));
        assert!(after(2, 1) && !after(1, 2) && !after(5, 5));
        // Across the wrap.
        assert!(before(u32::MAX, 0) && after(0, u32::MAX));
        assert!(before(0xffff_fff0, 0x10));
        // Half the space apart: 0x8000_0000 ahead counts as before.
        assert!(before(0, 0x8000_0000) && before(0x8000_0000, 0));
        assert!(after(0x7fff_ffff, 0) && after(0x8000_0000, 0));
    }
}

//! The packet-size bounds oping and operf apply to `-s`, with the notices
//! upstream's tools print when they adjust it.

/// `size` (a C int: it may be negative) brought into `min..=max`; each
/// adjustment appends upstream's notice to `notes`.
pub fn clamp(size: i32, min: i32, max: i32, notes: &mut String) -> i32 {
    if size > max {
        notes.push_str(&format!("Packet size truncated to {max} bytes.\n"));
        max
    } else if size < min {
        notes.push_str(&format!("Packet size set to {min} bytes.\n"));
        min
    } else {
        size
    }
}

#[cfg(test)]
mod tests {
    use super::clamp;

    #[test]
    fn notices_name_the_bound() {
        let mut n = String::new();
        assert_eq!(clamp(100, 64, 1500, &mut n), 100);
        assert_eq!(n, "");
        assert_eq!(clamp(2000, 64, 1500, &mut n), 1500);
        assert_eq!(clamp(-5, 64, 1500, &mut n), 64);
        assert_eq!(
            n,
            "Packet size truncated to 1500 bytes.\nPacket size set to 64 bytes.\n"
        );
    }
}

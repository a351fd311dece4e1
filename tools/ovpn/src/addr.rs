//! IPv4 addresses and netmasks as ovpn reads them.

/// `inet_pton(AF_INET, …)` as glibc does it: exactly four dotted decimal
/// parts of at most 255, no leading zeros, nothing else. The address in
/// network byte order.
pub fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut octets = 0usize;
    let mut digits_seen = false;
    let mut cur: u32 = 0;
    for ch in s.bytes() {
        match ch {
            b'0'..=b'9' => {
                if digits_seen && cur == 0 {
                    return None;
                }
                cur = cur * 10 + u32::from(ch - b'0');
                if cur > 255 {
                    return None;
                }
                if !digits_seen {
                    octets += 1;
                    if octets > 4 {
                        return None;
                    }
                    digits_seen = true;
                }
                out[octets - 1] = cur as u8;
            }
            b'.' if digits_seen => {
                if octets == 4 {
                    return None;
                }
                digits_seen = false;
                cur = 0;
            }
            _ => return None,
        }
    }
    (octets == 4).then_some(out)
}

/// True for a netmask whose one bits are contiguous from the top (the
/// empty mask included).
pub fn mask_ok(mask: [u8; 4]) -> bool {
    let m = u32::from_be_bytes(mask);
    let host = !m;
    host & host.wrapping_add(1) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_inet_pton() {
        assert_eq!(parse_ipv4("10.8.0.1"), Some([10, 8, 0, 1]));
        assert_eq!(parse_ipv4("0.0.0.0"), Some([0, 0, 0, 0]));
        assert_eq!(parse_ipv4("255.255.255.255"), Some([255; 4]));
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.04",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.4 ",
            "a.b.c.d",
            "1.2.3.-4",
            "00.1.2.3",
            "0x1.2.3.4",
        ] {
            assert_eq!(parse_ipv4(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn masks_must_be_contiguous() {
        for good in [
            "255.255.255.0",
            "255.0.0.0",
            "0.0.0.0",
            "255.255.255.255",
            "255.255.254.0",
        ] {
            assert!(mask_ok(parse_ipv4(good).unwrap()), "{good}");
        }
        for bad in ["255.0.255.0", "0.255.255.255", "255.255.255.1", "128.0.0.1"] {
            assert!(!mask_ok(parse_ipv4(bad).unwrap()), "{bad}");
        }
    }
}

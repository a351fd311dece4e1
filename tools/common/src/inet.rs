//! Text to address conversion with the acceptance rules of glibc's
//! `inet_pton` (AF_INET: exactly four decimal parts 0..=255 without leading
//! zeros; AF_INET6: up to four hex digits per group, one `::`, an optional
//! trailing dotted IPv4 part), and netmask checks.

/// `inet_pton(AF_INET, ..)`: the address bytes in network order.
pub fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = 0usize;
    let mut cur: u32 = 0;
    let mut in_part = false;
    for &c in s.as_bytes() {
        match c {
            b'0'..=b'9' => {
                if in_part && cur == 0 {
                    return None; // leading zero
                }
                cur = cur * 10 + u32::from(c - b'0');
                if cur > 255 {
                    return None;
                }
                if !in_part {
                    parts += 1;
                    if parts > 4 {
                        return None;
                    }
                    in_part = true;
                }
                out[parts - 1] = cur as u8;
            }
            b'.' if in_part => {
                if parts == 4 {
                    return None;
                }
                in_part = false;
                cur = 0;
            }
            _ => return None,
        }
    }
    (parts == 4 && in_part).then_some(out)
}

/// `inet_pton(AF_INET6, ..)`: the 16 address bytes.
pub fn parse_ipv6(s: &str) -> Option<[u8; 16]> {
    let b = s.as_bytes();
    let mut out = [0u8; 16];
    let mut len = 0usize; // bytes written
    let mut gap: Option<usize> = None; // where "::" stands
    let mut i = 0usize;
    if b.is_empty() {
        return None;
    }
    if b[0] == b':' {
        if b.get(1) != Some(&b':') {
            return None;
        }
        i = 1;
    }
    let mut token = i;
    let mut digits = 0usize;
    let mut val: u32 = 0;
    while i < b.len() {
        let c = b[i];
        i += 1;
        if let Some(d) = (c as char).to_digit(16) {
            if digits == 4 {
                return None;
            }
            val = (val << 4) | d;
            digits += 1;
            continue;
        }
        if c == b':' {
            token = i;
            if digits == 0 {
                if gap.is_some() {
                    return None;
                }
                gap = Some(len);
                continue;
            }
            if i == b.len() || len + 2 > 16 {
                return None;
            }
            out[len..len + 2].copy_from_slice(&(val as u16).to_be_bytes());
            len += 2;
            digits = 0;
            val = 0;
            continue;
        }
        if c == b'.' && len + 4 <= 16 {
            let v4 = parse_ipv4(&s[token..])?;
            out[len..len + 4].copy_from_slice(&v4);
            len += 4;
            digits = 0;
            break;
        }
        return None;
    }
    if digits > 0 {
        if len + 2 > 16 {
            return None;
        }
        out[len..len + 2].copy_from_slice(&(val as u16).to_be_bytes());
        len += 2;
    }
    if let Some(g) = gap {
        if len == 16 {
            return None;
        }
        let tail = len - g;
        out.copy_within(g..len, 16 - tail);
        out[g..16 - tail].fill(0);
        len = 16;
    }
    (len == 16).then_some(out)
}

/// True for a netmask whose one bits are contiguous from the top (the
/// empty mask included).
pub fn mask_ok(mask: [u8; 4]) -> bool {
    let host = !u32::from_be_bytes(mask);
    host & host.wrapping_add(1) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn ipv4_rules() {
        assert_eq!(parse_ipv4("127.0.0.1"), Some([127, 0, 0, 1]));
        assert_eq!(parse_ipv4("0.0.0.0"), Some([0; 4]));
        assert_eq!(parse_ipv4("255.255.255.255"), Some([255; 4]));
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.2.3.4",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.4 ",
            "a.b.c.d",
            "1.2.3.-4",
            "1.2.3.04",
            "00.1.2.3",
            "0x1.2.3.4",
        ] {
            assert_eq!(parse_ipv4(bad), None, "{bad}");
        }
        assert_eq!(
            u32::from_ne_bytes(parse_ipv4("127.0.0.1").unwrap()),
            u32::from_ne_bytes([127, 0, 0, 1])
        );
    }

    #[test]
    fn ipv6_rules() {
        let ok = [
            "::",
            "::1",
            "1::",
            "fe80::1",
            "2001:db8::8:800:200c:417a",
            "1:2:3:4:5:6:7:8",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "0001:02:3::",
            "ABCD::ef",
        ];
        for s in ok {
            let want: Ipv6Addr = s.parse().unwrap();
            assert_eq!(parse_ipv6(s), Some(want.octets()), "{s}");
        }
        let bad = [
            "",
            ":",
            ":1",
            "1:",
            "1:::2",
            "1::2::3",
            "12345::",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::",
            "::1.2.3",
            "g::",
            "::1.2.3.4:5",
            "1:2:3:4:5:6:7:1.2.3.4",
        ];
        for s in bad {
            assert_eq!(parse_ipv6(s), None, "{s}");
        }
        assert_eq!(parse_ipv6("::"), Some(Ipv6Addr::UNSPECIFIED.octets()));
        assert_eq!(
            Ipv4Addr::from(parse_ipv4("10.0.0.1").unwrap()),
            Ipv4Addr::new(10, 0, 0, 1)
        );
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

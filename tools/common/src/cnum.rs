//! Numbers the way the C tools read and print them: `strtol`, `atoi`, time
//! units, and `printf("%.Nf")` of values that may be infinite or not a
//! number.

/// `strtol(s, &rem, 10)` on a 64-bit `long`: leading white space, an
/// optional sign, then digits; out-of-range values clamp. Returns the value
/// and the rest after the digits (the whole string when there are none).
pub fn strtol(s: &str) -> (i64, &str) {
    strtol_radix(s, 10)
}

/// `strtol(s, &rem, base)` for base 10 or 16; base 16 skips a `0x`/`0X`
/// prefix when a hex digit follows it.
pub fn strtol_radix(s: &str, base: u32) -> (i64, &str) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digit = |c: Option<&u8>| c.and_then(|&c| (c as char).to_digit(base));
    if base == 16
        && b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && digit(b.get(i + 2)).is_some()
    {
        i += 2;
    }
    let start = i;
    // accumulate negatively: |i64::MIN| does not fit an i64
    let mut v: i64 = 0;
    let mut overflow = false;
    while let Some(d) = digit(b.get(i)) {
        match v
            .checked_mul(i64::from(base))
            .and_then(|x| x.checked_sub(i64::from(d)))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return (0, s);
    }
    let v = match (neg, overflow) {
        (true, true) => i64::MIN,
        (false, true) => i64::MAX,
        (true, false) => v,
        (false, false) => v.checked_neg().unwrap_or(i64::MAX),
    };
    (v, &s[i..])
}

/// C `atoi` as glibc implements it: `(int) strtol(s, NULL, 10)`.
pub fn atoi(s: &str) -> i32 {
    strtol(s).0 as i32
}

/// Milliseconds per time unit after a number (none or `ms`, `s`, `m`, `h`,
/// `d`); `None` for an unknown unit.
pub fn ms_per_unit(unit: &str) -> Option<i64> {
    Some(match unit {
        "" | "ms" => 1,
        "s" => 1000,
        "m" => 60 * 1000,
        "h" => 60 * 60 * 1000,
        "d" => 24 * 60 * 60 * 1000,
        _ => return None,
    })
}

/// `printf("%.<prec>f", v)`, with glibc's spelling of infinities and NaNs.
pub fn fixed(v: f64, prec: usize) -> String {
    if v.is_nan() {
        if v.is_sign_negative() { "-nan" } else { "nan" }.to_string()
    } else if v.is_infinite() {
        if v < 0.0 { "-inf" } else { "inf" }.to_string()
    } else {
        format!("{v:.prec$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtol_reads_leading_digits() {
        assert_eq!(strtol("42"), (42, ""));
        assert_eq!(strtol("  -7ms"), (-7, "ms"));
        assert_eq!(strtol("+3s"), (3, "s"));
        assert_eq!(strtol("10k"), (10, "k"));
        assert_eq!(strtol("0x10"), (0, "x10"));
    }

    #[test]
    fn strtol_without_digits_keeps_the_whole_string() {
        assert_eq!(strtol(""), (0, ""));
        assert_eq!(strtol("abc"), (0, "abc"));
        assert_eq!(strtol(" -"), (0, " -"));
        assert_eq!(strtol(" -x"), (0, " -x"));
        assert_eq!(strtol("-"), (0, "-"));
    }

    #[test]
    fn strtol_clamps() {
        assert_eq!(strtol("99999999999999999999"), (i64::MAX, ""));
        assert_eq!(strtol("99999999999999999999k"), (i64::MAX, "k"));
        assert_eq!(strtol("-99999999999999999999x"), (i64::MIN, "x"));
        assert_eq!(strtol("-9223372036854775808"), (i64::MIN, ""));
    }

    #[test]
    fn strtol_radix_16() {
        assert_eq!(strtol_radix("A000", 16), (0xA000, ""));
        assert_eq!(strtol_radix("0xa000", 16), (0xA000, ""));
        assert_eq!(strtol_radix("0XFFFF", 16), (0xFFFF, ""));
        assert_eq!(strtol_radix("-0x10g", 16), (-16, "g"));
        // "0" is the number when no hex digit follows the prefix
        assert_eq!(strtol_radix("0x", 16), (0, "x"));
        assert_eq!(strtol_radix("0xg", 16), (0, "xg"));
        assert_eq!(strtol_radix("g", 16), (0, "g"));
        assert_eq!(strtol_radix("ffffffffffffffffff", 16), (i64::MAX, ""));
    }

    #[test]
    fn atoi_truncates_to_int() {
        assert_eq!(atoi("99999999999999999999"), -1);
        assert_eq!(atoi("4294967297"), 1);
        assert_eq!(atoi("12abc"), 12);
        assert_eq!(atoi("abc"), 0);
    }

    #[test]
    fn time_units() {
        assert_eq!(ms_per_unit(""), Some(1));
        assert_eq!(ms_per_unit("ms"), Some(1));
        assert_eq!(ms_per_unit("s"), Some(1000));
        assert_eq!(ms_per_unit("m"), Some(60_000));
        assert_eq!(ms_per_unit("h"), Some(3_600_000));
        assert_eq!(ms_per_unit("d"), Some(86_400_000));
        for bad in ["us", "S", "sec", " s", "x"] {
            assert_eq!(ms_per_unit(bad), None, "{bad}");
        }
    }

    #[test]
    fn fixed_spells_special_values_like_glibc() {
        assert_eq!(fixed(1.23456, 4), "1.2346");
        assert_eq!(fixed(f64::INFINITY, 4), "inf");
        assert_eq!(fixed(f64::NEG_INFINITY, 3), "-inf");
        assert_eq!(fixed(f64::NAN, 4), "nan");
        assert_eq!(fixed(-f64::NAN, 4), "-nan");
        assert_eq!(format!("{:>9}", fixed(0.5, 4)), "   0.5000");
    }
}

//! Numbers the way the C tools read and print them: `strtol` (base 10)
//! and `printf("%.Nf")` of values that may be infinite or not a number.
//!
//! Shared by oping and ocbr (included by path).

/// `strtol(s, &rem, 10)` on a 64-bit `long`: leading white space, an
/// optional sign, then digits; out-of-range values clamp. Returns the value
/// and the rest after the digits (the whole string when there are none).
pub fn strtol(s: &str) -> (i64, &str) {
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
    let start = i;
    // accumulate negatively: |i64::MIN| does not fit an i64
    let mut v: i64 = 0;
    let mut overflow = false;
    while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
        let digit = i64::from(d - b'0');
        match v.checked_mul(10).and_then(|x| x.checked_sub(digit)) {
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

/// `printf("%.<prec>f", v)`, with glibc's spelling of infinities and NaNs.
#[allow(dead_code)] // not every tool prints such values
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
    }

    #[test]
    fn strtol_clamps() {
        assert_eq!(strtol("99999999999999999999"), (i64::MAX, ""));
        assert_eq!(strtol("-99999999999999999999x"), (i64::MIN, "x"));
        assert_eq!(strtol("-9223372036854775808"), (i64::MIN, ""));
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

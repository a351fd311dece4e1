//! Shared helpers: keyword prefix matching, `*` wildcards, C-style number
//! parsing, fixed-width table cells and output that ignores write errors.

use ouroboros::Error;
use std::io::Write;

/// Upstream's `-EIRMD`: the only return value `main` reports specially.
pub const EIRMD: i32 = -ouroboros::errno::EIRMD;

/// How a missing value (`NULL` in C) is printed by `printf("%s")`.
pub const NULL_STR: &str = "(null)";

/// Prints to stdout; write errors are ignored, as with stdio.
macro_rules! out {
    ($($t:tt)*) => {
        $crate::util::write_stdout(format_args!($($t)*))
    };
}

/// Prints to stderr; write errors are ignored.
macro_rules! err {
    ($($t:tt)*) => {
        $crate::util::write_stderr(format_args!($($t)*))
    };
}

pub(crate) use {err, out};

/// stdio's buffer size for a stream that is not a terminal.
const STDOUT_BUF: usize = 4096;

thread_local! {
    /// Pending stdout bytes; `None` when stdout is a terminal.
    static PENDING: std::cell::RefCell<Option<Vec<u8>>> =
        // SAFETY: isatty only inspects the descriptor.
        std::cell::RefCell::new((unsafe { libc::isatty(1) } == 0).then(Vec::new));
}

/// Writes to stdout like stdio does: line by line on a terminal, otherwise
/// in blocks of `STDOUT_BUF` bytes, the rest at exit ([`flush_stdout`]), so
/// output is lost if the process is killed first, as with upstream.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    PENDING.with_borrow_mut(|pending| match pending {
        None => {
            let _ = std::io::stdout().lock().write_fmt(args);
        }
        Some(buf) => {
            let _ = buf.write_fmt(args);
            let full = buf.len() - buf.len() % STDOUT_BUF;
            if full > 0 {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&buf[..full]).and_then(|()| out.flush());
                buf.drain(..full);
            }
        }
    });
}

/// Writes out what [`write_stdout`] still holds.
pub fn flush_stdout() {
    PENDING.with_borrow_mut(|pending| {
        let mut out = std::io::stdout().lock();
        if let Some(buf) = pending {
            let _ = out.write_all(buf);
            buf.clear();
        }
        let _ = out.flush();
    });
}

pub fn write_stderr(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// True when `word` is a prefix of `candidate` (the empty word is a prefix
/// of everything; a longer word never matches).
pub fn is_prefix(word: &str, candidate: &str) -> bool {
    candidate.as_bytes().starts_with(word.as_bytes())
}

/// The first candidate (in the given order) that `word` abbreviates.
pub fn pick<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates.iter().copied().find(|c| is_prefix(word, c))
}

/// Matches `text` against `pattern`, where `*` stands for any run of
/// characters. Every other byte must be equal; there is no `?` or escaping.
/// A `*` that is not the last character needs at least one remaining byte
/// in `text` to try against (so `**` does not match the empty string).
pub fn wildcard(pattern: &str, text: &str) -> bool {
    glob(pattern.as_bytes(), text.as_bytes())
}

fn glob(pat: &[u8], text: &[u8]) -> bool {
    match pat.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => {
            if rest.is_empty() {
                return true;
            }
            (0..text.len()).any(|skip| glob(rest, &text[skip..]))
        }
        Some((&c, rest)) => text.first() == Some(&c) && glob(rest, &text[1..]),
    }
}

/// Wildcard match where a missing pattern or text matches nothing.
pub fn wildcard_opt(pattern: Option<&str>, text: Option<&str>) -> bool {
    matches!((pattern, text), (Some(p), Some(t)) if wildcard(p, t))
}

/// Result of [`strtol`]: the value (saturated to the `i64` range) and how
/// many bytes were used; `used == 0` means no number was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub value: i64,
    pub used: usize,
}

fn digit_value(b: u8) -> Option<u32> {
    (b as char).to_digit(36)
}

/// C `strtol` for bases 10 and 16: optional leading white space and sign;
/// base 16 accepts a `0x`/`0X` prefix when a hex digit follows it. Out of
/// range values saturate to `i64::MIN`/`i64::MAX`.
pub fn strtol(s: &str, base: u32) -> Parsed {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut negative = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        negative = b[i] == b'-';
        i += 1;
    }
    if base == 16
        && b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2)
            .and_then(|&c| digit_value(c))
            .is_some_and(|d| d < 16)
    {
        i += 2;
    }
    let start = i;
    let mut acc: i128 = 0;
    while let Some(d) = b.get(i).and_then(|&c| digit_value(c)).filter(|&d| d < base) {
        acc = (acc * i128::from(base) + i128::from(d)).min(i128::from(u64::MAX));
        i += 1;
    }
    if i == start {
        return Parsed { value: 0, used: 0 };
    }
    let signed = if negative { -acc } else { acc };
    let value = signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    Parsed { value, used: i }
}

/// C `atoi` as glibc implements it: `(int) strtol(s, NULL, 10)`.
pub fn atoi(s: &str) -> i32 {
    strtol(s, 10).value as i32
}

/// `%<width>s`: right-aligned by byte count, never truncated.
pub fn rpad(s: &str, width: usize) -> String {
    let fill = width.saturating_sub(s.len());
    let mut r = String::with_capacity(fill + s.len());
    r.extend(std::iter::repeat_n(' ', fill));
    r.push_str(s);
    r
}

/// The value following position `i`, like `argv[i + 1]` (None at the end).
pub fn next(args: &[String], i: usize) -> Option<&str> {
    args.get(i + 1).map(String::as_str)
}

/// Walks `<keyword> <value>` pairs: each keyword is matched against
/// `keywords` in order and `f` gets the matched keyword and the value (None
/// when the keyword is the last argument). Stops at the first word that
/// matches no keyword and returns it.
pub fn each_pair<'a>(
    args: &'a [String],
    keywords: &[&'static str],
    mut f: impl FnMut(&'static str, Option<&'a str>),
) -> Result<(), &'a str> {
    for (i, word) in args.iter().enumerate().step_by(2) {
        match pick(word, keywords) {
            Some(kw) => f(kw, next(args, i)),
            None => return Err(word),
        }
    }
    Ok(())
}

/// A library result as upstream's integer return value (0 or -errno).
pub fn code(r: ouroboros::Result<()>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => e.code(),
    }
}

/// `-EINVAL`, what the library returns for a missing argument.
pub fn einval() -> i32 {
    Error::Inval.code()
}

/// `realpath(3)`: the canonical absolute path, or the errno of the failure.
pub fn realpath(path: &str) -> Result<String, i32> {
    std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().into_owned())
        .map_err(|e| e.raw_os_error().unwrap_or(libc::EINVAL))
}

/// `strerror(3)` text of an errno value.
pub fn strerror(errno: i32) -> String {
    // SAFETY: strerror returns a valid NUL-terminated string; it is copied
    // before any other call could overwrite it.
    unsafe {
        let p = libc::strerror(errno);
        if p.is_null() {
            return format!("Unknown error {errno}");
        }
        std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_rules() {
        assert!(is_prefix("", "ipcp"));
        assert!(is_prefix("ip", "ipcp"));
        assert!(is_prefix("ipcp", "ipcp"));
        assert!(!is_prefix("ipcpx", "ipcp"));
        assert!(!is_prefix("x", "ipcp"));
        assert_eq!(pick("", &["ipcp", "bind"]), Some("ipcp"));
        assert_eq!(pick("b", &["ipcp", "bind"]), Some("bind"));
        assert_eq!(pick("c", &["ipcp", "bind"]), None);
    }

    #[test]
    fn wildcard_rules() {
        assert!(wildcard("*", ""));
        assert!(wildcard("*", "abc"));
        assert!(wildcard("", ""));
        assert!(!wildcard("", "a"));
        assert!(wildcard("a*", "a"));
        assert!(wildcard("a*c", "abbc"));
        assert!(!wildcard("a*c", "abb"));
        assert!(wildcard("*b", "b"));
        assert!(!wildcard("*b", ""));
        assert!(!wildcard("**", ""));
        assert!(wildcard("**", "x"));
        assert!(wildcard("L*", "Layer"));
        assert!(!wildcard("L*", "layer"));
        assert!(wildcard("mgmt", "mgmt"));
        assert!(!wildcard("mgmt", "dt"));
        assert!(!wildcard("?", "a"));
        assert!(wildcard("*t", "dt") && wildcard("*t", "mgmt"));
        assert!(!wildcard_opt(None, Some("a")));
        assert!(!wildcard_opt(Some("*"), None));
    }

    #[test]
    fn strtol_like_c() {
        assert_eq!(strtol("42", 10), Parsed { value: 42, used: 2 });
        assert_eq!(strtol("  -7x", 10), Parsed { value: -7, used: 4 });
        assert_eq!(strtol("+5", 10).value, 5);
        assert_eq!(strtol("x", 10).used, 0);
        assert_eq!(strtol("", 10).used, 0);
        assert_eq!(strtol("-", 10).used, 0);
        assert_eq!(strtol("A000", 16).value, 0xA000);
        assert_eq!(strtol("0xa000", 16).value, 0xA000);
        assert_eq!(strtol("0XFFFF", 16).value, 0xFFFF);
        assert_eq!(strtol("0x", 16), Parsed { value: 0, used: 1 });
        assert_eq!(strtol("0xg", 16), Parsed { value: 0, used: 1 });
        assert_eq!(strtol("99999999999999999999", 10).value, i64::MAX);
        assert_eq!(strtol("-99999999999999999999", 10).value, i64::MIN);
        assert_eq!(atoi("99999999999999999999"), -1);
        assert_eq!(atoi("4294967297"), 1);
        assert_eq!(atoi("12abc"), 12);
        assert_eq!(atoi("abc"), 0);
    }

    #[test]
    fn right_aligned_cells() {
        assert_eq!(rpad("pid", 7), "    pid");
        assert_eq!(rpad("toolongvalue", 4), "toolongvalue");
        assert_eq!(rpad("é", 3), " é");
    }
}

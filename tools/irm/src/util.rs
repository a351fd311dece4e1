//! Shared helpers: keyword prefix matching, `*` wildcards, fixed-width
//! table cells, and `out!`/`err!` (output that ignores write errors).

use ouroboros::Error;
use std::io::Write;

/// Upstream's `-EIRMD`: the only return value `main` reports specially.
pub const EIRMD: i32 = -ouroboros::errno::EIRMD;

/// How a missing value (`NULL` in C) is printed by `printf("%s")`.
pub const NULL_STR: &str = "(null)";

/// Prints to stderr; write errors are ignored.
macro_rules! err {
    ($($t:tt)*) => {
        $crate::util::write_stderr(format_args!($($t)*))
    };
}

pub(crate) use err;
pub(crate) use tools_common::out;

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
    fn right_aligned_cells() {
        assert_eq!(rpad("pid", 7), "    pid");
        assert_eq!(rpad("toolongvalue", 4), "toolongvalue");
        assert_eq!(rpad("é", 3), " é");
    }
}

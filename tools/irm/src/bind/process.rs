//! `irm bind process <pid> name <name>`.

use crate::usage;
use crate::util::{self, out};
use tools_common::cnum::strtol;

/// A pid as upstream accepts it: a whole decimal number (C `long`
/// truncated to `pid_t`) for which `kill(pid, 0)` succeeds.
pub fn valid_pid(v: &str, alive: impl Fn(i32) -> bool) -> Option<i32> {
    let (value, rest) = strtol(v);
    if v.is_empty() || !rest.is_empty() {
        return None;
    }
    let pid = value as i32;
    alive(pid).then_some(pid)
}

/// `kill(pid, 0) == 0`.
pub fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence and permission.
    unsafe { libc::kill(pid, 0) == 0 }
}

#[derive(Debug, PartialEq, Eq)]
pub enum ParseError<'a> {
    Unknown(&'a str),
    BadPid(&'a str),
    Usage,
}

/// Reads `<word> <value>` pairs (the operation word included); a trailing
/// single word is a usage error.
pub fn parse(args: &[String], alive: impl Fn(i32) -> bool) -> Result<(i32, &str), ParseError<'_>> {
    let (mut pid, mut name) = (-1, None);
    let mut pairs = args.chunks_exact(2);
    for pair in pairs.by_ref() {
        let (word, value) = (pair[0].as_str(), pair[1].as_str());
        if util::is_prefix(word, "name") {
            name = Some(value);
        } else if util::is_prefix(word, "process") {
            pid = valid_pid(value, &alive).ok_or(ParseError::BadPid(value))?;
        } else {
            return Err(ParseError::Unknown(word));
        }
    }
    match name {
        Some(n) if pairs.remainder().is_empty() && pid >= 0 => Ok((pid, n)),
        _ => Err(ParseError::Usage),
    }
}

pub fn run(args: &[String]) -> i32 {
    match parse(args, alive) {
        Ok((pid, name)) => util::code(ouroboros::irm::bind_process(pid, name)),
        Err(ParseError::Unknown(w)) => {
            out!("\"{w}\" is unknown, try \"irm bind process\".\n");
            -1
        }
        Err(ParseError::BadPid(v)) => {
            out!("\"{v}\" is not a valid process id.\n");
            -1
        }
        Err(ParseError::Usage) => {
            out!("{}", usage::BIND_PROCESS);
            -1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn pid_values() {
        let yes = |_| true;
        assert_eq!(valid_pid("42", yes), Some(42));
        assert_eq!(valid_pid(" 42", yes), Some(42));
        assert_eq!(valid_pid("42 ", yes), None);
        assert_eq!(valid_pid("4x", yes), None);
        assert_eq!(valid_pid("", yes), None);
        assert_eq!(valid_pid("7", |_| false), None);
        assert_eq!(valid_pid("4294967297", yes), Some(1));
    }

    #[test]
    fn grammar() {
        let yes = |_| true;
        assert_eq!(parse(&args("proc 5 n x"), yes), Ok((5, "x")));
        assert_eq!(
            parse(&args("process 5 name x extra"), yes),
            Err(ParseError::Usage)
        );
        assert_eq!(parse(&args("process"), yes), Err(ParseError::Usage));
        assert_eq!(parse(&args("process 5"), yes), Err(ParseError::Usage));
        assert_eq!(
            parse(&args("process -1 name x"), yes),
            Err(ParseError::Usage)
        );
        assert_eq!(
            parse(&args("process abc name x"), yes),
            Err(ParseError::BadPid("abc"))
        );
        assert_eq!(
            parse(&args("process 5 foo x"), yes),
            Err(ParseError::Unknown("foo"))
        );
        assert_eq!(
            parse(&args("process 5 name x foo"), yes),
            Err(ParseError::Usage)
        );
    }
}

//! `irm unbind process <pid> [name <name>]`: the pid is read with `strtol`
//! and not validated. Without a name the library refuses (-EINVAL).

use crate::usage;
use crate::util::{self, out};
use tools_common::cnum::strtol;

#[derive(Debug, PartialEq, Eq)]
pub enum Parsed<'a> {
    Unknown(&'a str),
    Ok(i32, Option<&'a str>),
}

/// Reads complete `<word> <value>` pairs; a trailing single word is ignored.
pub fn parse(args: &[String]) -> Parsed<'_> {
    let (mut pid, mut name) = (-1, None);
    for pair in args.chunks_exact(2) {
        let (word, value) = (pair[0].as_str(), pair[1].as_str());
        if util::is_prefix(word, "name") {
            name = Some(value);
        } else if util::is_prefix(word, "process") {
            pid = strtol(value).0 as i32;
        } else {
            return Parsed::Unknown(word);
        }
    }
    Parsed::Ok(pid, name)
}

pub fn run(args: &[String]) -> i32 {
    match parse(args) {
        Parsed::Unknown(w) => {
            out!("\"{w}\" is unknown, try \"irm unbind process\".\n");
            -1
        }
        Parsed::Ok(pid, _) if pid < 0 => {
            out!("{}", usage::UNBIND_PROCESS);
            -1
        }
        Parsed::Ok(pid, Some(name)) => util::code(ouroboros::irm::unbind_process(pid, name)),
        Parsed::Ok(_, None) => util::einval(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn grammar() {
        assert_eq!(parse(&args("proc 12x n a")), Parsed::Ok(12, Some("a")));
        assert_eq!(parse(&args("process")), Parsed::Ok(-1, None));
        assert_eq!(parse(&args("process abc")), Parsed::Ok(0, None));
        assert_eq!(parse(&args("process 5 name")), Parsed::Ok(5, None));
        assert_eq!(parse(&args("process 5 foo")), Parsed::Ok(5, None));
        assert_eq!(parse(&args("process 5 foo x")), Parsed::Unknown("foo"));
    }
}

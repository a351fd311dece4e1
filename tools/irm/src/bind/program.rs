//! `irm bind program <prog> name <name> [auto] [-- <args>...]`.

use crate::usage;
use crate::util::{self, out};
use ouroboros::name::BIND_AUTO;
use ouroboros::Error;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Opts {
    pub prog: Option<String>,
    pub name: Option<String>,
    pub auto: bool,
    /// Everything after `--`.
    pub extra: Vec<String>,
}

/// Reads the arguments (starting with the operation word, which is read
/// as a keyword). `resolve` canonicalises an existing program path.
pub fn parse(args: &[String], resolve: impl Fn(&str) -> Option<String>) -> Result<Opts, &str> {
    let mut o = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let word = args[i].as_str();
        if util::is_prefix(word, "name") {
            o.name = util::next(args, i).map(String::from);
            i += 1;
        } else if util::is_prefix(word, "program") {
            o.prog = util::next(args, i).map(|p| resolve(p).unwrap_or_else(|| p.to_string()));
            i += 1;
        } else if word == "auto" {
            o.auto = true;
        } else if word == "--" {
            o.extra = args[i + 1..].to_vec();
            break;
        } else {
            return Err(word);
        }
        i += 1;
    }
    Ok(o)
}

pub fn run(args: &[String]) -> i32 {
    let o = match parse(args, |p| util::realpath(p).ok()) {
        Ok(o) => o,
        Err(word) => {
            out!("\"{word}\" is unknown, try \"irm bind program\".\n");
            return -1;
        }
    };
    let (Some(prog), Some(name)) = (&o.prog, &o.name) else {
        out!("{}", usage::BIND_PROGRAM);
        return -1;
    };
    let flags = if o.auto { BIND_AUTO as u16 } else { 0 };
    match ouroboros::irm::bind_program(prog, name, flags, &o.extra) {
        Ok(()) => 0,
        Err(Error::NoEnt) => {
            out!("{prog} does not exist.\n");
            Error::NoEnt.code()
        }
        Err(Error::Perm) => {
            out!("Cannot execute {prog}, please check permissions.\n");
            Error::Perm.code()
        }
        Err(e) => e.code(),
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
        let none = |_: &str| None;
        let a = args("pro oping n srv auto -- -l x");
        let o = parse(&a, none).unwrap();
        assert_eq!(o.prog.as_deref(), Some("oping"));
        assert_eq!(o.name.as_deref(), Some("srv"));
        assert!(o.auto);
        assert_eq!(o.extra, ["-l", "x"]);
        let a = args("program /x name n au");
        assert_eq!(parse(&a, none).unwrap_err(), "au");
        let a = args("program x name n -- auto");
        let o = parse(&a, none).unwrap();
        assert!(!o.auto);
        assert_eq!(o.extra, ["auto"]);
        let a = args("program");
        assert_eq!(parse(&a, none).unwrap().prog, None);
        let a = args("program p name");
        assert_eq!(parse(&a, none).unwrap().name, None);
        let a = args("program p --");
        assert!(parse(&a, none).unwrap().extra.is_empty());
        // An empty operation word abbreviates "name" here.
        let a = vec![String::new(), "n".into(), "program".into(), "p".into()];
        let o = parse(&a, none).unwrap();
        assert_eq!(
            (o.name.as_deref(), o.prog.as_deref()),
            (Some("n"), Some("p"))
        );
        let a = args("program sh name n");
        assert_eq!(
            parse(&a, |p| Some(format!("/bin/{p}")))
                .unwrap()
                .prog
                .as_deref(),
            Some("/bin/sh")
        );
    }
}

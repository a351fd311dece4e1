//! `irm bind ipcp <ipcp> name <name>`: binds the IPCP's pid to a name. An
//! unknown IPCP (or an unreachable IRMd) is not an error.

use crate::usage;
use crate::util::{self, out};

/// Reads `<word> <value>` pairs, the operation word included; `Err` is the
/// unknown word. Returns (ipcp, name).
pub fn parse(args: &[String]) -> Result<(Option<&str>, Option<&str>), &str> {
    let (mut ipcp, mut name) = (None, None);
    for (i, word) in args.iter().enumerate().step_by(2) {
        if util::is_prefix(word, "name") {
            name = util::next(args, i);
        } else if util::is_prefix(word, "ipcp") {
            ipcp = util::next(args, i);
        } else {
            return Err(word);
        }
    }
    Ok((ipcp, name))
}

/// Applies `op` to the pid of the first IPCP called `ipcp`.
pub fn with_ipcp_pid(ipcp: &str, op: impl Fn(i32) -> ouroboros::Result<()>) -> i32 {
    let list = ouroboros::irm::list_ipcps().unwrap_or_default();
    match list.iter().find(|i| i.name == ipcp) {
        Some(i) if op(i.pid).is_err() => -1,
        _ => 0,
    }
}

pub fn run(args: &[String]) -> i32 {
    match parse(args) {
        Err(w) => {
            out!("\"{w}\" is unknown, try \"irm bind ipcp\".\n");
            -1
        }
        Ok((Some(ipcp), Some(name))) => {
            with_ipcp_pid(ipcp, |pid| ouroboros::irm::bind_process(pid, name))
        }
        Ok(_) => {
            out!("{}", usage::BIND_IPCP);
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
    fn grammar() {
        assert_eq!(parse(&args("i lo n x")), Ok((Some("lo"), Some("x"))));
        assert_eq!(parse(&args("ipcp lo name")), Ok((Some("lo"), None)));
        assert_eq!(parse(&args("ipcp lo nom x")), Err("nom"));
    }
}

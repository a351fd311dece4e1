//! `irm ipcp enroll name <ipcp> [layer <l>] [dst <d>] [type <t>] [autobind]`.

use crate::usage;
use crate::util::{self, out};
use ouroboros::ipcp::{IpcpListInfo, IpcpType, IPCP_INVALID};

pub const KEYWORDS: [&str; 5] = ["name", "type", "layer", "dst", "autobind"];

#[derive(Debug, Default)]
pub struct Opts<'a> {
    pub ipcp: Option<&'a str>,
    /// `None` when `type` was the last argument (no value).
    pub type_word: Option<&'a str>,
    pub layer: Option<&'a str>,
    pub dst: Option<&'a str>,
    pub autobind: bool,
}

/// Reads the arguments; `Err` carries the unknown word.
pub fn parse(args: &[String]) -> Result<Opts<'_>, &str> {
    let mut o = Opts {
        type_word: Some("unicast"),
        ..Opts::default()
    };
    let mut i = 0;
    while i < args.len() {
        let value = util::next(args, i);
        let mut step = 2;
        match util::pick(&args[i], &KEYWORDS) {
            Some("name") => o.ipcp = value,
            Some("type") => o.type_word = value,
            Some("layer") => o.layer = value,
            Some("dst") => o.dst = value,
            Some(_) => {
                o.autobind = true;
                step = 1;
            }
            None => return Err(&args[i]),
        }
        i += step;
    }
    Ok(o)
}

/// The raw type value: only `unicast` and `broadcast` are valid.
pub fn type_value(word: &str) -> u32 {
    match word {
        "unicast" => IpcpType::Unicast as u32,
        "broadcast" => IpcpType::Broadcast as u32,
        _ => IPCP_INVALID,
    }
}

fn list() -> Vec<IpcpListInfo> {
    ouroboros::irm::list_ipcps().unwrap_or_default()
}

/// Layer of the IPCP with exactly this name, from a fresh listing.
fn layer_of(name: &str) -> Option<String> {
    list().into_iter().find(|i| i.name == name).map(|i| i.layer)
}

pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(word) => {
            out!("\"{word}\" is unknown, try \"irm enroll_ipcp\".\n");
            return -1;
        }
    };
    let (Some(ipcp), Some(dst)) = (o.ipcp, o.dst.or(o.layer)) else {
        out!("{}", usage::IPCP_ENROLL);
        return -1;
    };
    // `type` without a value: upstream dereferences NULL here; show usage.
    let Some(type_word) = o.type_word else {
        out!("{}", usage::IPCP_ENROLL);
        return -1;
    };
    let t = type_value(type_word);
    let selected = |i: &&IpcpListInfo| i.ipcp_type == t && util::wildcard(&i.name, ipcp);
    let mut ipcps = list();
    if !ipcps.iter().any(|i| selected(&i)) {
        if ouroboros::irm::create_ipcp(ipcp, t).is_err() {
            return -1;
        }
        ipcps = list();
    }
    for info in ipcps.iter().filter(selected) {
        let pid = info.pid;
        if ouroboros::irm::enroll_ipcp(pid, dst).is_err() {
            out!("Failed to enroll IPCP.\n");
            return -1;
        }
        let Some(enrolled) = layer_of(&info.name) else {
            out!("Could not get layer name.\n");
            return -1;
        };
        if o.layer.is_some_and(|l| l != enrolled) {
            out!("Enrollment destination does not match requested layer.\n");
            return -1;
        }
        for target in [ipcp, enrolled.as_str()] {
            if o.autobind && ouroboros::irm::bind_process(pid, target).is_err() {
                out!("Failed to bind {pid} to {target}.\n");
                return -1;
            }
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn keywords_and_defaults() {
        let a = args("n x t broadcast l L d D a");
        let o = parse(&a).unwrap();
        assert_eq!(
            (o.ipcp, o.type_word, o.layer, o.dst, o.autobind),
            (Some("x"), Some("broadcast"), Some("L"), Some("D"), true)
        );
        let a = args("n x");
        assert_eq!(parse(&a).unwrap().type_word, Some("unicast"));
        let a = args("n x dest y");
        assert_eq!(parse(&a).unwrap_err(), "dest");
        assert_eq!(util::pick("", &KEYWORDS), Some("name"));
    }

    #[test]
    fn type_is_exact() {
        assert_eq!(type_value("unicast"), 1);
        assert_eq!(type_value("broadcast"), 2);
        assert_eq!(type_value("uni"), IPCP_INVALID);
        assert_eq!(type_value(""), IPCP_INVALID);
    }
}

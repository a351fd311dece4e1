//! `irm name create <name> [lb <policy>] [<side><kind>path <path>]...`.

use crate::usage;
use crate::util::{self, out};
use ouroboros::name::{NameInfo, LB_RR, LB_SPILL, NAME_PATH_SIZE, NAME_SIZE};

pub const KEYWORDS: [&str; 7] = [
    "lb", "sencpath", "scrtpath", "skeypath", "cencpath", "ccrtpath", "ckeypath",
];

fn fail_usage() -> i32 {
    out!("{}", usage::name_create());
    -1
}

/// The canonical form of a security file path, or the message to print.
pub fn check_path(path: &str) -> Result<String, String> {
    match util::realpath(path) {
        // Upstream puts the period after the newline.
        Err(errno) => Err(format!(
            "Failed to check path {path}: {}\n.",
            util::strerror(errno)
        )),
        Ok(rp) if rp.len() > NAME_PATH_SIZE => Err(format!("File path too long: {rp}.\n")),
        Ok(rp) => Ok(rp),
    }
}

pub fn run(args: &[String]) -> i32 {
    let name = args.first().map(String::as_str);
    let rest = args.get(1..).unwrap_or_default();
    let mut lb = Some("round-robin");
    // sencpath, scrtpath, skeypath, cencpath, ccrtpath, ckeypath
    let mut paths: [Option<&str>; 6] = [None; 6];
    let parsed = util::each_pair(rest, &KEYWORDS, |kw, v| {
        match KEYWORDS.iter().position(|k| *k == kw) {
            Some(0) | None => lb = v,
            Some(n) => paths[n - 1] = v,
        }
    });
    if let Err(word) = parsed {
        out!("\"{word}\" is unknown, try \"irm name create\".\n");
        return -1;
    }
    let Some(name) = name else {
        return fail_usage();
    };
    if name.len() > NAME_SIZE {
        out!("Name too long.\n");
        return fail_usage();
    }
    let mut info = NameInfo::new(name, LB_RR);
    let [senc, scrt, skey, cenc, ccrt, ckey] = paths;
    let slots = [
        (senc, &mut info.s.enc),
        (scrt, &mut info.s.crt),
        (skey, &mut info.s.key),
        (cenc, &mut info.c.enc),
        (ccrt, &mut info.c.crt),
        (ckey, &mut info.c.key),
    ];
    for (path, slot) in slots {
        if let Some(p) = path {
            match check_path(p) {
                Ok(rp) => *slot = rp,
                Err(msg) => {
                    out!("{msg}");
                    return fail_usage();
                }
            }
        }
    }
    info.pol_lb = match lb {
        Some("round-robin") => LB_RR,
        Some("spillover") => LB_SPILL,
        _ => return fail_usage(),
    };
    util::code(ouroboros::irm::create_name(&info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_abbreviations() {
        assert_eq!(util::pick("s", &KEYWORDS), Some("sencpath"));
        assert_eq!(util::pick("c", &KEYWORDS), Some("cencpath"));
        assert_eq!(util::pick("sc", &KEYWORDS), Some("scrtpath"));
        assert_eq!(util::pick("ck", &KEYWORDS), Some("ckeypath"));
        assert_eq!(util::pick("", &KEYWORDS), Some("lb"));
        assert_eq!(util::pick("policy", &KEYWORDS), None);
    }

    #[test]
    fn path_checks() {
        assert_eq!(check_path("/"), Ok("/".to_string()));
        let missing = "/nonexistent-o7s/x";
        assert_eq!(
            check_path(missing),
            Err(format!(
                "Failed to check path {missing}: No such file or directory\n."
            ))
        );
    }
}

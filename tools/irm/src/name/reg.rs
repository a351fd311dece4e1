//! `irm name register <name> (layer <pattern> | ipcp <pattern>)...`.

use crate::usage::{self, MAX_TARGETS};
use crate::util::{self, out};
use ouroboros::name::{NameInfo, LB_SPILL, NAME_SIZE};

/// The `layer` and `ipcp` values (None where a keyword had no value).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Targets<'a> {
    pub layers: Vec<Option<&'a str>>,
    pub ipcps: Vec<Option<&'a str>>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ParseError<'a> {
    Unknown(&'a str),
    TooManyLayers,
    TooManyIpcps,
}

/// Reads the keyword pairs after the name (shared with unregister).
pub fn parse(args: &[String]) -> Result<Targets<'_>, ParseError<'_>> {
    let mut t = Targets::default();
    for (i, word) in args.iter().enumerate().step_by(2) {
        let value = util::next(args, i);
        match util::pick(word, &["layer", "ipcp"]) {
            Some("layer") => {
                t.layers.push(value);
                if t.layers.len() > MAX_TARGETS {
                    return Err(ParseError::TooManyLayers);
                }
            }
            Some(_) => {
                t.ipcps.push(value);
                if t.ipcps.len() > MAX_TARGETS {
                    return Err(ParseError::TooManyIpcps);
                }
            }
            None => return Err(ParseError::Unknown(word)),
        }
    }
    Ok(t)
}

/// Parses `<name> <pairs>...`, printing errors with `hint` for an unknown
/// word and `usage` when the name or every target is missing.
pub fn parse_command<'a>(
    args: &'a [String],
    hint: &str,
    usage: &str,
) -> Result<(&'a str, Targets<'a>), i32> {
    let targets = match parse(args.get(1..).unwrap_or_default()) {
        Ok(t) => t,
        Err(ParseError::Unknown(w)) => {
            out!("\"{w}\" is unknown, try \"{hint}\".\n");
            return Err(-1);
        }
        Err(ParseError::TooManyLayers) => {
            out!("Too many layers specified.\n");
            return Err(-1);
        }
        Err(ParseError::TooManyIpcps) => {
            out!("Too many IPCPs specified.\n");
            return Err(-1);
        }
    };
    // A keyword without a value (upstream dereferences NULL) also gets the
    // usage text.
    let complete = targets
        .layers
        .iter()
        .chain(&targets.ipcps)
        .all(Option::is_some);
    let some = !(targets.layers.is_empty() && targets.ipcps.is_empty());
    match args.first() {
        Some(name) if some && complete => Ok((name, targets)),
        _ => {
            out!("{usage}");
            Err(-1)
        }
    }
}

pub fn run(args: &[String]) -> i32 {
    let usage = usage::name_register();
    let (name, t) = match parse_command(args, "irm name register", &usage) {
        Ok(v) => v,
        Err(rc) => return rc,
    };
    if name.len() > NAME_SIZE {
        out!("Name too long.\n{usage}");
        return -1;
    }
    let ipcps = match ouroboros::irm::list_ipcps() {
        Ok(l) if !l.is_empty() => l,
        _ => {
            out!("Failed to list IPCPs.\n");
            return -1;
        }
    };
    let Ok(names) = ouroboros::irm::list_names() else {
        out!("Failed to list names.\n");
        return -1;
    };
    // The library cuts listed names to NAME_SIZE - 1 bytes.
    let exists = names
        .iter()
        .any(|n| n.name.len() < NAME_SIZE && n.name == name);
    if !exists && ouroboros::irm::create_name(&NameInfo::new(name, LB_SPILL)).is_err() {
        out!("Error creating name.");
        return -1;
    }
    for info in &ipcps {
        let targets = [
            (&t.layers, info.layer.as_str()),
            (&t.ipcps, info.name.as_str()),
        ];
        for (patterns, what) in targets {
            for pattern in patterns {
                if util::wildcard_opt(*pattern, Some(what))
                    && ouroboros::irm::reg_name(name, info.pid).is_err()
                {
                    out!("Failed to register with {what}");
                    return -1;
                }
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
    fn grammar() {
        let a = args("l L1 i ip1 layer L2 ipcp");
        let t = parse(&a).unwrap();
        assert_eq!(t.layers, [Some("L1"), Some("L2")]);
        assert_eq!(t.ipcps, [Some("ip1"), None]);
        assert_eq!(parse(&args("lay x foo y")), Err(ParseError::Unknown("foo")));
        assert_eq!(util::pick("", &["layer", "ipcp"]), Some("layer"));
        let many: Vec<String> = (0..=MAX_TARGETS)
            .flat_map(|i| ["ipcp".to_string(), i.to_string()])
            .collect();
        assert_eq!(parse(&many), Err(ParseError::TooManyIpcps));
        assert!(parse(&many[2..]).is_ok());
        let many: Vec<String> = (0..=MAX_TARGETS)
            .flat_map(|i| ["layer".to_string(), i.to_string()])
            .collect();
        assert_eq!(parse(&many), Err(ParseError::TooManyLayers));
    }
}

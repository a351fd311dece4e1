//! `irm ipcp destroy name <name>`: destroys the first IPCP with exactly
//! that name; an unknown name is not an error.

use crate::usage;
use crate::util::{self, out};

pub fn run(args: &[String]) -> i32 {
    let mut name = None;
    if let Err(word) = util::each_pair(args, &["name"], |_, v| name = v) {
        out!("\"{word}\" is unknown, try \"irm ipcp destroy\".\n");
        return -1;
    }
    let Some(name) = name else {
        out!("{}", usage::IPCP_DESTROY);
        return -1;
    };
    let ipcps = match ouroboros::irm::list_ipcps() {
        Ok(l) if !l.is_empty() => l,
        _ => return -1,
    };
    match ipcps.iter().find(|i| i.name == name) {
        Some(i) if ouroboros::irm::destroy_ipcp(i.pid).is_err() => -1,
        _ => 0,
    }
}

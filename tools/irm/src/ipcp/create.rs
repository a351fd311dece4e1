//! `irm ipcp create name <name> type <type>`.

use crate::usage;
use crate::util::{self, out};
use ouroboros::ipcp::IpcpType;

/// Type names in the order they are compared (exact match only).
const TYPES: [IpcpType; 7] = [
    IpcpType::Unicast,
    IpcpType::Broadcast,
    IpcpType::Udp4,
    IpcpType::Udp6,
    IpcpType::Local,
    IpcpType::EthLlc,
    IpcpType::EthDix,
];

pub fn run(args: &[String]) -> i32 {
    let mut type_name = None;
    let mut name = None;
    let parsed = util::each_pair(args, &["type", "name"], |kw, v| match kw {
        "type" => type_name = v,
        _ => name = v,
    });
    if let Err(word) = parsed {
        out!("\"{word}\" is unknown, try \"irm ipcp create\".\n");
        return -1;
    }
    let (Some(type_name), Some(name)) = (type_name, name) else {
        out!("{}", usage::ipcp_create());
        return -1;
    };
    let Some(t) = TYPES.into_iter().find(|t| t.name() == type_name) else {
        out!(
            "IPCP type \"{type_name}\" is unknown.\n{}",
            usage::ipcp_create()
        );
        return -1;
    };
    match ouroboros::irm::create_ipcp(name, t as u32) {
        Ok(()) => 0,
        Err(_) => -1,
    }
}

//! `irm ipcp disconnect name <ipcp> dst <dst> [component <pattern>]`:
//! disconnects data transfer first, then management.

use super::connect::pid_by_name;
use crate::usage;
use crate::util::{self, out};
use ouroboros::ipcp::{DT_COMP, MGMT_COMP};

pub fn run(args: &[String]) -> i32 {
    let (mut ipcp, mut dst, mut comp) = (None, None, Some("*"));
    if let Err(word) = util::each_pair(args, &["name", "dst", "component"], |kw, v| match kw {
        "name" => ipcp = v,
        "dst" => dst = v,
        _ => comp = v,
    }) {
        // Upstream reuses the connect hint here.
        out!("\"{word}\" is unknown, try \"irm ipcp connect\".\n");
        return -1;
    }
    let (Some(ipcp), Some(dst), Some(comp)) = (ipcp, dst, comp) else {
        out!("{}", usage::IPCP_DISCONNECT);
        return -1;
    };
    let Some(pid) = pid_by_name(ipcp) else {
        return -1;
    };
    for (short, component) in [("dt", DT_COMP), ("mgmt", MGMT_COMP)] {
        if util::wildcard(comp, short)
            && ouroboros::irm::disconnect_ipcp(pid, Some(dst), Some(component)).is_err()
        {
            return -1;
        }
    }
    0
}

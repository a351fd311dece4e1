//! `irm ipcp connect name <ipcp> dst <dst> [component <pattern>] [qos <q>]`:
//! connects the management component (always QoS raw), then data transfer.

use crate::usage;
use crate::util::{self, out};
use ouroboros::ipcp::{DT_COMP, MGMT_COMP};
use ouroboros::qos::QosSpec;

/// Pid of the last IPCP with exactly this name.
pub fn pid_by_name(name: &str) -> Option<i32> {
    let list = ouroboros::irm::list_ipcps().ok()?;
    list.iter().rev().find(|i| i.name == name).map(|i| i.pid)
}

pub fn run(args: &[String]) -> i32 {
    let (mut ipcp, mut dst, mut comp, mut qos) = (None, None, Some("*"), None);
    if let Err(word) = util::each_pair(args, &["name", "dst", "component", "qos"], |kw, v| match kw
    {
        "name" => ipcp = v,
        "dst" => dst = v,
        "component" => comp = v,
        _ => qos = v,
    }) {
        out!("\"{word}\" is unknown, try \"irm ipcp connect\".\n");
        return -1;
    }
    let (Some(ipcp), Some(dst), Some(comp)) = (ipcp, dst, comp) else {
        out!("{}", usage::IPCP_CONNECT);
        return -1;
    };
    let qs = match qos {
        None => QosSpec::RAW,
        Some(q) => QosSpec::by_name(q).unwrap_or_else(|| {
            out!("Unknown QoS cube, defaulting to raw.\n");
            QosSpec::RAW
        }),
    };
    let Some(pid) = pid_by_name(ipcp) else {
        return -1;
    };
    for (short, component, q) in [("mgmt", MGMT_COMP, QosSpec::RAW), ("dt", DT_COMP, qs)] {
        if util::wildcard(comp, short)
            && ouroboros::irm::connect_ipcp(pid, Some(dst), Some(component), &q).is_err()
        {
            return -1;
        }
    }
    0
}

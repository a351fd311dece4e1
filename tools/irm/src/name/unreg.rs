//! `irm name unregister <name> (layer <l> | ipcp <i>)...`: here the IPCP's
//! layer or name is the wildcard pattern and the user's value the text.

use super::reg::parse_command;
use crate::usage;
use crate::util;

pub fn run(args: &[String]) -> i32 {
    let (name, t) = match parse_command(args, "irm unregister", &usage::name_unregister()) {
        Ok(v) => v,
        Err(rc) => return rc,
    };
    let Ok(ipcps) = ouroboros::irm::list_ipcps() else {
        return -1;
    };
    for info in &ipcps {
        // At most one unregistration per keyword kind and IPCP.
        for (values, pattern) in [
            (&t.layers, info.layer.as_str()),
            (&t.ipcps, info.name.as_str()),
        ] {
            if values.iter().any(|v| util::wildcard_opt(Some(pattern), *v))
                && ouroboros::irm::unreg_name(name, info.pid).is_err()
            {
                return -1;
            }
        }
    }
    0
}

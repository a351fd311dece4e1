//! `irm ipcp list [type <type>] [name <name>]`: the filters are checked
//! but, as upstream, not applied.

use crate::table;
use crate::usage;
use crate::util::{self, out};
use ouroboros::ipcp::IpcpType;

pub fn run(args: &[String]) -> i32 {
    let mut type_name = None;
    if let Err(word) = util::each_pair(args, &["type", "name"], |kw, v| {
        if kw == "type" {
            type_name = v;
        }
    }) {
        out!("\"{word}\" is unknown, try \"irm ipcp list\".\n");
        return -1;
    }
    if type_name.is_some_and(|t| IpcpType::from_name(t).is_none()) {
        out!("{}", usage::IPCP_LIST);
        return -1;
    }
    match ouroboros::irm::list_ipcps() {
        Ok(list) if list.is_empty() => {
            out!("No IPCPs in system.\n\n");
            0
        }
        Ok(list) => {
            out!("{}", table::ipcps(&list));
            0
        }
        Err(ouroboros::Error::Irmd) => {
            out!("Failed to communicate with the Ouroboros IPC Resource Manager daemon.\n");
            -1
        }
        Err(e) => e.code(),
    }
}

//! `irm unbind ipcp <ipcp> name <name>`: unbinds the IPCP's pid from a
//! name. An unknown IPCP (or an unreachable IRMd) is not an error.

use crate::bind::ipcp::{parse, with_ipcp_pid};
use crate::usage;
use crate::util::out;

pub fn run(args: &[String]) -> i32 {
    match parse(args) {
        Err(w) => {
            out!("\"{w}\" is unknown, try \"irm unbind ipcp\".\n");
            -1
        }
        Ok((Some(ipcp), Some(name))) => {
            with_ipcp_pid(ipcp, |pid| ouroboros::irm::unbind_process(pid, name))
        }
        Ok(_) => {
            out!("{}", usage::UNBIND_IPCP);
            -1
        }
    }
}

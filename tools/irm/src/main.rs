//! `irm`: the Ouroboros management tool.
//!
//! Every command returns an upstream-style integer (0 on success, a
//! negative value on failure); `main` turns that into the exit status.

mod bind;
mod dispatch;
mod ipcp;
mod name;
mod table;
mod unbind;
mod usage;
mod util;

use dispatch::Handler;
use util::{err, out, EIRMD};

fn help(_: &[String]) -> i32 {
    out!("{}", usage::IRM);
    0
}

const COMMANDS: &[(&str, Handler)] = &[
    ("ipcp", ipcp::run),
    ("bind", bind::run),
    ("unbind", unbind::run),
    ("name", name::run),
    ("help", help),
];

/// Runs `irm <args>` (without the program name) and returns the exit status.
pub fn run(args: &[String]) -> i32 {
    let Some(word) = args.first() else {
        out!("{}", usage::IRM);
        return 255;
    };
    let ret = match COMMANDS.iter().find(|(w, _)| util::is_prefix(word, w)) {
        Some((_, handler)) => handler(&args[1..]),
        None => {
            err!("\"{word}\" is unknown, try \"irm help\".\n");
            -1
        }
    };
    if ret == EIRMD {
        out!("Failed to communicate with the Ouroboros IPC Resource Manager daemon.\n");
    }
    i32::from(ret != 0)
}

fn main() {
    let status = run(&tools_common::start::args());
    tools_common::stdio::exit(status);
}

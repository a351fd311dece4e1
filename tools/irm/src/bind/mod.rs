//! `irm bind ...`: the operation word is handed on and read again as a
//! keyword by the handlers.

pub mod ipcp;
mod process;
mod program;

use crate::dispatch::Level;
use crate::usage;

pub const LEVEL: Level = Level {
    usage: usage::BIND,
    hint: "irm bind help",
    keep_word: true,
    ops: &[
        ("program", Some(program::run)),
        ("process", Some(process::run)),
        ("ipcp", Some(ipcp::run)),
        ("help", None),
    ],
};

pub fn run(args: &[String]) -> i32 {
    LEVEL.run(args)
}

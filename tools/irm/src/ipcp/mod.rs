//! `irm ipcp ...`.

mod bootstrap;
mod connect;
mod create;
mod destroy;
mod disconnect;
mod enroll;
mod list;

use crate::dispatch::Level;
use crate::usage;

pub const LEVEL: Level = Level {
    usage: usage::IPCP,
    hint: "irm ipcp help",
    keep_word: false,
    ops: &[
        ("create", Some(create::run)),
        ("destroy", Some(destroy::run)),
        ("bootstrap", Some(bootstrap::run)),
        ("enroll", Some(enroll::run)),
        ("connect", Some(connect::run)),
        ("disconnect", Some(disconnect::run)),
        ("list", Some(list::run)),
        ("help", None),
    ],
};

pub fn run(args: &[String]) -> i32 {
    LEVEL.run(args)
}

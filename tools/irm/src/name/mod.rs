//! `irm name ...`. Upstream's unknown-operation hint points at
//! `irm ipcp help` here too.

mod create;
mod destroy;
mod list;
mod reg;
mod unreg;

use crate::dispatch::Level;
use crate::usage;

pub const LEVEL: Level = Level {
    usage: usage::NAME,
    hint: "irm ipcp help",
    keep_word: false,
    ops: &[
        ("create", Some(create::run)),
        ("destroy", Some(destroy::run)),
        ("register", Some(reg::run)),
        ("unregister", Some(unreg::run)),
        ("list", Some(list::run)),
        ("help", None),
    ],
};

pub fn run(args: &[String]) -> i32 {
    LEVEL.run(args)
}

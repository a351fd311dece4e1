//! `irm name destroy <name>`.

use crate::usage;
use crate::util::{self, out};

pub fn run(args: &[String]) -> i32 {
    match args {
        [] => {
            out!("{}", usage::NAME_DESTROY);
            -1
        }
        [name] => util::code(ouroboros::irm::destroy_name(name)),
        [_, extra, ..] => {
            out!("\"{extra}\" is unknown, try \"irm name destroy\".\n");
            -1
        }
    }
}

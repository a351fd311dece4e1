//! `irm unbind program <prog> [name <name>]`: the program is sent as typed.
//! Without a name the library refuses (-EINVAL), as upstream.

use crate::usage;
use crate::util::{self, out};

pub fn run(args: &[String]) -> i32 {
    let (mut prog, mut name) = (None, None);
    for (i, word) in args.iter().enumerate().step_by(2) {
        if util::is_prefix(word, "name") {
            name = util::next(args, i);
        } else if util::is_prefix(word, "program") {
            prog = util::next(args, i);
        } else {
            out!("\"{word}\" is unknown, try \"irm unbind program\".\n");
            return -1;
        }
    }
    let Some(prog) = prog else {
        out!("{}", usage::UNBIND_PROGRAM);
        return -1;
    };
    match name {
        Some(name) => util::code(ouroboros::irm::unbind_program(Some(prog), name)),
        None => util::einval(),
    }
}

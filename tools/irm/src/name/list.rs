//! `irm name list [list <filter>]`: shows the names that are a prefix of
//! the filter (upstream's reversed test).

use crate::table;
use crate::util::{self, out};
use ouroboros::name::{NameInfo, NAME_SIZE};

/// Names as upstream's library returns them: cut to `NAME_SIZE - 1` bytes.
fn truncate(mut n: NameInfo) -> NameInfo {
    if n.name.len() >= NAME_SIZE {
        let mut cut = NAME_SIZE - 1;
        while !n.name.is_char_boundary(cut) {
            cut -= 1;
        }
        n.name.truncate(cut);
    }
    n
}

pub fn run(args: &[String]) -> i32 {
    let mut filter = None;
    if let Err(word) = util::each_pair(args, &["list"], |_, v| filter = v) {
        out!("\"{word}\" is unknown, try \"irm name list.\n");
        return -1;
    }
    match ouroboros::irm::list_names() {
        Ok(names) if names.is_empty() => {
            out!("No names in system.\n\n");
            0
        }
        Ok(names) => {
            let names: Vec<NameInfo> = names.into_iter().map(truncate).collect();
            out!(
                "{}",
                table::names(&names, |n| filter
                    .is_none_or(|f| util::is_prefix(&n.name, f)))
            );
            0
        }
        Err(ouroboros::Error::Irmd) => {
            out!("Failed to communicate with the Ouroboros IPC Resource Manager daemon.\n");
            -1
        }
        Err(e) => e.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut() {
        let n = truncate(NameInfo::new(&"x".repeat(300), 0));
        assert_eq!(n.name.len(), NAME_SIZE - 1);
        let n = truncate(NameInfo::new(&"x".repeat(254), 0));
        assert_eq!(n.name.len(), 254);
    }
}

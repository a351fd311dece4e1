//! Second-level dispatch (`irm ipcp|bind|unbind|name <op> ...`).

use crate::util::{self, err, out};

/// A command handler; returns 0 or a negative upstream-style value.
pub type Handler = fn(&[String]) -> i32;

/// One command level.
pub struct Level {
    pub usage: &'static str,
    /// Shown in the unknown-operation message: `try "<hint>"`.
    pub hint: &'static str,
    /// Whether the handler also gets the operation word itself (bind and
    /// unbind re-read it as a keyword).
    pub keep_word: bool,
    /// Operations in matching order; `None` is the level's `help`.
    pub ops: &'static [(&'static str, Option<Handler>)],
}

impl Level {
    pub fn run(&self, args: &[String]) -> i32 {
        let Some(word) = args.first() else {
            out!("{}", self.usage);
            return -1;
        };
        match self.ops.iter().find(|(w, _)| util::is_prefix(word, w)) {
            Some((_, Some(handler))) => handler(if self.keep_word { args } else { &args[1..] }),
            Some((_, None)) => {
                out!("{}", self.usage);
                0
            }
            None => {
                err!("\"{word}\" is unknown, try \"{}\".\n", self.hint);
                -1
            }
        }
    }

    /// The operation an abbreviation selects (for tests).
    #[cfg(test)]
    pub fn resolve(&self, word: &str) -> Option<&'static str> {
        self.ops
            .iter()
            .map(|(w, _)| *w)
            .find(|w| util::is_prefix(word, w))
    }
}

#[cfg(test)]
mod tests {
    use crate::{bind, ipcp, name, unbind};

    #[test]
    fn top_level_order() {
        let words: Vec<_> = crate::COMMANDS.iter().map(|(w, _)| *w).collect();
        assert_eq!(words, ["ipcp", "bind", "unbind", "name", "help"]);
    }

    #[test]
    fn ipcp_abbreviations() {
        let l = &ipcp::LEVEL;
        let cases = [
            ("", "create"),
            ("c", "create"),
            ("con", "connect"),
            ("d", "destroy"),
            ("dis", "disconnect"),
            ("b", "bootstrap"),
            ("e", "enroll"),
            ("l", "list"),
            ("h", "help"),
        ];
        for (word, op) in cases {
            assert_eq!(l.resolve(word), Some(op), "{word}");
        }
        assert_eq!(l.resolve("creat3"), None);
        assert!(!l.keep_word);
    }

    #[test]
    fn bind_unbind_abbreviations() {
        for l in [&bind::LEVEL, &unbind::LEVEL] {
            assert_eq!(l.resolve("p"), Some("program"));
            assert_eq!(l.resolve("pro"), Some("program"));
            assert_eq!(l.resolve("proc"), Some("process"));
            assert_eq!(l.resolve("i"), Some("ipcp"));
            assert_eq!(l.resolve("h"), Some("help"));
            assert_eq!(l.resolve("x"), None);
            assert!(l.keep_word);
        }
        assert_eq!(bind::LEVEL.hint, "irm bind help");
        assert_eq!(unbind::LEVEL.hint, "irm unbind help");
    }

    #[test]
    fn name_abbreviations() {
        let l = &name::LEVEL;
        let cases = [
            ("c", "create"),
            ("d", "destroy"),
            ("r", "register"),
            ("reg", "register"),
            ("u", "unregister"),
            ("unreg", "unregister"),
            ("l", "list"),
            ("h", "help"),
        ];
        for (word, op) in cases {
            assert_eq!(l.resolve(word), Some(op), "{word}");
        }
        assert_eq!(l.hint, "irm ipcp help");
    }
}

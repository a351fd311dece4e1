//! GNU `getopt_long` as glibc implements it, for one option table: short
//! options from an option string (`x` flag, `x:` required argument), long
//! options with unique-prefix matching and `--name=value`, non-options
//! moved after the options (unless `POSIXLY_CORRECT` is set), `--` ending
//! the options, and glibc's diagnostics on standard error.

/// Whether a long option takes an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HasArg {
    No,
    Required,
}

/// One long option and the short letter it stands for.
#[derive(Debug, Clone, Copy)]
pub struct LongOpt {
    pub name: &'static str,
    pub has_arg: HasArg,
    pub val: char,
}

/// One step of the parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// An option (by its letter) and its argument.
    Opt(char, Option<String>),
    /// glibc would print this on stderr and return `'?'`.
    Error(String),
}

/// The parser over `argv` (program name first).
pub struct Getopt<'a> {
    argv: &'a [String],
    short: &'static str,
    long: &'static [LongOpt],
    /// Next element to look at.
    idx: usize,
    /// Rest of a cluster of short options being read.
    cluster: Option<(usize, usize)>,
    operands: Vec<String>,
    posix: bool,
    done: bool,
}

impl<'a> Getopt<'a> {
    pub fn new(argv: &'a [String], short: &'static str, long: &'static [LongOpt]) -> Getopt<'a> {
        Getopt {
            argv,
            short,
            long,
            idx: 1,
            cluster: None,
            operands: Vec::new(),
            posix: std::env::var_os("POSIXLY_CORRECT").is_some(),
            done: false,
        }
    }

    /// Ignores `POSIXLY_CORRECT` either way (for tests).
    pub fn posix(mut self, on: bool) -> Self {
        self.posix = on;
        self
    }

    fn prog(&self) -> &str {
        self.argv.first().map_or("", String::as_str)
    }

    /// The non-option arguments, in order (valid once `next` returned
    /// `None`).
    pub fn operands(&self) -> &[String] {
        &self.operands
    }

    fn short_spec(&self, c: char) -> Option<bool> {
        if c == ':' || c == ';' {
            return None;
        }
        let i = self.short.find(c)?;
        Some(self.short[i + c.len_utf8()..].starts_with(':'))
    }

    fn next_short(&mut self, arg_idx: usize, pos: usize) -> Item {
        let arg = &self.argv[arg_idx];
        let c = arg[pos..].chars().next().unwrap_or('\0');
        let after = pos + c.len_utf8();
        let rest = &arg[after..];
        self.cluster = (!rest.is_empty()).then_some((arg_idx, after));
        match self.short_spec(c) {
            None => Item::Error(format!("{}: invalid option -- '{c}'\n", self.prog())),
            Some(false) => Item::Opt(c, None),
            Some(true) => {
                self.cluster = None;
                if !rest.is_empty() {
                    Item::Opt(c, Some(rest.to_string()))
                } else if let Some(v) = self.argv.get(self.idx) {
                    self.idx += 1;
                    Item::Opt(c, Some(v.clone()))
                } else {
                    Item::Error(format!(
                        "{}: option requires an argument -- '{c}'\n",
                        self.prog()
                    ))
                }
            }
        }
    }

    fn next_long(&mut self, body: &str) -> Item {
        let (name, value) = match body.find('=') {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let exact = self.long.iter().find(|o| o.name == name);
        let found = match exact {
            Some(o) => *o,
            None => {
                let matches: Vec<&LongOpt> = self
                    .long
                    .iter()
                    .filter(|o| o.name.starts_with(name))
                    .collect();
                match matches.as_slice() {
                    [] => {
                        return Item::Error(format!(
                            "{}: unrecognized option '--{body}'\n",
                            self.prog()
                        ))
                    }
                    [one] => **one,
                    many => {
                        let mut msg = format!(
                            "{}: option '--{body}' is ambiguous; possibilities:",
                            self.prog()
                        );
                        for o in many {
                            msg.push_str(&format!(" '--{}'", o.name));
                        }
                        msg.push('\n');
                        return Item::Error(msg);
                    }
                }
            }
        };
        match (found.has_arg, value) {
            (HasArg::No, None) => Item::Opt(found.val, None),
            (HasArg::No, Some(_)) => Item::Error(format!(
                "{}: option '--{}' doesn't allow an argument\n",
                self.prog(),
                found.name
            )),
            (HasArg::Required, Some(v)) => Item::Opt(found.val, Some(v.to_string())),
            (HasArg::Required, None) => match self.argv.get(self.idx) {
                Some(v) => {
                    self.idx += 1;
                    Item::Opt(found.val, Some(v.clone()))
                }
                None => Item::Error(format!(
                    "{}: option '--{}' requires an argument\n",
                    self.prog(),
                    found.name
                )),
            },
        }
    }
}

impl Iterator for Getopt<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if let Some((arg_idx, pos)) = self.cluster.take() {
            return Some(self.next_short(arg_idx, pos));
        }
        while !self.done {
            let Some(arg) = self.argv.get(self.idx) else {
                self.done = true;
                break;
            };
            let i = self.idx;
            self.idx += 1;
            if arg == "--" {
                self.operands.extend_from_slice(&self.argv[self.idx..]);
                self.done = true;
                break;
            }
            if let Some(body) = arg.strip_prefix("--") {
                return Some(self.next_long(body));
            }
            if arg.len() > 1 && arg.starts_with('-') {
                return Some(self.next_short(i, 1));
            }
            // a non-option: kept for later, or the end of the options
            if self.posix {
                self.operands.extend_from_slice(&self.argv[i..]);
                self.done = true;
                break;
            }
            self.operands.push(arg.clone());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // the table ovpn parses with
    use crate::LONG;

    fn run(v: &[&str]) -> (Vec<Item>, Vec<String>) {
        let argv: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        let mut g = Getopt::new(&argv, "i:m:n:Ch", LONG).posix(false);
        let items: Vec<Item> = g.by_ref().collect();
        (items, g.operands().to_vec())
    }

    fn opt(c: char, v: Option<&str>) -> Item {
        Item::Opt(c, v.map(String::from))
    }

    fn err(s: &str) -> Item {
        Item::Error(s.into())
    }

    #[test]
    fn short_options() {
        let (items, ops) = run(&["ovpn", "-i", "1.2.3.4", "-m255.0.0.0", "-Ch"]);
        assert_eq!(
            items,
            [
                opt('i', Some("1.2.3.4")),
                opt('m', Some("255.0.0.0")),
                opt('C', None),
                opt('h', None)
            ]
        );
        assert!(ops.is_empty());
        // a required argument is the next word, whatever it looks like
        let (items, _) = run(&["ovpn", "-n", "-h"]);
        assert_eq!(items, [opt('n', Some("-h"))]);
    }

    #[test]
    fn short_errors_use_glibc_wording() {
        let (items, _) = run(&["ovpn", "-x"]);
        assert_eq!(items, [err("ovpn: invalid option -- 'x'\n")]);
        let (items, _) = run(&["ovpn", "-i"]);
        assert_eq!(items, [err("ovpn: option requires an argument -- 'i'\n")]);
        let (items, _) = run(&["/usr/bin/ovpn", "-h:"]);
        assert_eq!(
            items,
            [
                opt('h', None),
                err("/usr/bin/ovpn: invalid option -- ':'\n")
            ]
        );
    }

    #[test]
    fn long_options() {
        let (items, _) = run(&[
            "ovpn",
            "--ip",
            "10.0.0.1",
            "--mask=255.255.255.0",
            "--na",
            "srv",
            "--he",
        ]);
        assert_eq!(
            items,
            [
                opt('i', Some("10.0.0.1")),
                opt('m', Some("255.255.255.0")),
                opt('n', Some("srv")),
                opt('h', None)
            ]
        );
    }

    #[test]
    fn long_errors_use_glibc_wording() {
        let (items, _) = run(&["ovpn", "--bogus"]);
        assert_eq!(items, [err("ovpn: unrecognized option '--bogus'\n")]);
        let (items, _) = run(&["ovpn", "--bogus=1"]);
        assert_eq!(items, [err("ovpn: unrecognized option '--bogus=1'\n")]);
        let (items, _) = run(&["ovpn", "--help=yes"]);
        assert_eq!(
            items,
            [err("ovpn: option '--help' doesn't allow an argument\n")]
        );
        let (items, _) = run(&["ovpn", "--i"]);
        assert_eq!(items, [err("ovpn: option '--ip' requires an argument\n")]);
        let (items, _) = run(&["ovpn", "--=x"]);
        assert_eq!(
            items,
            [err(
                "ovpn: option '--=x' is ambiguous; possibilities: '--ip' '--mask' '--name' '--help'\n"
            )]
        );
    }

    #[test]
    fn operands_are_permuted_after_options() {
        let (items, ops) = run(&["ovpn", "a", "-i", "1.1.1.1", "b", "--", "-m", "c"]);
        assert_eq!(items, [opt('i', Some("1.1.1.1"))]);
        assert_eq!(ops, ["a", "b", "-m", "c"]);
        let (items, ops) = run(&["ovpn", "-", "-h"]);
        assert_eq!(items, [opt('h', None)]);
        assert_eq!(ops, ["-"]);
    }

    #[test]
    fn posixly_correct_stops_at_the_first_operand() {
        let argv: Vec<String> = ["ovpn", "a", "-h"].iter().map(|s| s.to_string()).collect();
        let mut g = Getopt::new(&argv, "i:m:n:Ch", LONG).posix(true);
        assert_eq!(g.next(), None);
        assert_eq!(g.operands(), ["a", "-h"]);
    }
}

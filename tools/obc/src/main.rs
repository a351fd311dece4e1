//! obc: writes one message to a broadcast layer (`obc -n <layer> [-m
//! <message>]`) or prints the messages it receives (`obc -l -n <layer>`),
//! with upstream 0.23.0's command line, output and exit codes.

use ouroboros::dev::Flow;
use tools_common::{out, start, stdio};

/// Printed for `--help` and any unknown option.
pub const USAGE: &str = "Usage: obc [OPTION]...\n\
Sends a message to a broadcast network\n\
\n\
\x20 -n --name                 Name of the broadcast layer\n\
\x20 -m --message              A message to send\n\
\x20 [-l, --listen             Listen mode]\n\
\x20     --help                Display this help text and exit\n";

/// Sent when `-m` is not given.
pub const DEFAULT_MESSAGE: &str = "Ouroboros multicast rocks!";

/// A reader receives at most this much per read.
const BUF_SIZE: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub reader: bool,
    /// Layer name; `Some(None)` when `-n` ended the command line.
    pub name: Option<Option<String>>,
    /// `None` when `-m` ended the command line.
    pub message: Option<String>,
}

/// What the command line leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Run(Options),
    /// Print this and exit with that code.
    Exit(String, i32),
}

/// Whole-word options, values in the next argument.
pub fn parse(args: &[String]) -> Parsed {
    let mut o = Options {
        reader: false,
        name: None,
        message: Some(DEFAULT_MESSAGE.into()),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-l" | "--listen" => o.reader = true,
            "-n" | "--name" => o.name = Some(it.next().cloned()),
            "-m" | "--message" => o.message = it.next().cloned(),
            _ => return Parsed::Exit(USAGE.into(), 0),
        }
    }
    match o.name {
        Some(Some(_)) => Parsed::Run(o),
        _ => Parsed::Exit(format!("Please specify a name.\n\n{USAGE}"), 1),
    }
}

/// The line a reader prints for `count` bytes received: the text up to
/// the first NUL.
pub fn message_line(data: &[u8]) -> Vec<u8> {
    let text = data.split(|&b| b == 0).next().unwrap_or(&[]);
    let mut line = b"Message is ".to_vec();
    line.extend_from_slice(text);
    line.extend_from_slice(b".\n");
    line
}

fn reader(layer: &str) -> i32 {
    out!("Starting a reader.\n");
    let Ok(flow) = Flow::join(layer, None) else {
        out!("Failed to join broadcast.\n");
        return 255;
    };
    out!("New flow.\n");
    let mut buf = [0u8; BUF_SIZE];
    loop {
        match flow.read(&mut buf) {
            Ok(n) => stdio::write_bytes(&message_line(&buf[..n])),
            Err(_) => {
                out!("Failed to read.\n");
                let _ = flow.dealloc();
                return 0;
            }
        }
    }
}

fn writer(layer: &str, message: Option<&str>) -> i32 {
    let Ok(flow) = Flow::join(layer, None) else {
        out!("Failed to join broadcast.\n");
        return 255;
    };
    // `-m` without a value: upstream takes the length of a NULL string
    // here; we print the usage instead.
    let Some(message) = message else {
        out!("{USAGE}");
        let _ = flow.dealloc();
        return 1;
    };
    let mut packet = message.as_bytes().to_vec();
    packet.push(0);
    if flow.write(&packet).is_err() {
        out!("Failed to write packet.\n");
        let _ = flow.dealloc();
        return 255;
    }
    let _ = flow.dealloc();
    0
}

fn main() {
    start::init();
    let argv = start::args();
    let code = match parse(&argv) {
        Parsed::Exit(text, code) => {
            out!("{text}");
            code
        }
        Parsed::Run(o) => {
            let layer = o.name.flatten().unwrap_or_default();
            if o.reader {
                reader(&layer)
            } else {
                writer(&layer, o.message.as_deref())
            }
        }
    };
    stdio::exit(code);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn usage_is_appendix_a28() {
        let expected = concat!(
            "Usage: obc [OPTION]...\n",
            "Sends a message to a broadcast network\n",
            "\n",
            "  -n --name                 Name of the broadcast layer\n",
            "  -m --message              A message to send\n",
            "  [-l, --listen             Listen mode]\n",
            "      --help                Display this help text and exit\n",
        );
        assert_eq!(USAGE, expected);
    }

    #[test]
    fn help_and_unknown_options_exit_0() {
        for a in [
            &["--help"][..],
            &["-x"],
            &["-n", "bc", "-lm"],
            &["--name=bc"],
        ] {
            assert_eq!(parse(&args(a)), Parsed::Exit(USAGE.into(), 0), "{a:?}");
        }
    }

    #[test]
    fn name_is_required() {
        let want = Parsed::Exit(format!("Please specify a name.\n\n{USAGE}"), 1);
        assert_eq!(parse(&args(&[])), want);
        assert_eq!(parse(&args(&["-l"])), want);
        assert_eq!(parse(&args(&["-m", "hi", "-n"])), want);
    }

    #[test]
    fn roles_and_message() {
        let Parsed::Run(o) = parse(&args(&["--name", "bc"])) else {
            panic!("should run")
        };
        assert!(!o.reader);
        assert_eq!(o.message.as_deref(), Some(DEFAULT_MESSAGE));
        let Parsed::Run(o) = parse(&args(&["-m", "hello", "-n", "bc", "--listen"])) else {
            panic!("should run")
        };
        assert!(o.reader);
        assert_eq!(o.name, Some(Some("bc".into())));
        assert_eq!(o.message.as_deref(), Some("hello"));
        let Parsed::Run(o) = parse(&args(&["-n", "bc", "-m"])) else {
            panic!("should run")
        };
        assert_eq!(o.message, None);
    }

    #[test]
    fn message_lines_stop_at_nul() {
        assert_eq!(message_line(b"hello\0"), b"Message is hello.\n");
        assert_eq!(message_line(b"ab\0cd"), b"Message is ab.\n");
        assert_eq!(message_line(b"no nul"), b"Message is no nul.\n");
        assert_eq!(message_line(b""), b"Message is .\n");
    }
}

//! `oecho`: one message from a client to a server and back over a flow to
//! the fixed name `oecho` (upstream's oecho, on the safe Rust API).

use ouroboros::dev::Flow;
use tools_common::{out, start, stdio};

const USAGE: &str = "\
Usage: oecho [OPTION]...
Sends an echo between a server and a client

  -l, --listen              Run in server mode
      --help                Display this help text and exit
";

/// The name the client allocates a flow to.
const NAME: &str = "oecho";
/// What the client sends: the text and its terminating NUL.
const MESSAGE: &[u8] = b"Client says hi!\0";
/// Receive buffer size.
const BUF_SIZE: usize = 256;
/// Exit status of a failed client (`main` returns -1 upstream).
const FAILURE: i32 = 255;

#[derive(Debug, PartialEq)]
enum Mode {
    Client,
    Server,
    Usage,
}

fn parse(args: &[String]) -> Mode {
    let mut mode = Mode::Client;
    for a in args {
        match a.as_str() {
            "-l" | "--listen" => mode = Mode::Server,
            _ => return Mode::Usage,
        }
    }
    mode
}

/// The text of a message: its first `len` bytes up to the first NUL
/// (`printf("%.*s")`).
fn text(buf: &[u8]) -> &[u8] {
    buf.iter()
        .position(|&b| b == 0)
        .map_or(buf, |nul| &buf[..nul])
}

fn server() -> i32 {
    out!("Starting the server.\n");
    let mut buf = [0u8; BUF_SIZE];
    loop {
        let Ok(flow) = Flow::accept(None) else {
            out!("Failed to accept flow.\n");
            return 0;
        };
        out!("New flow.\n");
        let Ok(n) = flow.read(&mut buf) else {
            out!("Failed to read packet.\n");
            continue;
        };
        out!("Message from client is ");
        stdio::write_bytes(text(&buf[..n]));
        out!(".\n");
        if flow.write(&buf[..n]).is_err() {
            out!("Failed to write packet.\n");
        }
        let _ = flow.dealloc();
    }
}

fn client() -> i32 {
    let Ok(flow) = Flow::alloc(NAME, None, None) else {
        out!("Failed to allocate flow.\n");
        return FAILURE;
    };
    if flow.write(MESSAGE).is_err() {
        out!("Failed to write packet.\n");
        return FAILURE;
    }
    let mut buf = [0u8; BUF_SIZE];
    let Ok(n) = flow.read(&mut buf) else {
        out!("Failed to read packet.\n");
        return FAILURE;
    };
    out!("Server replied with ");
    stdio::write_bytes(text(&buf[..n]));
    out!("\n");
    let _ = flow.dealloc();
    0
}

fn main() {
    start::init();
    let args = start::args();
    let code = match parse(&args) {
        Mode::Usage => {
            out!("{USAGE}");
            0
        }
        Mode::Server => server(),
        Mode::Client => client(),
    };
    stdio::exit(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn usage_is_appendix_a25() {
        assert_eq!(
            USAGE,
            "Usage: oecho [OPTION]...\nSends an echo between a server and a client\n\n  -l, --listen              Run in server mode\n      --help                Display this help text and exit\n"
        );
    }

    #[test]
    fn arguments() {
        assert_eq!(parse(&args("")), Mode::Client);
        assert_eq!(parse(&args("-l")), Mode::Server);
        assert_eq!(parse(&args("--listen -l")), Mode::Server);
        for bad in ["--help", "-h", "-l x", "x -l", "-lx", "--listen=1"] {
            assert_eq!(parse(&args(bad)), Mode::Usage, "{bad}");
        }
    }

    #[test]
    fn text_stops_at_nul_or_length() {
        assert_eq!(text(MESSAGE), b"Client says hi!");
        assert_eq!(text(b"abc"), b"abc");
        assert_eq!(text(b""), b"");
        assert_eq!(MESSAGE.len(), 16);
    }
}

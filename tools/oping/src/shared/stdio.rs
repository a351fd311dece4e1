//! stdout the way C stdio handles it, which the upstream tools rely on:
//! line by line on a terminal, otherwise in blocks of 4 KiB with the rest
//! written at exit. Output pending when a process dies of a signal it does
//! not handle is lost, as upstream.
//!
//! Shared by oping, oecho and ocbr (included by path).

use std::io::Write;
use std::sync::Mutex;

/// stdio's buffer size for a stream that is not a terminal.
const BLOCK: usize = 4096;

/// Bytes not yet written; `None` until the first write decides the mode.
static PENDING: Mutex<Option<Buffer>> = Mutex::new(None);

enum Buffer {
    /// stdout is a terminal: every line goes out at once.
    Lines,
    Blocks(Vec<u8>),
}

/// Prints to stdout (write errors are ignored, as with `printf`).
macro_rules! out {
    ($($t:tt)*) => {
        $crate::stdio::write_fmt(format_args!($($t)*))
    };
}
pub(crate) use out;

pub fn write_fmt(args: std::fmt::Arguments<'_>) {
    match args.as_str() {
        Some(s) => write_bytes(s.as_bytes()),
        None => write_bytes(args.to_string().as_bytes()),
    }
}

/// Prints raw bytes (text that need not be UTF-8).
pub fn write_bytes(bytes: &[u8]) {
    let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    let buf = pending.get_or_insert_with(|| {
        // SAFETY: isatty only inspects the descriptor.
        if unsafe { libc::isatty(1) } == 1 {
            Buffer::Lines
        } else {
            Buffer::Blocks(Vec::with_capacity(BLOCK))
        }
    });
    match buf {
        Buffer::Lines => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(bytes);
        }
        Buffer::Blocks(buf) => {
            buf.extend_from_slice(bytes);
            let full = buf.len() - buf.len() % BLOCK;
            if full > 0 {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&buf[..full]).and_then(|()| out.flush());
                buf.drain(..full);
            }
        }
    }
}

/// Writes out whatever is still buffered.
pub fn flush() {
    let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = std::io::stdout().lock();
    if let Some(Buffer::Blocks(buf)) = pending.as_mut() {
        let _ = out.write_all(buf);
        buf.clear();
    }
    let _ = out.flush();
}

/// Flushes stdout and ends the process with `code` (C's `exit`).
pub fn exit(code: i32) -> ! {
    flush();
    std::process::exit(code)
}

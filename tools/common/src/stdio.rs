//! Standard output the way C stdio buffers it, which upstream's programs
//! rely on: line by line on a terminal, otherwise in blocks (the size the
//! kernel reports for the descriptor), the rest written at `exit`. A
//! program killed by a signal it does not handle loses what is pending,
//! exactly like upstream. One buffer for all threads, as one `FILE`.

use std::io::Write;
use std::sync::Mutex;

struct Buffered {
    pending: Vec<u8>,
    /// Block size; 0 means line buffered (a terminal).
    block: usize,
}

static STDOUT: Mutex<Option<Buffered>> = Mutex::new(None);

fn mode() -> usize {
    // SAFETY: isatty and fstat only inspect descriptor 1.
    unsafe {
        if libc::isatty(1) == 1 {
            return 0;
        }
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(1, &mut st) == 0 && st.st_blksize > 0 {
            st.st_blksize as usize
        } else {
            8192
        }
    }
}

fn emit(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes).and_then(|()| out.flush());
}

/// Appends raw bytes to standard output.
pub fn write_bytes(bytes: &[u8]) {
    let mut guard = STDOUT.lock().unwrap_or_else(|e| e.into_inner());
    let b = guard.get_or_insert_with(|| Buffered {
        pending: Vec::new(),
        block: mode(),
    });
    b.pending.extend_from_slice(bytes);
    let ready = if b.block == 0 {
        b.pending
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1)
    } else {
        b.pending.len() - b.pending.len() % b.block
    };
    if ready > 0 {
        emit(&b.pending[..ready]);
        b.pending.drain(..ready);
    }
}

/// `printf`: formatted text to standard output.
pub fn write_fmt(args: std::fmt::Arguments<'_>) {
    match args.as_str() {
        Some(s) => write_bytes(s.as_bytes()),
        None => write_bytes(args.to_string().as_bytes()),
    }
}

/// Writes out whatever is pending.
pub fn flush() {
    let mut guard = STDOUT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(b) = guard.as_mut() {
        emit(&b.pending);
        b.pending.clear();
    }
}

/// C `exit`: flushes standard output, then ends the process (the library's
/// exit handler still runs).
pub fn exit(code: i32) -> ! {
    flush();
    std::process::exit(code)
}

/// `printf` to the buffered standard output.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::stdio::write_fmt(format_args!($($arg)*))
    };
}

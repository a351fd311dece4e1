//! Daemon logging in upstream's format: to stdout as
//! `<colour>==<pid %05d>== <prefix>(<LVL>): <message>ESC[0m`, or to syslog
//! (facility daemon, LOG_PID) with the bare message.

use std::ffi::CString;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static SYSLOG: AtomicBool = AtomicBool::new(false);

/// Severity of a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Err,
    Warn,
    Info,
}

impl Level {
    fn colour(self) -> &'static str {
        match self {
            Level::Err => "\x1b[31m",
            Level::Warn => "\x1b[33m",
            Level::Info => "\x1b[32m",
        }
    }

    fn code(self) -> &'static str {
        match self {
            Level::Err => "EE",
            Level::Warn => "WW",
            Level::Info => "II",
        }
    }

    fn priority(self) -> libc::c_int {
        match self {
            Level::Err => libc::LOG_ERR,
            Level::Warn => libc::LOG_WARNING,
            Level::Info => libc::LOG_INFO,
        }
    }
}

/// Selects syslog (true) or stdout (false) for this process.
pub fn init(syslog: bool) {
    SYSLOG.store(syslog, Ordering::SeqCst);
    if syslog {
        // SAFETY: a NULL ident makes glibc use the program's short name.
        unsafe { libc::openlog(std::ptr::null(), libc::LOG_PID, libc::LOG_DAEMON) };
    }
}

pub fn is_syslog() -> bool {
    SYSLOG.load(Ordering::SeqCst)
}

/// The stdout form of one line (without the trailing newline).
pub fn format_line(pid: u32, prefix: &str, level: Level, msg: &str) -> String {
    format!(
        "{}=={:05}== {}({}): {}\x1b[0m",
        level.colour(),
        pid,
        prefix,
        level.code(),
        msg
    )
}

/// Writes one log line.
pub fn write(prefix: &str, level: Level, msg: &str) {
    if is_syslog() {
        let text = CString::new(msg.replace('\0', " ")).unwrap_or_default();
        // SAFETY: "%s" with a valid NUL-terminated string.
        unsafe { libc::syslog(level.priority(), c"%s".as_ptr(), text.as_ptr()) };
    } else {
        let line = format_line(std::process::id(), prefix, level, msg);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

#[macro_export]
macro_rules! log_err {
    ($prefix:expr, $($arg:tt)*) => { $crate::log::write($prefix, $crate::log::Level::Err, &format!($($arg)*)) };
}

#[macro_export]
macro_rules! log_warn {
    ($prefix:expr, $($arg:tt)*) => { $crate::log::write($prefix, $crate::log::Level::Warn, &format!($($arg)*)) };
}

#[macro_export]
macro_rules! log_info {
    ($prefix:expr, $($arg:tt)*) => { $crate::log::write($prefix, $crate::log::Level::Info, &format!($($arg)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format_matches_upstream() {
        assert_eq!(
            format_line(
                7,
                "irmd",
                Level::Info,
                "Ouroboros IPC Resource Manager daemon started..."
            ),
            "\x1b[32m==00007== irmd(II): Ouroboros IPC Resource Manager daemon started...\x1b[0m"
        );
        assert_eq!(
            format_line(123456, "reg", Level::Err, "x"),
            "\x1b[31m==123456== reg(EE): x\x1b[0m"
        );
    }
}

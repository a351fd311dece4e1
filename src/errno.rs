//! Error values as upstream Ouroboros reports them: Linux errno values plus
//! the Ouroboros-specific ones (1000..=1009). Functions return them negated.

use std::fmt;

pub const ENOTALLOC: i32 = 1000;
pub const EIPCPTYPE: i32 = 1001;
pub const EIRMD: i32 = 1002;
pub const EIPCP: i32 = 1003;
pub const EIPCPSTATE: i32 = 1004;
pub const EFLOWDOWN: i32 = 1005;
pub const EFLOWPEER: i32 = 1006;
pub const ENAME: i32 = 1007;
pub const ECRYPT: i32 = 1008;
pub const EAUTH: i32 = 1009;

/// An error as a Rust enum; `errno()` gives upstream's positive value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// EPERM (1): also upstream's generic "-1" failure.
    Perm,
    NoEnt,
    Intr,
    BadF,
    Again,
    NoMem,
    Exist,
    Inval,
    Pipe,
    MsgSize,
    NotSup,
    ConnReset,
    TimedOut,
    NotAlloc,
    IpcpType,
    Irmd,
    Ipcp,
    IpcpState,
    FlowDown,
    FlowPeer,
    Name,
    Crypt,
    Auth,
    /// Any other errno value (positive).
    Other(i32),
}

pub type Result<T> = std::result::Result<T, Error>;

const TABLE: &[(Error, i32)] = &[
    (Error::Perm, libc::EPERM),
    (Error::NoEnt, libc::ENOENT),
    (Error::Intr, libc::EINTR),
    (Error::BadF, libc::EBADF),
    (Error::Again, libc::EAGAIN),
    (Error::NoMem, libc::ENOMEM),
    (Error::Exist, libc::EEXIST),
    (Error::Inval, libc::EINVAL),
    (Error::Pipe, libc::EPIPE),
    (Error::MsgSize, libc::EMSGSIZE),
    (Error::NotSup, libc::ENOTSUP),
    (Error::ConnReset, libc::ECONNRESET),
    (Error::TimedOut, libc::ETIMEDOUT),
    (Error::NotAlloc, ENOTALLOC),
    (Error::IpcpType, EIPCPTYPE),
    (Error::Irmd, EIRMD),
    (Error::Ipcp, EIPCP),
    (Error::IpcpState, EIPCPSTATE),
    (Error::FlowDown, EFLOWDOWN),
    (Error::FlowPeer, EFLOWPEER),
    (Error::Name, ENAME),
    (Error::Crypt, ECRYPT),
    (Error::Auth, EAUTH),
];

impl Error {
    /// The positive errno value.
    pub fn errno(self) -> i32 {
        match self {
            Error::Other(e) => e,
            e => TABLE
                .iter()
                .find(|(k, _)| *k == e)
                .map(|(_, v)| *v)
                .unwrap_or(libc::EPERM),
        }
    }

    /// From a positive errno value.
    pub fn from_errno(e: i32) -> Error {
        TABLE
            .iter()
            .find(|(_, v)| *v == e)
            .map(|(k, _)| *k)
            .unwrap_or(Error::Other(e))
    }

    /// From a result code as carried in messages and C return values
    /// (negative errno); `None` for values >= 0.
    pub fn from_code(code: i32) -> Option<Error> {
        (code < 0).then(|| Error::from_errno(code.checked_neg().unwrap_or(i32::MAX)))
    }

    /// The negative code a C function returns for this error.
    pub fn code(self) -> i32 {
        -self.errno()
    }
}

impl From<nix::Error> for Error {
    fn from(e: nix::Error) -> Error {
        Error::from_errno(e as i32)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::from_errno(e.raw_os_error().unwrap_or(libc::EIO))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Error::NotAlloc => "flow is not allocated",
            Error::IpcpType => "unknown IPCP type",
            Error::Irmd => "failed to communicate with the IRMd",
            Error::Ipcp => "failed to communicate with an IPCP",
            Error::IpcpState => "target in wrong state",
            Error::FlowDown => "flow is down",
            Error::FlowPeer => "flow is down (peer timed out)",
            Error::Name => "naming error",
            Error::Crypt => "encryption error",
            Error::Auth => "authentication error",
            e => return write!(f, "{}", std::io::Error::from_raw_os_error(e.errno())),
        };
        f.write_str(text)
    }
}

impl std::error::Error for Error {}

/// `strerror` text of an I/O error (without Rust's " (os error N)").
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    s.split(" (os error").next().unwrap_or(&s).to_string()
}

/// Turns a C-style status (0 or negative errno) into a Result.
pub fn check(code: i32) -> Result<i32> {
    match Error::from_code(code) {
        Some(e) => Err(e),
        None => Ok(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_value() {
        for (e, v) in TABLE {
            assert_eq!(Error::from_errno(*v), *e);
            assert_eq!(e.errno(), *v);
            assert_eq!(Error::from_code(-v), Some(*e));
        }
        assert_eq!(Error::from_errno(4242), Error::Other(4242));
        assert_eq!(Error::Other(4242).code(), -4242);
        assert_eq!(Error::from_code(0), None);
        assert_eq!(Error::Perm.code(), -1);
        assert_eq!(Error::Irmd.code(), -1002);
    }
}

//! OAP, the flow allocation protocol the IRMds run for every flow
//! allocation (control-plane spec §6.8): the allocating IRMd is the client
//! for the destination name, the accepting IRMd the server.
//!
//! The exchange is one request and one response header ([`hdr`]). Both
//! sides are state machines without network I/O: the caller passes the
//! wall-clock time, the randomness and a log sink, and moves the bytes.
//! They do look at the name's credential and `enc.conf` files, as upstream
//! decides per exchange what is configured ([`config`]).
//!
//! This milestone covers exchanges without certificates and encryption,
//! exactly as upstream runs them. Where a name's files (or a peer's
//! header) ask for authentication or key exchange, the exchange fails
//! with the error upstream would give if that step failed (`-EAUTH` or
//! `-ECRYPT`) and says so in the log, rather than running unprotected.

pub mod config;
pub mod hdr;
pub mod nid;
pub mod replay;

mod cli;
mod srv;

pub use cli::Client;
pub use hdr::ID_SIZE;
pub use nid::{Cipher, Digest, Kex};
pub use replay::{ReplayCache, Stale, REPLAY_TIMER_S};
pub use srv::{Response, Server};

use crate::log::Level;
use std::fmt;

/// Log prefix of every OAP message.
pub const LOG_PREFIX: &str = "irmd/oap";
/// Length of the symmetric flow key.
pub const SYMMKEY_SIZE: usize = 32;

/// `[<first 8 id bytes in hex>]` without the brackets, as upstream tags
/// every message about one exchange.
pub fn id_tag(id: &[u8; ID_SIZE]) -> String {
    id[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Where OAP messages go.
pub trait Log {
    fn log(&mut self, level: Level, msg: &str);
}

/// The daemon log, under the `irmd/oap` prefix.
#[derive(Clone, Copy, Debug, Default)]
pub struct DaemonLog;

impl Log for DaemonLog {
    fn log(&mut self, level: Level, msg: &str) {
        crate::log::write(LOG_PREFIX, level, msg);
    }
}

/// Collects the messages (for tests and for callers that log later).
impl Log for Vec<(Level, String)> {
    fn log(&mut self, level: Level, msg: &str) {
        self.push((level, msg.to_string()));
    }
}

/// Logs a message about exchange `id`, tagged as upstream does.
fn log_id(log: &mut dyn Log, level: Level, id: &[u8; ID_SIZE], msg: &str) {
    log.log(level, &format!("[{}] {}", id_tag(id), msg));
}

/// What a completed exchange gives the IRMd for its reply to the
/// application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Negotiated cipher; `None` means an unencrypted flow (`cipher_nid`
    /// 0 in the reply).
    pub cipher: Option<Cipher>,
    /// The 32-byte flow key (`sym_key`), present only with a cipher.
    pub key: Option<[u8; SYMMKEY_SIZE]>,
    /// Data the peer piggybacked (always empty in 0.23.0).
    pub data: Vec<u8>,
}

impl Outcome {
    /// The `cipher_nid` of the IRM reply.
    pub fn cipher_nid(&self) -> u16 {
        self.cipher.map_or(0, Cipher::nid)
    }

    fn plain(data: &[u8]) -> Outcome {
        Outcome {
            cipher: None,
            key: None,
            data: data.to_vec(),
        }
    }
}

/// Which rule failed an exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// No random exchange id could be generated.
    Random,
    /// The name's certificate and key files exist; authentication is not
    /// supported yet.
    AuthNotSupported,
    /// The name's `enc.conf` is invalid.
    EncConfig(config::ConfigError),
    /// The name's `enc.conf` selects a KEM; like the reference build, this
    /// one has no ML-KEM.
    PqcUnavailable(Kex),
    /// The name's `enc.conf` enables encryption; key exchange is not
    /// supported yet.
    EncNotSupported,
    /// The peer's header does not parse.
    Decode(hdr::Error),
    /// The request is too old, from the future or a replay.
    Stale(Stale),
    /// The peer sent a certificate; verifying it is not supported yet.
    PeerAuthNotSupported,
    /// The client sent key-exchange data; not supported yet.
    PeerKexNotSupported,
    /// The request names a digest this build cannot compute.
    DigestUnavailable(Digest),
    /// The response does not carry the request's id.
    IdMismatch,
    /// The response carries no request hash.
    MissingHash,
    /// The response's request hash is not the hash of the request.
    HashMismatch,
    /// The header could not be built.
    Emit(hdr::EmitError),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Random => write!(f, "no random exchange id"),
            ErrorKind::AuthNotSupported => {
                write!(f, "authentication certificates are not supported yet")
            }
            ErrorKind::EncConfig(e) => write!(f, "encryption config: {e}"),
            ErrorKind::PqcUnavailable(k) => write!(f, "PQC not available: {}", k.name()),
            ErrorKind::EncNotSupported => write!(f, "encryption is not supported yet"),
            ErrorKind::Decode(e) => write!(f, "malformed header: {e}"),
            ErrorKind::Stale(Stale::Future { ms }) => write!(f, "header {ms} ms in the future"),
            ErrorKind::Stale(Stale::TooOld { ms }) => write!(f, "header too old ({ms} ms)"),
            ErrorKind::Stale(Stale::Replay) => write!(f, "replayed header"),
            ErrorKind::PeerAuthNotSupported => {
                write!(f, "peer certificates are not supported yet")
            }
            ErrorKind::PeerKexNotSupported => write!(f, "key exchange is not supported yet"),
            ErrorKind::DigestUnavailable(d) => write!(f, "digest {} unavailable", d.name()),
            ErrorKind::IdMismatch => write!(f, "response id mismatch"),
            ErrorKind::MissingHash => write!(f, "response without request hash"),
            ErrorKind::HashMismatch => write!(f, "request hash mismatch"),
            ErrorKind::Emit(e) => write!(f, "cannot build header: {e}"),
        }
    }
}

/// A failed exchange: the rule that failed and the result code upstream
/// returns for it in that role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    code: crate::Error,
}

impl Error {
    fn auth(kind: ErrorKind) -> Error {
        Error {
            kind,
            code: crate::Error::Auth,
        }
    }

    fn crypt(kind: ErrorKind) -> Error {
        Error {
            kind,
            code: crate::Error::Crypt,
        }
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// `Error::Auth` (-EAUTH) or `Error::Crypt` (-ECRYPT).
    pub fn code(&self) -> crate::Error {
        self.code
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OAP: {} ({})", self.kind, self.code)
    }
}

impl std::error::Error for Error {}

impl From<Error> for crate::Error {
    fn from(e: Error) -> crate::Error {
        e.code
    }
}

/// Credential and encryption-config loading shared by both sides: `Ok`
/// only when neither authentication nor encryption is configured.
/// `Err(true)` for a credential failure, `Err(false)` for a config one;
/// the side maps them to its result codes and adds its own message.
fn load_security(
    name: &str,
    paths: &crate::name::SecPaths,
    log: &mut dyn Log,
) -> Result<(), (bool, ErrorKind)> {
    if !config::credentials_present(paths) {
        log.log(
            Level::Info,
            &format!("No authentication certificates for {name}."),
        );
    } else {
        log.log(
            Level::Err,
            &format!(
                "Authentication with {} and {} for {name} is not supported yet.",
                paths.crt, paths.key
            ),
        );
        return Err((true, ErrorKind::AuthNotSupported));
    }

    match config::load_enc_config(&paths.enc) {
        Err(e) => {
            log.log(
                Level::Warn,
                &format!("Failed to load {} for {name}.", paths.enc),
            );
            Err((false, ErrorKind::EncConfig(e)))
        }
        Ok(None) => {
            log.log(
                Level::Info,
                &format!("Key exchange not configured for {name}."),
            );
            Ok(())
        }
        Ok(Some(c)) if c.kex.is_kem() => {
            log.log(
                Level::Err,
                &format!("PQC not available, can't use {} for {name}.", c.kex.name()),
            );
            Err((false, ErrorKind::PqcUnavailable(c.kex)))
        }
        Ok(Some(c)) => {
            log.log(
                Level::Err,
                &format!(
                    "Encryption for {name} ({} + {}) is not supported yet.",
                    c.kex.name(),
                    c.cipher.name()
                ),
            );
            Err((false, ErrorKind::EncNotSupported))
        }
    }
}

/// The wall clock (`CLOCK_REALTIME`) in ns since the Unix epoch, the
/// timestamp OAP headers carry.
pub fn now_utc_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into a valid timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}

/// Fills `buf` from the kernel's random source (getrandom(2)).
pub fn os_random(buf: &mut [u8]) -> crate::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: the pointer and length describe the writable `rest`.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return Err(e.into());
        }
        done += n as usize;
    }
    Ok(())
}

#[cfg(test)]
mod tests;

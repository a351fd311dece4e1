//! The server side: the accepting IRMd, acting for the destination name.

use super::hdr::Repr;
use super::replay::{ReplayCache, Stale};
use super::{load_security, log_id, Digest, Error, ErrorKind, Log, Outcome};
use crate::log::Level;
use crate::name::NameInfo;

/// The response to send back and what the exchange gives the acceptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub bytes: Vec<u8>,
    pub outcome: Outcome,
}

/// The server side's state across exchanges: the replay cache. One per
/// IRMd, shared by the accepting threads.
#[derive(Debug, Default)]
pub struct Server {
    replay: ReplayCache,
}

impl Server {
    pub fn new() -> Server {
        Server::default()
    }

    pub fn replay(&self) -> &ReplayCache {
        &self.replay
    }

    /// Processes a request for `info.name` with the name's server paths
    /// (`info.s`) at wall-clock time `now_utc_ns` (also the response
    /// timestamp).
    ///
    /// Result codes as upstream's: `Error::Auth` for credentials, a
    /// malformed, stale or replayed request, a client certificate and a
    /// digest that cannot be computed; `Error::Crypt` for the encryption
    /// config and key exchange.
    pub fn process(
        &self,
        info: &NameInfo,
        request: &[u8],
        now_utc_ns: u64,
        log: &mut dyn Log,
    ) -> Result<Response, Error> {
        let name = &info.name;

        if let Err((creds, kind)) = load_security(name, &info.s, log) {
            return Err(if creds {
                log.log(
                    Level::Err,
                    &format!("Failed to load security keys for {name}."),
                );
                Error::auth(kind)
            } else {
                log.log(
                    Level::Err,
                    &format!("Failed to load KEX config for {name}."),
                );
                Error::crypt(kind)
            });
        }

        let req = Repr::parse(request, None).map_err(|e| {
            log.log(Level::Err, "Failed to decode OAP header.");
            Error::auth(ErrorKind::Decode(e))
        })?;
        let id = &req.id;

        if let Err(stale) = self.replay.check(id, req.timestamp, now_utc_ns) {
            match stale {
                Stale::Future { ms } => log_id(
                    log,
                    Level::Err,
                    id,
                    &format!("OAP header from {ms} ms into future."),
                ),
                Stale::TooOld { ms } => log_id(
                    log,
                    Level::Err,
                    id,
                    &format!("OAP header too old ({ms} ms)."),
                ),
                Stale::Replay => log_id(log, Level::Warn, id, "OAP header already known."),
            }
            log_id(log, Level::Err, id, "OAP header failed replay check.");
            return Err(Error::auth(ErrorKind::Stale(stale)));
        }

        if !req.crt.is_empty() {
            log_id(
                log,
                Level::Err,
                id,
                "Verifying peer certificates is not supported yet.",
            );
            log_id(log, Level::Err, id, "Failed to authenticate client.");
            return Err(Error::auth(ErrorKind::PeerAuthNotSupported));
        }

        // No key exchange is configured here (load_security passed). A
        // request without kex data then needs none (its cipher, KDF and
        // flag fields are not looked at); one with kex data would make
        // this side adopt the client's choices, which needs the crypto.
        if !req.kex.is_empty() {
            log_id(
                log,
                Level::Err,
                id,
                &format!(
                    "Key exchange ({} bytes from the client) is not supported yet.",
                    req.kex.len()
                ),
            );
            return Err(Error::crypt(ErrorKind::PeerKexNotSupported));
        }

        let digest = req.md.unwrap_or(Digest::Sha384);
        let hash = digest.hash(request).ok_or_else(|| {
            log_id(log, Level::Err, id, "Failed to hash request.");
            Error::auth(ErrorKind::DigestUnavailable(digest))
        })?;

        let mut rsp = Repr::plain(*id, now_utc_ns);
        rsp.req_hash = &hash;
        let bytes = rsp.to_vec().map_err(|e| {
            log_id(log, Level::Err, id, "Failed to create OAP response header.");
            Error::auth(ErrorKind::Emit(e))
        })?;

        log_id(
            log,
            Level::Info,
            id,
            &format!("OAP request processed for {name}."),
        );
        Ok(Response {
            bytes,
            outcome: Outcome::plain(req.data),
        })
    }
}

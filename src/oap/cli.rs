//! The client side: the allocating IRMd, acting for the destination name.

use super::hdr::{Repr, ID_SIZE};
use super::{load_security, log_id, Digest, Error, ErrorKind, Log, Outcome};
use crate::log::Level;
use crate::name::NameInfo;

/// A prepared request awaiting its response (upstream's client context).
#[derive(Clone, Debug)]
pub struct Client {
    id: [u8; ID_SIZE],
    name: String,
    req_digest: Digest,
    req_hash: Vec<u8>,
}

impl Client {
    /// Builds the request for an allocation to `info.name`, using the
    /// name's client paths (`info.c`). `now_utc_ns` becomes the request
    /// timestamp, `rng` supplies the 16-byte exchange id. Returns the
    /// context to complete with and the request bytes to send.
    ///
    /// Every failure is `Error::Crypt`, as upstream's client returns.
    pub fn prepare(
        info: &NameInfo,
        now_utc_ns: u64,
        rng: &mut dyn FnMut(&mut [u8]) -> crate::Result<()>,
        log: &mut dyn Log,
    ) -> Result<(Client, Vec<u8>), Error> {
        let name = &info.name;
        let mut id = [0; ID_SIZE];
        if rng(&mut id).is_err() {
            log.log(Level::Err, "Failed to generate OAP session ID.");
            return Err(Error::crypt(ErrorKind::Random));
        }

        if let Err((creds, kind)) = load_security(name, &info.c, log) {
            let what = if creds { "credentials" } else { "KEX config" };
            log_id(
                log,
                Level::Err,
                &id,
                &format!("Failed to load {what} for {name}."),
            );
            return Err(Error::crypt(kind));
        }

        let request = Repr::plain(id, now_utc_ns).to_vec().map_err(|e| {
            log_id(log, Level::Err, &id, "Failed to create OAP request header.");
            Error::crypt(ErrorKind::Emit(e))
        })?;

        // Without a configured digest the response hashes with SHA-384.
        let req_digest = Digest::Sha384;
        let req_hash = req_digest.hash(&request).ok_or_else(|| {
            log_id(log, Level::Err, &id, "Failed to hash request.");
            Error::crypt(ErrorKind::DigestUnavailable(req_digest))
        })?;

        let client = Client {
            id,
            name: name.clone(),
            req_digest,
            req_hash,
        };
        Ok((client, request))
    }

    /// The exchange id (also the tag of its log messages).
    pub fn id(&self) -> &[u8; ID_SIZE] {
        &self.id
    }

    /// The destination name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks the server's response: it must parse with the request
    /// hash's length, repeat the request id and carry the hash of the
    /// request. The response timestamp is not checked (upstream does not).
    /// An empty response (the server side failed) does not parse.
    ///
    /// Every failure is `Error::Crypt`, as upstream's client returns.
    pub fn complete(self, response: &[u8], log: &mut dyn Log) -> Result<Outcome, Error> {
        let id = &self.id;
        let rsp = Repr::parse(response, Some(self.req_digest)).map_err(|e| {
            log_id(log, Level::Err, id, "Failed to decode OAP response header.");
            Error::crypt(ErrorKind::Decode(e))
        })?;

        if rsp.id != *id {
            log_id(log, Level::Err, id, "OAP response ID mismatch.");
            return Err(Error::crypt(ErrorKind::IdMismatch));
        }

        if !rsp.crt.is_empty() {
            log_id(
                log,
                Level::Err,
                id,
                "Verifying peer certificates is not supported yet.",
            );
            log_id(log, Level::Err, id, "Failed to authenticate server.");
            return Err(Error::crypt(ErrorKind::PeerAuthNotSupported));
        }

        if rsp.req_hash.is_empty() {
            log_id(log, Level::Err, id, "Response missing req_hash.");
            return Err(Error::crypt(ErrorKind::MissingHash));
        }

        if rsp.req_hash != self.req_hash.as_slice() {
            log_id(log, Level::Err, id, "Response req_hash mismatch.");
            return Err(Error::crypt(ErrorKind::HashMismatch));
        }

        // No key exchange configured: the server's cipher, KDF and kex
        // fields are not looked at, and the flow is not encrypted.
        log_id(
            log,
            Level::Info,
            id,
            &format!("OAP completed for {}.", self.name),
        );
        Ok(Outcome::plain(rsp.data))
    }
}

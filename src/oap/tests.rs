//! Tests of the two sides together and apart, without files or clocks
//! unless a test creates them.

use super::hdr::{self, Repr, ID_SIZE};
use super::*;
use crate::name::{NameInfo, SecPaths};

type Lines = Vec<(Level, String)>;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The exchange observed in control-plane spec §6.8.4.
const SPEC_REQ: &str = "b422eba2de2298a90dd88ecc5ac0ad3a 18ea8da4a462b7f2 \
                        0000 0000 0000 0000 0000 0000";
const SPEC_RSP: &str = "b422eba2de2298a90dd88ecc5ac0ad3a 18ea8da4bc8bcd35 \
                        000000000000000000000000 \
                        da00676dd66b5f74d7d55502fff5be50 \
                        0e7ca7ff379b6aba83108fb4aeeeb35f \
                        67d09ebd5923103b01f0b8e1d56a0f6d";
const SPEC_REQ_TS: u64 = 0x18ea_8da4_a462_b7f2;
const SPEC_RSP_TS: u64 = 0x18ea_8da4_bc8b_cd35;
const MS: u64 = 1_000_000;

/// A name whose six paths do not exist (empty paths never do).
fn plain(name: &str) -> NameInfo {
    NameInfo::new(name, 0)
}

fn fixed_id(id: [u8; ID_SIZE]) -> impl FnMut(&mut [u8]) -> crate::Result<()> {
    move |buf: &mut [u8]| {
        buf.copy_from_slice(&id);
        Ok(())
    }
}

fn spec_id() -> [u8; ID_SIZE] {
    hex(SPEC_REQ)[..ID_SIZE].try_into().unwrap()
}

fn info(msg: &str) -> (Level, String) {
    (Level::Info, msg.to_string())
}

/// A request built by hand: `fixed` are the six 16-bit fields.
fn request(id: [u8; ID_SIZE], ts: u64, fixed: [u16; 6], tail: &[u8]) -> Vec<u8> {
    let mut v = id.to_vec();
    v.extend_from_slice(&ts.to_be_bytes());
    for w in fixed {
        v.extend_from_slice(&w.to_be_bytes());
    }
    v.extend_from_slice(tail);
    v
}

fn process(srv: &Server, req: &[u8], now: u64) -> Result<Response, Error> {
    srv.process(&plain("oping"), req, now, &mut Lines::new())
}

#[test]
fn oap_id_tag_format() {
    assert_eq!(id_tag(&spec_id()), "b422eba2de2298a9");
    let mut id = [0xffu8; ID_SIZE];
    id[..8].copy_from_slice(&[0x72, 0x99, 0x7b, 0xf5, 0x9d, 0x88, 0x12, 0xec]);
    assert_eq!(id_tag(&id), "72997bf59d8812ec");
    assert_eq!(id_tag(&[0; ID_SIZE]), "0000000000000000");
}

#[test]
fn oap_exchange_reproduces_spec_bytes() {
    let mut log = Lines::new();
    let (cli, req) = Client::prepare(
        &plain("oping"),
        SPEC_REQ_TS,
        &mut fixed_id(spec_id()),
        &mut log,
    )
    .unwrap();
    assert_eq!(req, hex(SPEC_REQ));
    assert_eq!(
        log,
        vec![
            info("No authentication certificates for oping."),
            info("Key exchange not configured for oping."),
        ]
    );

    let srv = Server::new();
    let mut log = Lines::new();
    let rsp = srv
        .process(&plain("oping"), &req, SPEC_REQ_TS + 400 * MS, &mut log)
        .unwrap();
    // The response timestamp is the server's clock.
    assert_eq!(rsp.bytes.len(), 84);
    assert_eq!(rsp.bytes[..16], hex(SPEC_REQ)[..16]);
    assert_eq!(rsp.outcome, Outcome::plain(&[]));
    assert_eq!(
        log,
        vec![
            info("No authentication certificates for oping."),
            info("Key exchange not configured for oping."),
            info("[b422eba2de2298a9] OAP request processed for oping."),
        ]
    );
    let srv = Server::new();
    let rsp = process(&srv, &req, SPEC_RSP_TS).unwrap();
    assert_eq!(rsp.bytes, hex(SPEC_RSP));

    let mut log = Lines::new();
    let out = cli.complete(&rsp.bytes, &mut log).unwrap();
    assert_eq!(out.cipher, None);
    assert_eq!(out.cipher_nid(), 0);
    assert_eq!(out.key, None);
    assert!(out.data.is_empty());
    assert_eq!(
        log,
        vec![info("[b422eba2de2298a9] OAP completed for oping.")]
    );
}

#[test]
fn oap_exchange_with_random_ids() {
    let srv = Server::new();
    let now = 1_800_000_000_000_000_000;
    let mut ids = Vec::new();
    for i in 0..4u64 {
        let (cli, req) =
            Client::prepare(&plain("n"), now + i, &mut os_random, &mut Lines::new()).unwrap();
        assert_eq!(req.len(), hdr::MIN_SIZE);
        assert_eq!(&req[..16], cli.id());
        assert_eq!(cli.name(), "n");
        ids.push(*cli.id());
        let rsp = process(&srv, &req, now + i).unwrap();
        assert_eq!(rsp.bytes.len(), 84);
        let r = Repr::parse(&rsp.bytes, Some(Digest::Sha384)).unwrap();
        assert_eq!(r.timestamp, now + i);
        assert_eq!(r.req_hash, &Digest::Sha384.hash(&req).unwrap()[..]);
        assert!(cli.complete(&rsp.bytes, &mut Lines::new()).is_ok());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    assert_eq!(srv.replay().len(), 4);
}

#[test]
fn oap_server_rejects_malformed_requests() {
    let srv = Server::new();
    let id = spec_id();
    let t = SPEC_REQ_TS;
    let good = request(id, t, [0; 6], &[]);
    let cases: Vec<(Vec<u8>, hdr::Error)> = vec![
        (Vec::new(), hdr::Error::Truncated),
        (good[..35].to_vec(), hdr::Error::Truncated),
        ([good.clone(), vec![0]].concat(), hdr::Error::Trailing),
        (
            request(id, t, [0, 0, 0, 60000, 0, 0], &[]),
            hdr::Error::Length,
        ),
        (
            request(id, t, [0, 0, 0, 0, 5, 0], &[1, 2]),
            hdr::Error::Length,
        ),
        (request(id, t, [0, 0, 0, 0, 0, 1], &[]), hdr::Error::Length),
        (
            request(id, t, [0, 0, 0, 0, 0xffff, 0], &[]),
            hdr::Error::Length,
        ),
        (
            request(id, t, [9999, 0, 0, 0, 0, 0], &[]),
            hdr::Error::UnknownCipher(9999),
        ),
        (
            request(id, t, [0, 1036, 0, 0, 0, 0], &[]),
            hdr::Error::UnknownKdf(1036),
        ),
        (
            request(id, t, [0, 0, 12, 0, 0, 0], &[]),
            hdr::Error::UnknownDigest(12),
        ),
    ];
    for (req, want) in cases {
        let mut log = Lines::new();
        let e = srv.process(&plain("oping"), &req, t, &mut log).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Decode(want), "{req:02x?}");
        assert_eq!(e.code(), crate::Error::Auth);
        assert_eq!(
            log.last().unwrap(),
            &(Level::Err, "Failed to decode OAP header.".to_string())
        );
    }
    // None of them reached the replay cache.
    assert!(srv.replay().is_empty());
}

#[test]
fn oap_server_rejects_stale_and_replayed_requests() {
    let srv = Server::new();
    let id = spec_id();
    let t = SPEC_REQ_TS;
    let req = request(id, t, [0; 6], &[]);

    let mut log = Lines::new();
    let e = srv
        .process(&plain("oping"), &req, t + 20_001 * MS, &mut log)
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Stale(Stale::TooOld { ms: 20_001 }));
    assert_eq!(e.code(), crate::Error::Auth);
    assert_eq!(
        log[2..],
        [
            (
                Level::Err,
                "[b422eba2de2298a9] OAP header too old (20001 ms).".to_string()
            ),
            (
                Level::Err,
                "[b422eba2de2298a9] OAP header failed replay check.".to_string()
            ),
        ]
    );

    let mut log = Lines::new();
    let e = srv
        .process(&plain("oping"), &req, t - 101 * MS, &mut log)
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Stale(Stale::Future { ms: 101 }));
    assert_eq!(e.code(), crate::Error::Auth);
    assert_eq!(
        log[2].1,
        "[b422eba2de2298a9] OAP header from 101 ms into future."
    );

    // At the edges it is accepted, once.
    assert!(process(&srv, &req, t - 100 * MS).is_ok());
    let mut log = Lines::new();
    let e = srv
        .process(&plain("oping"), &req, t + 20_000 * MS, &mut log)
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Stale(Stale::Replay));
    assert_eq!(e.code(), crate::Error::Auth);
    assert_eq!(
        log[2],
        (
            Level::Warn,
            "[b422eba2de2298a9] OAP header already known.".to_string()
        )
    );
    // A different id at the same time is fine; so is another server.
    let mut other = id;
    other[15] ^= 1;
    assert!(process(&srv, &request(other, t, [0; 6], &[]), t).is_ok());
    assert!(process(&Server::new(), &req, t).is_ok());
}

#[test]
fn oap_server_security_in_request() {
    let srv = Server::new();
    let t = SPEC_REQ_TS;
    let mut id = spec_id();

    // A certificate (signed request): authentication is not supported yet.
    let req = request(id, t, [0, 0, 0, 3, 0, 0], &[1, 2, 3, 9, 9]);
    let e = process(&srv, &req, t).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::PeerAuthNotSupported);
    assert_eq!(e.code(), crate::Error::Auth);

    // Key-exchange data: the server would adopt the client's choice.
    id[0] = 1;
    let req = request(id, t, [901, 672, 672, 0, 0x4000 | 2, 0], &[5, 5]);
    let e = process(&srv, &req, t).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::PeerKexNotSupported);
    assert_eq!(e.code(), crate::Error::Crypt);

    // A cipher NID without kex data is ignored by a server without
    // encryption: plain response.
    id[0] = 2;
    let req = request(id, t, [901, 672, 0, 0, 0, 0], &[]);
    let rsp = process(&srv, &req, t).unwrap();
    assert_eq!(rsp.outcome.cipher, None);
    let r = Repr::parse(&rsp.bytes, Some(Digest::Sha384)).unwrap();
    assert_eq!((r.cipher, r.kdf, r.md), (None, None, None));

    // The request's digest NID selects the response hash.
    id[0] = 3;
    let req = request(id, t, [0, 0, 672, 0, 0, 0], &[]);
    let rsp = process(&srv, &req, t).unwrap();
    assert_eq!(rsp.bytes.len(), 36 + 32);
    let r = Repr::parse(&rsp.bytes, Some(Digest::Sha256)).unwrap();
    assert_eq!(r.req_hash, &Digest::Sha256.hash(&req).unwrap()[..]);
    id[0] = 4;
    let req = request(id, t, [0, 0, 1098, 0, 0, 0], &[]);
    assert_eq!(process(&srv, &req, t).unwrap().bytes.len(), 36 + 64);
    id[0] = 5;
    let req = request(id, t, [0, 0, 1056, 0, 0, 0], &[]);
    let e = process(&srv, &req, t).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::DigestUnavailable(Digest::Blake2b512));
    assert_eq!(e.code(), crate::Error::Auth);

    // Piggybacked client data is handed to the acceptor.
    id[0] = 6;
    let req = request(id, t, [0, 0, 0, 0, 0, 2], &[0xd1, 0xd2]);
    assert_eq!(process(&srv, &req, t).unwrap().outcome.data, [0xd1, 0xd2]);
}

fn prepared() -> (Client, Vec<u8>, Vec<u8>) {
    let (cli, req) = Client::prepare(
        &plain("oping"),
        SPEC_REQ_TS,
        &mut fixed_id(spec_id()),
        &mut Lines::new(),
    )
    .unwrap();
    let rsp = process(&Server::new(), &req, SPEC_RSP_TS).unwrap().bytes;
    (cli, req, rsp)
}

fn complete_err(cli: Client, rsp: &[u8]) -> (ErrorKind, Lines) {
    let mut log = Lines::new();
    let e = cli.complete(rsp, &mut log).unwrap_err();
    assert_eq!(e.code(), crate::Error::Crypt);
    (e.kind().clone(), log)
}

#[test]
fn oap_client_rejects_bad_responses() {
    let (cli, req, rsp) = prepared();

    // Empty (the server side failed on the direct path), short, long.
    for (bytes, want) in [
        (Vec::new(), hdr::Error::Truncated),
        (rsp[..36].to_vec(), hdr::Error::Length),
        (rsp[..83].to_vec(), hdr::Error::Length),
        ([rsp.clone(), vec![0]].concat(), hdr::Error::Trailing),
        (req.clone(), hdr::Error::Length),
    ] {
        let (kind, log) = complete_err(cli.clone(), &bytes);
        assert_eq!(kind, ErrorKind::Decode(want));
        assert_eq!(
            log,
            vec![(
                Level::Err,
                "[b422eba2de2298a9] Failed to decode OAP response header.".to_string()
            )]
        );
    }

    // Wrong id.
    let mut bad = rsp.clone();
    bad[15] ^= 0x80;
    let (kind, log) = complete_err(cli.clone(), &bad);
    assert_eq!(kind, ErrorKind::IdMismatch);
    assert_eq!(log[0].1, "[b422eba2de2298a9] OAP response ID mismatch.");

    // Wrong hash, in the first and in the last byte.
    for i in [36, 83] {
        let mut bad = rsp.clone();
        bad[i] ^= 1;
        let (kind, log) = complete_err(cli.clone(), &bad);
        assert_eq!(kind, ErrorKind::HashMismatch);
        assert_eq!(log[0].1, "[b422eba2de2298a9] Response req_hash mismatch.");
    }

    // The hash of another request.
    let mut other = req.clone();
    other[20] ^= 1;
    let mut bad = rsp[..36].to_vec();
    bad.extend(Digest::Sha384.hash(&other).unwrap());
    assert_eq!(complete_err(cli.clone(), &bad).0, ErrorKind::HashMismatch);

    // A server certificate cannot be verified yet.
    let hash = Digest::Sha384.hash(&req).unwrap();
    let mut r = Repr::plain(*cli.id(), SPEC_RSP_TS);
    r.crt = &[0x30, 0x82];
    r.req_hash = &hash;
    r.sig = &[7; 8];
    let signed = r.to_vec().unwrap();
    assert_eq!(
        complete_err(cli.clone(), &signed).0,
        ErrorKind::PeerAuthNotSupported
    );

    // Unknown NIDs fail parsing.
    let mut bad = rsp.clone();
    bad[24..26].copy_from_slice(&1u16.to_be_bytes());
    assert_eq!(
        complete_err(cli.clone(), &bad).0,
        ErrorKind::Decode(hdr::Error::UnknownCipher(1))
    );

    // The good one still completes.
    assert!(cli.complete(&rsp, &mut Lines::new()).is_ok());
}

#[test]
fn oap_client_ignores_server_crypto_fields_without_config() {
    // Upstream's client without key exchange looks neither at the
    // server's cipher, KDF and digest NIDs nor at its kex data.
    let (cli, req, _) = prepared();
    let hash = Digest::Sha384.hash(&req).unwrap();
    let mut r = Repr::plain(*cli.id(), 0);
    r.cipher = Some(Cipher::Aes256Gcm);
    r.kdf = Some(Digest::Sha512);
    r.kex = &[1, 2, 3];
    r.kex_raw_fmt = true;
    r.data = &[0xaa];
    r.req_hash = &hash;
    let out = cli
        .complete(&r.to_vec().unwrap(), &mut Lines::new())
        .unwrap();
    assert_eq!(out.cipher, None);
    assert_eq!(out.key, None);
    assert_eq!(out.data, [0xaa]);
}

#[test]
fn oap_client_random_failure() {
    let mut fail = |_: &mut [u8]| -> crate::Result<()> { Err(crate::Error::Again) };
    let mut log = Lines::new();
    let e = Client::prepare(&plain("oping"), 1, &mut fail, &mut log).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Random);
    assert_eq!(e.code(), crate::Error::Crypt);
    assert_eq!(crate::Error::from(e), crate::Error::Crypt);
    assert_eq!(
        log,
        vec![(Level::Err, "Failed to generate OAP session ID.".to_string())]
    );
}

/// A directory with the six files of one name, created on demand.
struct Files {
    dir: std::path::PathBuf,
}

impl Files {
    fn new(tag: &str) -> Files {
        let dir = std::env::temp_dir().join(format!("oap-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Files { dir }
    }

    fn path(&self, f: &str) -> String {
        self.dir.join(f).to_str().unwrap().to_string()
    }

    fn write(&self, f: &str, text: &str) {
        std::fs::write(self.dir.join(f), text).unwrap();
    }

    fn info(&self) -> NameInfo {
        let side = |s: &str| SecPaths {
            enc: self.path(&format!("{s}.enc.conf")),
            key: self.path(&format!("{s}.key.pem")),
            crt: self.path(&format!("{s}.crt.pem")),
        };
        NameInfo {
            name: "sec".into(),
            pol_lb: 0,
            s: side("srv"),
            c: side("cli"),
        }
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn try_both(f: &Files) -> (Result<(), Error>, Result<(), Error>, Lines, Lines) {
    let info = f.info();
    let mut clog = Lines::new();
    let cli = Client::prepare(&info, SPEC_REQ_TS, &mut fixed_id(spec_id()), &mut clog).map(|_| ());
    let mut slog = Lines::new();
    let req = hex(SPEC_REQ);
    let srv = Server::new()
        .process(&info, &req, SPEC_REQ_TS, &mut slog)
        .map(|_| ());
    (cli, srv, clog, slog)
}

#[test]
fn oap_credentials_need_both_files() {
    let f = Files::new("creds");
    // Only a certificate (or only a key): no authentication, as upstream.
    f.write("srv.crt.pem", "x");
    f.write("cli.key.pem", "x");
    let (c, s, clog, slog) = try_both(&f);
    assert!(c.is_ok() && s.is_ok());
    assert_eq!(clog[0], info("No authentication certificates for sec."));
    assert_eq!(slog[0], info("No authentication certificates for sec."));

    // Both: not supported yet, with upstream's result codes.
    f.write("srv.key.pem", "x");
    f.write("cli.crt.pem", "x");
    let (c, s, clog, slog) = try_both(&f);
    let c = c.unwrap_err();
    let s = s.unwrap_err();
    assert_eq!(
        (c.kind(), c.code()),
        (&ErrorKind::AuthNotSupported, crate::Error::Crypt)
    );
    assert_eq!(
        (s.kind(), s.code()),
        (&ErrorKind::AuthNotSupported, crate::Error::Auth)
    );
    assert_eq!(
        clog.last().unwrap(),
        &(
            Level::Err,
            "[b422eba2de2298a9] Failed to load credentials for sec.".to_string()
        )
    );
    assert_eq!(
        slog.last().unwrap(),
        &(
            Level::Err,
            "Failed to load security keys for sec.".to_string()
        )
    );
    assert!(slog[0].1.contains("not supported yet"), "{slog:?}");
}

#[test]
fn oap_encryption_config_decisions() {
    let f = Files::new("enc");
    // `none`: plain exchange.
    f.write("srv.enc.conf", "# no encryption\nnone\n");
    f.write("cli.enc.conf", "none\n");
    let (c, s, clog, _) = try_both(&f);
    assert!(c.is_ok() && s.is_ok());
    assert_eq!(clog[1], info("Key exchange not configured for sec."));

    // An existing (even empty) file enables encryption: not supported yet.
    f.write("srv.enc.conf", "");
    f.write("cli.enc.conf", "cipher=chacha20-poly1305\n");
    let (c, s, clog, slog) = try_both(&f);
    for e in [c.unwrap_err(), s.unwrap_err()] {
        assert_eq!(
            (e.kind(), e.code()),
            (&ErrorKind::EncNotSupported, crate::Error::Crypt)
        );
    }
    assert_eq!(
        clog.last().unwrap().1,
        "[b422eba2de2298a9] Failed to load KEX config for sec."
    );
    assert_eq!(slog.last().unwrap().1, "Failed to load KEX config for sec.");

    // A KEM: no PQC in this build, as in the reference build.
    f.write("srv.enc.conf", "kex=ML-KEM-768\n");
    f.write("cli.enc.conf", "kex=X25519MLKEM768\n");
    let (c, s, _, slog) = try_both(&f);
    assert_eq!(
        c.unwrap_err().kind(),
        &ErrorKind::PqcUnavailable(Kex::X25519MlKem768)
    );
    let s = s.unwrap_err();
    assert_eq!(
        (s.kind(), s.code()),
        (
            &ErrorKind::PqcUnavailable(Kex::MlKem768),
            crate::Error::Crypt
        )
    );
    assert_eq!(
        slog[1],
        (
            Level::Err,
            "PQC not available, can't use ML-KEM-768 for sec.".to_string()
        )
    );

    // An invalid file.
    f.write("srv.enc.conf", "cipher=rot13\n");
    f.write("cli.enc.conf", "kem_mode=maybe\n");
    let (c, s, clog, slog) = try_both(&f);
    let c = c.unwrap_err();
    let s = s.unwrap_err();
    assert_eq!(c.code(), crate::Error::Crypt);
    assert_eq!(s.code(), crate::Error::Crypt);
    assert!(matches!(
        c.kind(),
        ErrorKind::EncConfig(config::ConfigError::KemMode(_))
    ));
    assert!(matches!(
        s.kind(),
        ErrorKind::EncConfig(config::ConfigError::Cipher(_))
    ));
    assert_eq!(clog[1].0, Level::Warn);
    assert_eq!(
        slog[1],
        (
            Level::Warn,
            format!("Failed to load {} for sec.", f.path("srv.enc.conf"))
        )
    );
}

#[test]
fn oap_production_helpers() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    os_random(&mut a).unwrap();
    os_random(&mut b).unwrap();
    assert_ne!(a, b);
    os_random(&mut []).unwrap();
    // After 2017-07-14 (1.5e18 ns): the wall clock, not a monotonic one.
    assert!(now_utc_ns() > 1_500_000_000_000_000_000);
}

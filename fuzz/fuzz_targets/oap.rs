//! OAP: the header parser and emitter, the accepting IRMd's processing of
//! a request (`oap::Server::process`, what `irmd`'s `oap::server_process`
//! runs with the wall clock) and the allocating IRMd's check of a response
//! (`oap::Client::complete`).
//!
//! Input: a mode byte, a 32-bit little-endian argument, then the header
//! bytes as they arrive from the peer. Every input is parsed as a request
//! and as a response (the argument's low three bits pick the request
//! digest, 0 = SHA-384, the default). Then, by mode:
//! - 0, 1: nothing more;
//! - 2: the server processes the bytes as a request at a clock the
//!   argument sets (ms, signed, relative to the header's timestamp),
//!   twice;
//! - 3: a client prepares a request (its id and timestamp taken from the
//!   input's), the server answers it, the client checks the answer; then a
//!   second client with the same request checks the input as the response.
//!
//! The name has no credential or encryption files (empty paths), as the
//! IRMd runs names without `enc.conf`.
//!
//! Checked: a header that parses emits exactly the bytes it came from;
//! an accepted request is refused when replayed; a response the server
//! makes parses with the request's digest, carries the request's id and
//! hash and completes a client whose request it answers; a response a
//! client accepts carries its id and request hash; every failure is
//! logged as an error, with -EAUTH or -ECRYPT as upstream's sides return.

#![no_main]

use fuzz_support::Input;
use libfuzzer_sys::fuzz_target;
use ouroboros::log::Level;
use ouroboros::name::NameInfo;
use ouroboros::oap::hdr::{Header, Repr, MIN_SIZE};
use ouroboros::oap::{Client, Digest, Server, ID_SIZE};

/// Request digests the argument selects from (SHA-384 first: the
/// default, and the one the seeds use).
const DIGESTS: [Digest; 8] = [
    Digest::Sha384,
    Digest::Sha256,
    Digest::Sha512,
    Digest::Sha3_256,
    Digest::Sha3_384,
    Digest::Sha3_512,
    Digest::Blake2b512,
    Digest::Blake2s256,
];

const NS_PER_MS: i64 = 1_000_000;

type Log = Vec<(Level, String)>;

fn logged_error(log: &Log) -> bool {
    log.iter().any(|(l, _)| *l == Level::Err)
}

/// Parses `buf` with `digest` (None: as a request) and checks the round
/// trip.
fn parse(buf: &[u8], digest: Option<Digest>) -> Option<Repr<'_>> {
    let r = Repr::parse(buf, digest).ok()?;
    assert_eq!(r.buffer_len(), buf.len());
    assert_eq!(r.to_vec().as_deref(), Ok(buf), "emit(parse(b)) != b");
    assert_eq!(r.req_hash.len(), digest.map_or(0, Digest::size));
    let h = Header::new_checked(buf).expect("a parsed header is long enough");
    assert_eq!(h.id(), r.id);
    assert_eq!(h.timestamp(), r.timestamp);
    assert_eq!(usize::from(h.kex_len()), r.kex.len());
    assert_eq!(usize::from(h.crt_len()), r.crt.len());
    assert_eq!(usize::from(h.data_len()), r.data.len());
    Some(r)
}

/// Checks a response the server made for `request`.
fn check_response(request: &[u8], response: &[u8]) {
    let req = Repr::parse(request, None).expect("the server accepted it");
    let digest = req.md.unwrap_or(Digest::Sha384);
    let rsp = parse(response, Some(digest)).expect("the server's response parses");
    assert_eq!(rsp.id, req.id);
    assert_eq!(Some(rsp.req_hash.to_vec()), digest.hash(request));
    assert!(rsp.crt.is_empty() && rsp.kex.is_empty() && rsp.sig.is_empty());
}

fn server(info: &NameInfo, buf: &[u8], arg: u32) {
    let now = match Header::new_checked(buf) {
        Ok(h) => h
            .timestamp()
            .wrapping_add_signed(i64::from(arg as i32) * NS_PER_MS),
        Err(_) => 1_700_000_000_000_000_000,
    };
    let srv = Server::new();
    let mut log = Log::new();
    match srv.process(info, buf, now, &mut log) {
        Ok(r) => {
            check_response(buf, &r.bytes);
            assert_eq!(r.outcome.cipher_nid(), 0);
            assert!(r.outcome.key.is_none());
            assert_eq!(srv.replay().len(), 1);
            let mut log = Log::new();
            let again = srv.process(info, buf, now, &mut log);
            assert!(again.is_err(), "replay accepted");
            assert!(logged_error(&log));
        }
        Err(e) => {
            assert!(logged_error(&log), "failure not logged: {e}");
            let code = e.code();
            assert!(code == ouroboros::Error::Auth || code == ouroboros::Error::Crypt);
            assert!(srv.replay().len() <= 1);
        }
    }
}

fn client(info: &NameInfo, buf: &[u8]) {
    let mut id = [0u8; ID_SIZE];
    let n = buf.len().min(ID_SIZE);
    id[..n].copy_from_slice(&buf[..n]);
    let now = Header::new_checked(buf).map_or(1_700_000_000_000_000_000, |h| h.timestamp());
    let mut rng = |out: &mut [u8]| {
        out.copy_from_slice(&id[..out.len()]);
        Ok(())
    };
    let mut log = Log::new();
    let (cli, request) = Client::prepare(info, now, &mut rng, &mut log).expect("plain request");
    assert_eq!(*cli.id(), id);

    // our own server accepts our own request, and its answer completes
    let srv = Server::new();
    let rsp = srv
        .process(info, &request, now, &mut log)
        .expect("server refuses a plain request");
    check_response(&request, &rsp.bytes);
    cli.clone()
        .complete(&rsp.bytes, &mut log)
        .expect("client refuses the server's answer");

    // the input as the response
    let mut log = Log::new();
    match cli.complete(buf, &mut log) {
        Ok(o) => {
            let r = Repr::parse(buf, Some(Digest::Sha384)).expect("accepted, so it parses");
            assert_eq!(r.id, id);
            assert_eq!(Some(r.req_hash.to_vec()), Digest::Sha384.hash(&request));
            assert_eq!(o.data, r.data);
            assert_eq!(o.cipher_nid(), 0);
        }
        Err(e) => {
            assert!(logged_error(&log), "failure not logged: {e}");
            assert_eq!(e.code(), ouroboros::Error::Crypt);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.u8();
    let arg = input.u32();
    let buf = input.rest();

    let req = parse(buf, None);
    let digest = DIGESTS[(arg & 7) as usize];
    let rsp = parse(buf, Some(digest));
    if buf.len() < MIN_SIZE {
        assert!(req.is_none() && rsp.is_none());
    }

    let info = NameInfo::new("fuzz.name", 0);
    match mode % 4 {
        2 => server(&info, buf, arg),
        3 => client(&info, buf),
        _ => {}
    }
});

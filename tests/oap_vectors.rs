//! Every OAP header captured from upstream 0.23.0 IRMds (the `pk` fields of
//! shared/vectors/irm/*.jsonl): requests are 36 bytes and responses 84,
//! both parse and re-emit byte for byte, and each response carries the
//! SHA-384 of the request with the same id.

use ouroboros::oap::hdr::{self, Repr, ID_SIZE};
use ouroboros::oap::{Client, Digest, Log, Server};
use std::collections::BTreeMap;
use std::path::PathBuf;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors/irm");

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// One captured `pk`.
struct Pk {
    at: String,
    code: String,
    bytes: Vec<u8>,
}

fn captured() -> Vec<Pk> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap_or_else(|e| panic!("vector directory {DIR}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .jsonl files in {DIR}");
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let Some(pk) = v["decoded"].get("pk") else {
                continue;
            };
            out.push(Pk {
                at: format!("{}:{}", f.file_name().unwrap().to_string_lossy(), n + 1),
                code: v["decoded"]["code"].as_str().unwrap_or("").to_string(),
                bytes: unhex(pk.as_str().expect("pk is a hex string")),
            });
        }
    }
    out
}

struct Quiet;

impl Log for Quiet {
    fn log(&mut self, _: ouroboros::log::Level, _: &str) {}
}

#[test]
fn oap_vectors_parse_reemit_and_pair() {
    let all = captured();
    let mut requests: BTreeMap<[u8; ID_SIZE], Vec<u8>> = BTreeMap::new();
    let mut responses: Vec<(String, Vec<u8>)> = Vec::new();
    let mut joins = 0;

    for pk in &all {
        match (pk.code.as_str(), pk.bytes.len()) {
            // Joins run no OAP: the broadcast IPCP replies with an empty pk,
            // which is not a header.
            ("IPCP_FLOW_ALLOC_REPLY", 0) => {
                assert_eq!(
                    Repr::parse(&pk.bytes, Some(Digest::Sha384)),
                    Err(hdr::Error::Truncated)
                );
                joins += 1;
            }
            ("IPCP_FLOW_ALLOC" | "IPCP_FLOW_REQ_ARR", 36) => {
                let r = Repr::parse(&pk.bytes, None)
                    .unwrap_or_else(|e| panic!("{}: request: {e}", pk.at));
                assert_eq!(r, Repr::plain(r.id, r.timestamp), "{}", pk.at);
                assert_eq!(r.to_vec().unwrap(), pk.bytes, "{}", pk.at);
                // As a response it would lack the hash.
                assert!(Repr::parse(&pk.bytes, Some(Digest::Sha384)).is_err());
                // The IPCP carries it unchanged: a second copy is identical.
                let prev = requests.insert(r.id, pk.bytes.clone());
                assert!(prev.is_none_or(|p| p == pk.bytes), "{}", pk.at);
            }
            ("IPCP_FLOW_ALLOC_RESP" | "IPCP_FLOW_ALLOC_REPLY", 84) => {
                let r = Repr::parse(&pk.bytes, Some(Digest::Sha384))
                    .unwrap_or_else(|e| panic!("{}: response: {e}", pk.at));
                assert_eq!(r.req_hash.len(), 48);
                let mut plain = Repr::plain(r.id, r.timestamp);
                plain.req_hash = r.req_hash;
                assert_eq!(r, plain, "{}", pk.at);
                assert_eq!(r.to_vec().unwrap(), pk.bytes, "{}", pk.at);
                // Parsed as a request, the hash is trailing garbage.
                assert_eq!(Repr::parse(&pk.bytes, None), Err(hdr::Error::Trailing));
                responses.push((pk.at.clone(), pk.bytes.clone()));
            }
            (code, len) => panic!("{}: unexpected pk of {len} bytes in {code}", pk.at),
        }
    }

    assert!(joins > 0, "no join replies found");
    assert!(requests.len() >= 10, "only {} requests", requests.len());
    assert!(responses.len() >= 10, "only {} responses", responses.len());

    let mut answered = 0;
    for (at, rsp) in &responses {
        let r = Repr::parse(rsp, Some(Digest::Sha384)).unwrap();
        let req = requests
            .get(&r.id)
            .unwrap_or_else(|| panic!("{at}: no request with this id"));
        let q = Repr::parse(req, None).unwrap();
        assert_eq!(
            r.req_hash,
            &Digest::Sha384.hash(req).unwrap()[..],
            "{at}: hash is not SHA-384 of the request"
        );
        // The server answered within the replay window of the request.
        let age = r.timestamp.wrapping_sub(q.timestamp) as i64;
        assert!(
            (-100_000_000..=20_000_000_000).contains(&age),
            "{at}: {age}"
        );
        answered += 1;
    }
    assert_eq!(answered, responses.len());
}

#[test]
fn oap_vectors_our_sides_accept_upstream_headers() {
    // Our server processes every captured request at the time its response
    // was stamped and produces the captured response byte for byte; our
    // client, holding the captured request, accepts the captured response.
    let all = captured();
    let mut requests: BTreeMap<[u8; ID_SIZE], Vec<u8>> = BTreeMap::new();
    for pk in all.iter().filter(|p| p.bytes.len() == 36) {
        requests.insert(pk.bytes[..ID_SIZE].try_into().unwrap(), pk.bytes.clone());
    }
    let info = ouroboros::name::NameInfo::new("vector", 0);
    let mut checked = 0;
    for pk in all.iter().filter(|p| p.bytes.len() == 84) {
        let rsp = Repr::parse(&pk.bytes, Some(Digest::Sha384)).unwrap();
        let req = &requests[&rsp.id];
        let ours = Server::new()
            .process(&info, req, rsp.timestamp, &mut Quiet)
            .unwrap_or_else(|e| panic!("{}: {e}", pk.at));
        assert_eq!(ours.bytes, pk.bytes, "{}", pk.at);

        let q = Repr::parse(req, None).unwrap();
        let id = q.id;
        let mut same_id = |b: &mut [u8]| {
            b.copy_from_slice(&id);
            Ok(())
        };
        let (cli, ours) = Client::prepare(&info, q.timestamp, &mut same_id, &mut Quiet).unwrap();
        assert_eq!(&ours, req, "{}", pk.at);
        let out = cli
            .complete(&pk.bytes, &mut Quiet)
            .unwrap_or_else(|e| panic!("{}: {e}", pk.at));
        assert_eq!(out.cipher_nid(), 0);
        assert!(out.key.is_none());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} exchanges");
}

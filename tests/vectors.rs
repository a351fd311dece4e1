//! Golden vectors: every control message captured from upstream 0.23.0
//! (`../shared/vectors/irm/*.jsonl`) must decode with our types and
//! re-encode to exactly the captured bytes.

use ouroboros::pb;
use prost::Message;
use std::path::PathBuf;

fn vectors_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/irm");
    assert!(dir.is_dir(), "golden vectors missing: {}", dir.display());
    dir
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn reencode(socket: &str, bytes: &[u8]) -> Result<Vec<u8>, pb::Invalid> {
    match socket {
        "irm" => pb::decode_irm(bytes).map(|m| m.encode_to_vec()),
        "ipcp" => pb::decode_ipcp(bytes).map(|m| m.encode_to_vec()),
        other => panic!("unknown socket {other}"),
    }
}

#[test]
fn every_captured_message_round_trips() {
    let mut files: Vec<_> = std::fs::read_dir(vectors_dir())
        .expect("read vectors")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files");
    let (mut total, mut valid, mut identical) = (0usize, 0usize, 0usize);
    for f in &files {
        for line in std::fs::read_to_string(f).expect("read").lines() {
            let rec: serde_json::Value = serde_json::from_str(line).expect("json");
            let socket = rec["socket"].as_str().expect("socket");
            let bytes = unhex(rec["hex"].as_str().expect("hex"));
            total += 1;
            if rec["schema_valid"] == serde_json::Value::Bool(false) {
                // The two hand-made requests: 0x0863 (code 99, which upstream's
                // decoder accepts and answers -1) and garbage it rejects.
                match reencode(socket, &bytes) {
                    Ok(out) => assert_eq!(out, bytes, "{}: unknown code kept", f.display()),
                    Err(_) => assert_eq!(
                        bytes,
                        [0xff; 4],
                        "{}: only garbage is rejected",
                        f.display()
                    ),
                }
                continue;
            }
            valid += 1;
            let out = reencode(socket, &bytes).unwrap_or_else(|e| {
                panic!("{} seq {}: decode failed: {e:?}", f.display(), rec["seq"])
            });
            assert_eq!(hex(&out), hex(&bytes), "{} seq {}", f.display(), rec["seq"]);
            identical += 1;
        }
    }
    println!("golden vectors: {identical} of {valid} round-trippable messages re-encoded byte for byte ({total} in all)");
    assert_eq!(total, 1893);
    assert_eq!(identical, 1891);
}

fn hex(b: &[u8]) -> String {
    ouroboros::hash::hex(b)
}

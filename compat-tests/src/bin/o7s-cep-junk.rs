//! Test helper: opens a flow to a normal IPCP's name and misbehaves on
//! it the way no upstream peer does, printing what comes back.
//! Usage: o7s-cep-junk <name> <mode>
//!   junk      random bytes instead of a cep_msg
//!   oversize  a cep_msg longer than the 128 bytes a peer reads
//!   unknown   a cep_msg for a component nobody has
//!   truncreq  the Enrollment cep_msg, then a cut enroll_req
//!   badack    a whole enrollment, then garbage instead of the ack
//!   stall     the Enrollment cep_msg, then nothing for 5 s
//! Output: `reply <hex>` for each SDU received, `no reply <errno>` when
//! the next read failed.

use ouroboros::dev::Flow;
use ouroboros::pb::msg::{CepMsg, EnrollReqMsg};
use prost::Message;
use std::time::Duration;

fn cep(comp: &str, proto: &str, version: i32) -> Vec<u8> {
    CepMsg {
        comp_name: comp.into(),
        protocol: proto.into(),
        pref_version: version,
        pref_syntax: 0,
        address: 0,
        ..Default::default()
    }
    .encode_to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Prints the next SDU (or the error); true if one came.
fn reply(flow: &Flow) -> bool {
    let mut buf = [0u8; 2048];
    match flow.read(&mut buf) {
        Ok(n) => {
            println!("reply {}", hex(&buf[..n]));
            true
        }
        Err(e) => {
            println!("no reply {}", e.errno());
            false
        }
    }
}

fn main() {
    ouroboros::dev::init_from_env().expect("library");
    let a: Vec<String> = std::env::args().collect();
    let (name, mode) = (&a[1], a[2].as_str());
    let flow = Flow::alloc(name, None, Some(Duration::from_secs(5))).expect("alloc");
    flow.set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let enroll_cep = cep("Enrollment", "OEP", 1);
    let req = EnrollReqMsg { id: vec![9; 8] }.encode_to_vec();
    match mode {
        "junk" => {
            let _ = flow.write(&[0xff, 0x13, 0x37, 0x00, 0x42, 0xff, 0xff, 0xff]);
            reply(&flow);
        }
        "oversize" => {
            let _ = flow.write(&cep(&"E".repeat(200), "OEP", 1));
            reply(&flow);
        }
        "unknown" => {
            let _ = flow.write(&cep("Bogus", "OEP", 1));
            reply(&flow);
        }
        "truncreq" => {
            let _ = flow.write(&enroll_cep);
            if reply(&flow) {
                let _ = flow.write(&req[..5]);
                reply(&flow);
            }
        }
        "badack" => {
            let _ = flow.write(&enroll_cep);
            if reply(&flow) {
                let _ = flow.write(&req);
                if reply(&flow) {
                    let _ = flow.write(&[0x0a, 0xff, 0x01]);
                    reply(&flow);
                }
            }
        }
        "stall" => {
            let _ = flow.write(&enroll_cep);
            reply(&flow);
            std::thread::sleep(Duration::from_secs(5));
        }
        m => panic!("unknown mode {m}"),
    }
}

//! Test helper: allocates a flow to `<name>` whose peer timeout is
//! `<timeout ms>`, waits in a read for `<idle ms>` (nothing but keepalives
//! arrives), then tries one echo and prints `echo ok` or the error.
//! Usage: o7s-idle-client <name> <timeout> <idle>

use ouroboros::dev::Flow;
use ouroboros::qos::QosSpec;
use std::time::Duration;

fn main() {
    ouroboros::dev::init_from_env().expect("library");
    let a: Vec<String> = std::env::args().collect();
    let name = &a[1];
    let timeout: u32 = a[2].parse().expect("timeout");
    let idle: u64 = a[3].parse().expect("idle");
    let qos = QosSpec {
        timeout,
        ..QosSpec::RAW
    };
    let flow = Flow::alloc(name, Some(qos), Some(Duration::from_secs(5))).expect("alloc");
    let mut buf = [0u8; 16];
    flow.set_read_timeout(Some(Duration::from_millis(idle)))
        .expect("timeout");
    match flow.read(&mut buf) {
        Err(ouroboros::Error::TimedOut) => {}
        other => println!("idle read {other:?}"),
    }
    flow.set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let r = flow.write(b"ping").and_then(|_| flow.read(&mut buf));
    match r {
        Ok(4) => println!("echo ok"),
        Ok(n) => println!("short echo {n}"),
        Err(e) => println!("error {}", e.code()),
    }
}

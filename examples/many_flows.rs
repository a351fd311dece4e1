//! Opens `count` flows to `name` at once, sends one packet on each, checks
//! each echo, then deallocates them all. Usage: many_flows <name> [count]

use ouroboros::dev::Flow;
use std::time::Duration;

fn main() {
    if let Err(e) = ouroboros::dev::init_from_env() {
        eprintln!("FATAL: {e}");
        std::process::exit(1);
    }
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map(String::as_str).unwrap_or("echo");
    let count: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mut flows = Vec::with_capacity(count);
    for i in 0..count {
        match Flow::alloc(name, None, Some(Duration::from_secs(10))) {
            Ok(f) => flows.push(f),
            Err(e) => {
                eprintln!("flow {i}: {e}");
                std::process::exit(1);
            }
        }
    }
    // One packet at a time: all packets in flight at once would need more
    // blocks of one size class than the pool has.
    let mut buf = [0u8; 16];
    for (i, f) in flows.iter().enumerate() {
        f.write(&(i as u32).to_be_bytes()).expect("write");
        f.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        match f.read(&mut buf) {
            Ok(4) if buf[..4] == (i as u32).to_be_bytes() => {}
            other => {
                eprintln!("flow {i}: bad echo {other:?}");
                std::process::exit(1);
            }
        }
    }
    let fds: std::collections::HashSet<i32> = flows.iter().map(Flow::fd).collect();
    assert_eq!(fds.len(), count, "descriptors are unique");
    for f in flows {
        if let Err(e) = f.dealloc() {
            eprintln!("dealloc: {e}");
            std::process::exit(1);
        }
    }
    println!("{count} concurrent flows echoed");
}

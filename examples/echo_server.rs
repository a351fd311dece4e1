//! An echo server on the safe Rust API: accepts flows for the names this
//! program is bound to and sends every packet back.
//!
//! Bind it first, e.g. `irm bind program echo_server name echo`, or run it
//! with `--name <n>` to bind this process itself.

use ouroboros::dev::Flow;

fn main() {
    if let Err(e) = ouroboros::dev::init_from_env() {
        eprintln!("FATAL: {e}");
        std::process::exit(1);
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--name") {
        let name = args.get(i + 1).expect("--name needs a value");
        if let Err(e) = ouroboros::irm::bind_process(std::process::id() as i32, name) {
            eprintln!("Failed to bind to {name}: {e}");
            std::process::exit(1);
        }
    }
    loop {
        match Flow::accept(None) {
            Ok(flow) => {
                std::thread::spawn(move || echo(flow));
            }
            Err(e) => {
                eprintln!("accept failed: {e}");
                std::process::exit(1);
            }
        }
    }
}

fn echo(flow: Flow) {
    let mut buf = vec![0u8; 1 << 17];
    loop {
        match flow.read(&mut buf) {
            Ok(n) => {
                if flow.write(&buf[..n]).is_err() {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

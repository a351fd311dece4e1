//! An echo server on the safe Rust API: accepts flows for the names this
//! program is bound to and sends every packet back.
//!
//! Usage: echo_server [--name <n>] [--flows <f> --packets <p>]
//!
//! Bind it first, e.g. `irm bind program echo_server name echo`, or run it
//! with `--name <n>` to bind this process itself. By default it serves
//! until killed; with `--flows` it serves that many flows, each for
//! `--packets` packets (or until its peer goes), and exits.

use ouroboros::dev::Flow;
use std::io::Write;

fn option(args: &[String], name: &str) -> Option<String> {
    let i = args.iter().position(|a| a == name)?;
    match args.get(i + 1) {
        Some(v) => Some(v.clone()),
        None => {
            eprintln!("{name} needs a value");
            std::process::exit(2);
        }
    }
}

fn number(args: &[String], name: &str) -> Option<u64> {
    let v = option(args, name)?;
    match v.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            eprintln!("{name}: not a number: {v}");
            std::process::exit(2);
        }
    }
}

fn main() {
    if let Err(e) = ouroboros::dev::init_from_env() {
        eprintln!("FATAL: {e}");
        std::process::exit(1);
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(name) = option(&args, "--name") {
        if let Err(e) = ouroboros::irm::bind_process(std::process::id() as i32, &name) {
            eprintln!("Failed to bind to {name}: {e}");
            std::process::exit(1);
        }
    }
    let flows = number(&args, "--flows");
    let packets = number(&args, "--packets").unwrap_or(u64::MAX);
    println!("echo_server: ready");
    let _ = std::io::stdout().flush();
    let mut workers = Vec::new();
    let mut served = 0;
    while flows.is_none_or(|f| served < f) {
        match Flow::accept(None) {
            Ok(flow) => {
                workers.push(std::thread::spawn(move || echo(flow, packets)));
                served += 1;
            }
            Err(e) => {
                eprintln!("accept failed: {e}");
                std::process::exit(1);
            }
        }
    }
    let echoed: u64 = workers.into_iter().map(|w| w.join().unwrap_or(0)).sum();
    println!("echo_server: {served} flows, {echoed} packets echoed");
}

/// Echoes up to `packets` packets; returns how many.
fn echo(flow: Flow, packets: u64) -> u64 {
    let mut buf = vec![0u8; 1 << 17];
    let mut n_echoed = 0;
    while n_echoed < packets {
        match flow.read(&mut buf) {
            Ok(n) => {
                if flow.write(&buf[..n]).is_err() {
                    break;
                }
                n_echoed += 1;
            }
            Err(_) => break,
        }
    }
    n_echoed
}

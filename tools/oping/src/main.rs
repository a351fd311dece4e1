//! `oping`: measures round-trip times between a client and a server over
//! Ouroboros flows (upstream's oping, on the safe Rust API).

mod args;
mod client;
mod server;
mod stats;
mod wire;

#[path = "shared/cnum.rs"]
mod cnum;
#[path = "shared/stdio.rs"]
mod stdio;
#[path = "shared/stop.rs"]
mod stop;
#[path = "shared/timespec.rs"]
mod timespec;

use stdio::out;

fn main() {
    // like upstream's library constructor: nothing runs without an IRMd
    if let Err(e) = ouroboros::dev::init_from_env() {
        eprintln!("FATAL: {e}");
        std::process::exit(1);
    }
    let argv: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let code = match args::parse(&argv) {
        args::Cli::Exit { text, code } => {
            out!("{text}");
            code
        }
        args::Cli::Run { notices, config } => {
            out!("{notices}");
            if config.server {
                server::run(&config)
            } else {
                client::run(&config)
            }
        }
    };
    stdio::exit(code)
}

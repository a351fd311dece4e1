//! `oping`: measures round-trip times between a client and a server over
//! Ouroboros flows (upstream's oping, on the safe Rust API).

mod args;
mod client;
mod server;
mod stats;
mod wire;

use tools_common::{out, start, stdio};

fn main() {
    start::init();
    let argv = start::args();
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

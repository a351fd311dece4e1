//! `ocbr`: constant bit rate traffic from a client to a server over an
//! Ouroboros flow (upstream's ocbr, on the safe Rust API).

mod args;
mod client;
mod server;

use tools_common::{out, start, stdio};

fn main() {
    start::init();
    let argv = start::args();
    let code = match args::parse(&argv) {
        args::Cli::Exit { text, code } => {
            out!("{text}");
            code
        }
        args::Cli::Run(config) if config.server => server::run(&config),
        args::Cli::Run(config) => client::run(&config),
    };
    stdio::exit(code)
}

//! `ocbr`: constant bit rate traffic from a client to a server over an
//! Ouroboros flow (upstream's ocbr, on the safe Rust API).

mod args;
mod client;
mod server;

#[path = "../../oping/src/shared/cnum.rs"]
mod cnum;
#[path = "../../oping/src/shared/stdio.rs"]
mod stdio;
#[path = "../../oping/src/shared/stop.rs"]
mod stop;
#[path = "../../oping/src/shared/timespec.rs"]
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
        args::Cli::Run(config) if config.server => server::run(&config),
        args::Cli::Run(config) => client::run(&config),
    };
    stdio::exit(code)
}

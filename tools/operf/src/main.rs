//! operf: measures bandwidth between an operf client and server
//! (`operf -l`, or `operf -n <name> [-t uni|bi] ...`), with upstream
//! 0.23.0's command line, output and exit codes.

mod args;
mod client;
mod server;
mod signals;
mod stdio;

fn main() {
    if let Err(e) = ouroboros::dev::init_from_env() {
        eprintln!("FATAL: {e}");
        std::process::exit(1);
    }
    let argv: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let opts = match args::parse(&argv) {
        Ok(o) => o,
        Err(e) => {
            out!("{}", e.text);
            stdio::exit(e.code);
        }
    };
    let code = if opts.listen {
        server::run()
    } else {
        match args::client(&opts) {
            Ok((c, notes)) => {
                out!("{notes}");
                client::run(&c)
            }
            Err(e) => {
                out!("{}", e.text);
                e.code
            }
        }
    };
    stdio::exit(code);
}

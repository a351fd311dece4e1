//! operf: measures bandwidth between an operf client and server
//! (`operf -l`, or `operf -n <name> [-t uni|bi] ...`), with upstream
//! 0.23.0's command line, output and exit codes.

mod args;
mod client;
mod server;

use tools_common::{out, start, stdio};

fn main() {
    start::init();
    let argv = start::args();
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

//! The start of every tool's `main`.

/// Connects to the IRMd, as upstream's library constructor does before
/// `main`: nothing runs without one.
pub fn init() {
    if let Err(e) = ouroboros::dev::init_from_env() {
        eprintln!("FATAL: {e}");
        std::process::exit(1);
    }
}

/// The command line, program name first (invalid UTF-8 replaced).
pub fn argv() -> Vec<String> {
    text_args().collect()
}

/// The arguments after the program name.
pub fn args() -> Vec<String> {
    text_args().skip(1).collect()
}

fn text_args() -> impl Iterator<Item = String> {
    std::env::args_os().map(|a| a.to_string_lossy().into_owned())
}

//! Test helper, run inside a private system: prints the number of free
//! blocks of the global packet pool (or of `--uid <uid>`'s pool).

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let uid = match args.iter().position(|a| a == "--uid") {
        Some(i) => args.get(i + 1).and_then(|u| u.parse().ok()).unwrap_or(0),
        None => 0,
    };
    match ouroboros::ssm::Pool::open(uid) {
        Ok(p) => println!("{}", p.free_blocks()),
        Err(e) => {
            eprintln!("cannot open pool: {e}");
            std::process::exit(1);
        }
    }
}

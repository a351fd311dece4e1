//! irmd: the Ouroboros IPC Resource Manager daemon.

use nix::sys::signal::{SigSet, Signal};
use ouroboros::lockfile::Lockfile;
use ouroboros::paths::FUSE_PREFIX;
use ouroboros::sock::{self, Listener};
use ouroboros::{log_err, log_info, log_warn};
use ouroboros_irmd::irmd::Irmd;
use ouroboros_irmd::{banner, config, sanitize, server, shm, shutdown};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::Arc;

const PREFIX: &str = "irmd";

struct Args {
    stdout: bool,
    config: Option<String>,
}

fn usage() {
    print!(
        "Usage: irmd \n         [--config <path> (Path to configuration file)]\n         [--stdout  (Log to stdout instead of system log)]\n         [--version (Print version number and exit)]\n\n"
    );
}

fn parse_args() -> Args {
    let mut args = Args {
        stdout: false,
        config: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--stdout" => args.stdout = true,
            "--version" => {
                println!("Ouroboros version {}", env!("CARGO_PKG_VERSION"));
                std::process::exit(0);
            }
            "--config" => args.config = it.next(),
            _ => {
                usage();
                std::process::exit(1);
            }
        }
    }
    args
}

/// Where the ipcpd-* programs are: next to this irmd, else the install's
/// sbin directory.
fn sbin_dir() -> PathBuf {
    let own = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(PathBuf::from));
    match (own, ouroboros::paths::SBIN_DIR) {
        (Some(d), _) if d.join("ipcpd-local").exists() => d,
        (_, Some(s)) => PathBuf::from(s),
        (Some(d), None) => d,
        (None, None) => PathBuf::from("/usr/sbin"),
    }
}

fn lock() -> Option<Lockfile> {
    if let Ok(lf) = Lockfile::create() {
        return Some(lf);
    }
    let Ok(lf) = Lockfile::open() else {
        log_err!(PREFIX, "Lockfile error.");
        return None;
    };
    let owner = lf.owner().unwrap_or(0);
    if ouroboros::proc::alive(owner) {
        log_warn!(PREFIX, "IRMd already running ({}), exiting.", owner);
        return None;
    }
    log_warn!(PREFIX, "IRMd didn't properly shut down last time.");
    let _ = ouroboros::ssm::Pool::purge_gspp();
    Lockfile::unlink();
    log_warn!(PREFIX, "Stale resources cleaned.");
    match Lockfile::create() {
        Ok(lf) => Some(lf),
        Err(_) => {
            log_err!(PREFIX, "Failed to create lockfile.");
            None
        }
    }
}

fn open_socket() -> Option<Listener> {
    let dir = std::path::Path::new(sock::SOCK_DIR);
    if !dir.exists() && std::fs::create_dir(dir).is_err() {
        log_err!(PREFIX, "Failed to create sockets directory.");
        return None;
    }
    let path = sock::irm_sock_path();
    let Ok(l) = Listener::bind(&path) else {
        log_err!(PREFIX, "Failed to open server socket.");
        return None;
    };
    if std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).is_err() {
        log_err!(PREFIX, "Failed to chmod socket.");
        return None;
    }
    Some(l)
}

/// The gid of group `ouroboros`, or ours when there is none.
fn pool_gid() -> u32 {
    if let Ok(Some(g)) = nix::unistd::Group::from_name("ouroboros") {
        return g.gid.as_raw();
    }
    log_warn!(
        PREFIX,
        "ouroboros group not found, using gid {}.",
        nix::unistd::getgid()
    );
    nix::unistd::getgid().as_raw()
}

fn make_fuse_prefix() {
    if std::path::Path::new(FUSE_PREFIX).exists() {
        log_warn!(PREFIX, "{} already exists...", FUSE_PREFIX);
        return;
    }
    let old = nix::sys::stat::umask(nix::sys::stat::Mode::empty());
    let _ = std::fs::create_dir(FUSE_PREFIX);
    nix::sys::stat::umask(old);
}

fn main() {
    let args = parse_args();
    if args.stdout {
        print!("{}", banner::ART);
    }
    if !nix::unistd::geteuid().is_root() {
        println!("IPC Resource Manager must be run as root.");
        std::process::exit(1);
    }
    ouroboros::log::init(!args.stdout);

    // Signals are taken synchronously by the main thread; block them
    // before any thread starts so every thread inherits the mask.
    let sigs = ouroboros::proc::block_stop_signals();

    let Some(lf) = lock() else {
        std::process::exit(1)
    };
    // before the socket answers: a client that reaches us finds no
    // leftovers of a previous IRMd
    shm::clear_leftovers();
    let Some(listener) = open_socket() else {
        lf.destroy();
        std::process::exit(1);
    };
    let gid = pool_gid();
    let Some(gspp) = shm::create_gspp(gid) else {
        log_err!(PREFIX, "Failed to create GSPP.");
        let _ = std::fs::remove_file(sock::irm_sock_path());
        lf.destroy();
        std::process::exit(1);
    };
    make_fuse_prefix();

    let irmd = Arc::new(Irmd::new(!args.stdout, sbin_dir(), Some(gspp)));
    let listener = Arc::new(listener);
    {
        let (i, l) = (irmd.clone(), listener.clone());
        std::thread::Builder::new()
            .name("acceptor".into())
            .spawn(move || server::serve(i, l))
            .ok();
        let i = irmd.clone();
        std::thread::Builder::new()
            .name("sanitizer".into())
            .spawn(move || sanitize::run(&i))
            .ok();
    }
    log_info!(PREFIX, "Ouroboros IPC Resource Manager daemon started...");

    let mut status = 0;
    if let Some(path) = &args.config {
        if config::apply(&irmd, path).is_err() {
            status = 1;
        }
    }
    if status == 0 {
        wait_signal(&sigs);
    }

    shutdown::kill_all(&irmd);
    irmd.set_shutdown();
    listener.shutdown();
    let _ = std::fs::remove_file(sock::irm_sock_path());
    shutdown::clear(&irmd);
    lf.destroy();
    shutdown::remove_fuse_prefix();
    log_info!(PREFIX, "Ouroboros IPC Resource Manager daemon exited. Bye.");
    std::process::exit(status);
}

fn wait_signal(sigs: &SigSet) {
    loop {
        match sigs.wait() {
            Ok(Signal::SIGPIPE) | Err(_) => continue,
            Ok(_) => {
                log_info!(PREFIX, "IRMd shutting down...");
                return;
            }
        }
    }
}

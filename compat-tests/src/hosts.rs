//! Hosts of a test network: private systems running our daemons and tools
//! or an upstream install's (`UPSTREAM_PREFIX`), with what the network
//! tests do on them (irm commands, bound servers, oping and echo runs
//! between two hosts).

use crate::{bin, example, inner_pid, ns_pid, upstream_prefix, Background, System};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Whose irmd, IPCPs and tools a host runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Side {
    Ours,
    Upstream,
}

impl Side {
    /// A system with this side's irmd (None: upstream without a prefix).
    pub fn start(self) -> Option<System> {
        match self {
            Side::Ours => Some(System::start()),
            Side::Upstream => {
                let prefix = upstream_prefix()?;
                let mut s = System::new();
                s.start_irmd_at(&prefix.join("sbin/irmd"), &[]);
                Some(s)
            }
        }
    }

    /// This side's program `name` (sbin or bin).
    pub fn tool(self, name: &str) -> PathBuf {
        match (self, upstream_prefix()) {
            (Side::Upstream, Some(p)) => {
                let sbin = p.join("sbin").join(name);
                if sbin.exists() {
                    sbin
                } else {
                    p.join("bin").join(name)
                }
            }
            _ => bin(name),
        }
    }
}

pub struct Host {
    pub sys: System,
    pub side: Side,
    /// This end's interface of a link, when the test made one.
    pub dev: String,
}

impl Host {
    pub fn start(side: Side) -> Option<Host> {
        Some(Host {
            sys: side.start()?,
            side,
            dev: String::new(),
        })
    }

    /// Runs this side's `irm` with `args` (split at blanks); must succeed.
    pub fn irm(&self, args: &str) -> String {
        let irm = self.side.tool("irm");
        let mut argv = vec![irm.to_str().expect("utf-8 path")];
        argv.extend(args.split_whitespace());
        self.sys.run_ok(&argv)
    }

    pub fn tool(&self, name: &str) -> PathBuf {
        self.side.tool(name)
    }

    /// [`create_ahead`] on an upstream host; ours need nothing.
    pub fn create_ahead(&self, kind: &str, name: &str) {
        if self.side == Side::Upstream {
            let irm = self.tool("irm");
            create_ahead(&self.sys, irm.to_str().expect("utf-8 path"), kind, name);
        }
    }

    /// Runs this side's `irm` with `args` until it succeeds, at most
    /// `tries` times; then panics with both hosts' logs (`peer` is the
    /// other end of the operation).
    pub fn irm_tries(&self, peer: &Host, args: &str, tries: usize) {
        let irm = self.side.tool("irm");
        let mut argv = vec![irm.to_str().expect("utf-8 path")];
        argv.extend(args.split_whitespace());
        for i in 1..=tries {
            let (c, out, err) = self.sys.run_text(&argv);
            if c == 0 {
                return;
            }
            if i == tries {
                panic!(
                    "{args}: {out}{err}\npeer's irmd log:\n{}\nirmd log:\n{}",
                    peer.sys.log(),
                    self.sys.log()
                );
            }
            eprintln!("{args}: failed, trying again");
        }
    }

    /// Starts `prog` bound to `name` as a server, once the irmd has its
    /// announcement; killed when the result is dropped.
    pub fn server(&self, prog: &Path, name: &str, args: &[&str]) -> Background {
        self.irm(&format!("bind program {} name {name}", prog.display()));
        let out = self.sys.dir().join(format!("{name}.server.out"));
        let mut c = self.sys.command(prog.to_str().expect("utf-8 path"));
        c.args(args)
            .stdout(std::fs::File::create(out).expect("server output"))
            .stderr(Stdio::null());
        let bg = Background(c.spawn().expect("server"));
        let end = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(pid) = inner_pid(&bg.0).and_then(ns_pid) {
                if self.sys.log().contains(&format!("Process added: {pid} (")) {
                    break;
                }
            }
            assert!(
                Instant::now() < end,
                "server not announced:\n{}",
                self.sys.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        bg
    }
}

/// Two hosts of the given sides joined by a veth link, `a_addr` and
/// `b_addr` (CIDR) on its ends (their `dev`).
pub fn linked(sides: (Side, Side), a_addr: &str, b_addr: &str) -> Option<(Host, Host)> {
    let mut a = Host::start(sides.0)?;
    let mut b = Host::start(sides.1)?;
    let link = a.sys.link(&b.sys, a_addr, b_addr);
    (a.dev, b.dev) = (link.a, link.b);
    Some((a, b))
}

/// Makes `a` serve `names` in `layer` (created and registered there);
/// `b` creates them too, as a requesting IRMd needs the name.
pub fn serve_names(a: &Host, b: &Host, layer: &str, names: &[&str]) {
    for n in names {
        a.irm(&format!("name create {n}"));
        a.irm(&format!("name register {n} layer {layer}"));
        b.irm(&format!("name create {n}"));
    }
}

/// Runs `client`'s oping to `name` (served on `server`) with `count`
/// packets 50 ms apart and `args`, killed after 60 s: `received` of them
/// must come back, and oping must succeed unless none did.
pub fn oping_to(
    server: &Host,
    client: &Host,
    name: &str,
    count: usize,
    args: &[&str],
    received: usize,
) {
    let oping = client.tool("oping");
    let count_s = count.to_string();
    let mut argv = vec![
        "timeout",
        "-s",
        "KILL",
        "60",
        oping.to_str().expect("utf-8 path"),
        "-n",
        name,
        "-c",
        &count_s,
        "-i",
        "50ms",
    ];
    argv.extend(args);
    let out = client.sys.run(&argv);
    let text = String::from_utf8_lossy(&out.stdout);
    let want = format!("{count} packets transmitted, {received} received");
    assert!(
        (out.status.success() || received == 0) && text.contains(&want),
        "oping {:?} -> {:?} {args:?} (want {want}): {text}{}\nserver's irmd:\n{}\nclient's irmd:\n{}",
        client.side,
        server.side,
        String::from_utf8_lossy(&out.stderr),
        server.sys.log(),
        client.sys.log()
    );
}

/// Runs `b`'s oping to `ping.a` (served on `a`): `count` packets of
/// `size` bytes (or the default); `received` of them must come back.
pub fn oping_expect(a: &Host, b: &Host, count: usize, size: Option<usize>, received: usize) {
    let size_s = size.unwrap_or(64).to_string();
    oping_to(a, b, "ping.a", count, &["-s", &size_s], received);
}

/// `oping -c 5` from `b` to an oping server on `a` (name `ping.a`); with
/// `max_sdu`, SDUs of that size cross and one byte more are dropped.
pub fn oping_between(a: &Host, b: &Host, max_sdu: Option<usize>) {
    let _srv = a.server(&a.tool("oping"), "ping.a", &["-l"]);
    oping_expect(a, b, 5, None, 5);
    if let Some(max) = max_sdu {
        oping_expect(a, b, 3, Some(max), 3);
        oping_expect(a, b, 2, Some(max + 1), 0);
    }
}

/// Our Rust echo pair, server on `a` (name `echo.a`), client on `b`:
/// `count` packets of 1 B to `max` bytes, every byte checked.
pub fn echo_between(a: &Host, b: &Host, count: &str, max: &str) {
    let _srv = a.server(&example("echo_server"), "echo.a", &[]);
    let client = example("echo_client");
    let out = b
        .sys
        .run(&[client.to_str().expect("utf-8 path"), "echo.a", count, max]);
    assert!(
        out.status.success(),
        "echo_client: {}{}\nA's irmd:\n{}\nB's irmd:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        a.sys.log(),
        b.sys.log()
    );
}

/// Creates the normal IPCP `name` of `kind` (unicast, broadcast) with
/// `irm` ahead of the `irm ipcp bootstrap` or `enroll` that uses it.
/// Upstream's IPCP sets its state to INIT while it bootstraps or enrolls,
/// and a main thread that only reaches its signal loop by then takes it
/// for a shutdown: it logs "IPCP <pid> shutting down." and never serves
/// another command (every later irm command to it times out). `irm ipcp
/// bootstrap` creating and bootstrapping at once hit that in 6 of 30
/// upstream-only runs; with the IPCP created 300 ms ahead, in none.
pub fn create_ahead(sys: &System, irm: &str, kind: &str, name: &str) {
    sys.run_ok(&[irm, "ipcp", "create", "type", kind, "name", name]);
    std::thread::sleep(Duration::from_millis(300));
}

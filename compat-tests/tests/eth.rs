//! The Ethernet shims (eth-dix, eth-llc) between two private systems
//! joined by a veth link: name resolution by broadcast query, flow
//! allocation and data both ways, SDUs up to the shim's limit, garbage
//! frames on the wire, and (with `UPSTREAM_PREFIX`) an upstream system at
//! either end.

use harness::{
    echo_between, linked, oping_between, serve_names, upstream_prefix, App, Host, Side, System,
};
use std::time::{Duration, Instant};

/// veth MTU 1500: the largest SDUs of the two shims.
const DIX_MAX_SDU: usize = 1496;
const LLC_MAX_SDU: usize = 1497;

/// The MAC address of this end of the link.
fn mac(host: &Host) -> [u8; 6] {
    let out = host
        .sys
        .run_ok(&["ip", "-o", "link", "show", "dev", &host.dev]);
    let hex = out
        .split_whitespace()
        .skip_while(|w| *w != "link/ether")
        .nth(1)
        .unwrap_or_else(|| panic!("no MAC in {out}"));
    let mut mac = [0u8; 6];
    for (m, h) in mac.iter_mut().zip(hex.split(':')) {
        *m = u8::from_str_radix(h, 16).expect("MAC");
    }
    mac
}

/// Two hosts on one veth link (`net` is the IPv4 /24 prefix put on it,
/// unused by the shims), each with an IPCP of type `ty` in `eth.net`;
/// `names` are registered at `a` and known to `b`.
fn pair(sides: (Side, Side), ty: &str, net: &str, names: &[&str]) -> Option<(Host, Host)> {
    let (a, b) = linked(sides, &format!("{net}.1/24"), &format!("{net}.2/24"))?;
    a.irm(&format!(
        "ipcp bootstrap type {ty} name ea layer eth.net dev {}",
        a.dev
    ));
    b.irm(&format!(
        "ipcp bootstrap type {ty} name eb layer eth.net dev {}",
        b.dev
    ));
    serve_names(&a, &b, "eth.net", names);
    Some((a, b))
}

#[test]
fn eth_dix_flows_between_two_systems() {
    let (a, b) = pair(
        (Side::Ours, Side::Ours),
        "eth-dix",
        "10.97.0",
        &["ping.a", "echo.a"],
    )
    .unwrap();
    oping_between(&a, &b, Some(DIX_MAX_SDU));
    echo_between(&a, &b, "1000", &DIX_MAX_SDU.to_string());
    // nobody answers the query for an unregistered name
    let oping = b.tool("oping");
    let out = b
        .sys
        .run(&[oping.to_str().unwrap(), "-n", "nowhere", "-c", "1"]);
    assert!(!out.status.success(), "a flow to an unknown name");
}

#[test]
fn eth_llc_flows_between_two_systems() {
    let (a, b) = pair(
        (Side::Ours, Side::Ours),
        "eth-llc",
        "10.97.1",
        &["ping.a", "echo.a"],
    )
    .unwrap();
    oping_between(&a, &b, Some(LLC_MAX_SDU));
    echo_between(&a, &b, "1000", &LLC_MAX_SDU.to_string());
}

/// Sends `frames` out of interface `dev` of the network namespace of
/// host process `pid`, from a raw packet socket.
/// The link monitor: while the client's interface is down its flow is
/// down (the shim marks every flow down, as upstream's does: a read finds
/// -EFLOWDOWN; writes still report the bytes sent, as upstream's do), and
/// once the interface is back up the same flow carries packets again.
#[test]
fn flows_follow_the_link_state() {
    const EFLOWDOWN: i64 = -1005;
    let limit = Duration::from_secs(20);
    let (a, b) = pair((Side::Ours, Side::Ours), "eth-dix", "10.97.4", &["flt"]).unwrap();
    App::bind(&a.sys, "flt");
    let mut server = App::start(&a.sys, &[], &["server"]);
    server.expect("server", limit, &a.sys);
    let mut c = App::start(&b.sys, &[], &[]);
    c.ok("alloc flt", &b.sys);
    c.ok("echo", &b.sys);
    // polls `cmd` on the client until its result is `want`
    let until = |c: &mut App, cmd: &str, want: i64| {
        let end = Instant::now() + Duration::from_secs(10);
        loop {
            let (r, _) = c.call(cmd, limit, &b.sys);
            if r == want {
                return;
            }
            assert!(
                Instant::now() < end,
                "`{cmd}` still gives {r}, not {want}\n{}",
                b.sys.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    b.sys.run_ok(&["ip", "link", "set", "dev", &b.dev, "down"]);
    until(&mut c, "read 200", EFLOWDOWN);
    b.sys.run_ok(&["ip", "link", "set", "dev", &b.dev, "up"]);
    until(&mut c, "echo", 0);
    c.ok("dealloc", &b.sys);
    c.send("exit");
    assert!(c.wait_exit(limit).success());
}

fn send_frames(pid: i32, dev: String, frames: Vec<Vec<u8>>) {
    std::thread::spawn(move || {
        let ns = std::fs::File::open(format!("/proc/{pid}/ns/net")).expect("netns");
        // SAFETY: moves this short-lived thread into B's network namespace.
        let r = unsafe { libc::setns(std::os::fd::AsRawFd::as_raw_fd(&ns), libc::CLONE_NEWNET) };
        assert_eq!(r, 0, "setns");
        let name = std::ffi::CString::new(dev).unwrap();
        // SAFETY: a NUL-terminated name that outlives the call.
        let idx = unsafe { libc::if_nametoindex(name.as_ptr()) };
        assert!(idx > 0, "interface in B");
        // SAFETY: plain socket(2); protocol 0 sends only.
        let s = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
        assert!(s >= 0, "packet socket");
        for f in &frames {
            // SAFETY: sockaddr_ll is plain old data; all zeros is valid.
            let mut to: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
            to.sll_family = libc::AF_PACKET as u16;
            to.sll_ifindex = idx as i32;
            to.sll_halen = 6;
            to.sll_addr[..6].copy_from_slice(&f[..6]);
            // SAFETY: `f` is readable for its length and `to` is a valid
            // sockaddr_ll of the size passed.
            let n = unsafe {
                libc::sendto(
                    s,
                    f.as_ptr().cast(),
                    f.len(),
                    0,
                    (&to as *const libc::sockaddr_ll).cast(),
                    std::mem::size_of::<libc::sockaddr_ll>() as u32,
                )
            };
            // the kernel refuses frames without a whole Ethernet header
            if f.len() >= 14 {
                assert_eq!(n, f.len() as isize, "sendto");
            }
        }
        // SAFETY: closes the socket opened above.
        unsafe { libc::close(s) };
    })
    .join()
    .expect("sender");
}

/// A frame from `src` to `dst` with `body` after the two MACs.
fn frame(dst: &[u8; 6], src: &[u8; 6], body: &[u8]) -> Vec<u8> {
    let mut f = dst.to_vec();
    f.extend_from_slice(src);
    f.extend_from_slice(body);
    f
}

/// The shim header and payload of a frame: DIX with endpoint id `ep`,
/// LLC with both SAPs (on-wire bytes) `ep`; `len` in the length field.
fn shim(llc: bool, ep: u16, len: u16, payload: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    if llc {
        b.extend_from_slice(&len.to_be_bytes());
        b.extend_from_slice(&[ep as u8, ep as u8, 3]);
    } else {
        b.extend_from_slice(&[0xa0, 0x00]);
        b.extend_from_slice(&ep.to_be_bytes());
        b.extend_from_slice(&len.to_be_bytes());
    }
    b.extend_from_slice(payload);
    b
}

/// Frames no upstream peer sends, for the shim at `dst`.
fn garbage(llc: bool, dst: &[u8; 6], src: &[u8; 6]) -> Vec<Vec<u8>> {
    // management endpoint, header length, offset of the code
    let (mgmt, hl, code_at) = if llc {
        (0x80u16, 37usize, 2usize)
    } else {
        (0u16, 39, 37)
    };
    // a management frame: the length field counts the payload (plus 3
    // for the LLC header)
    let m = |p: &[u8]| {
        let len = p.len() as u16 + if llc { 3 } else { 0 };
        frame(dst, src, &shim(llc, mgmt, len, p))
    };
    let mut out = vec![
        frame(dst, src, &[]),
        frame(dst, src, &[0xa0]),
        frame(dst, src, &shim(llc, mgmt, 0, &[])[..3]),
        // length fields beyond the frame, and below the LLC header
        frame(dst, src, &shim(llc, mgmt, 200, &[0; 20])),
        frame(dst, src, &shim(llc, mgmt, 2, &[])),
        frame(dst, src, &shim(llc, mgmt, 1, &[])),
        m(&[]),
        m(&vec![0; hl - 1]),
    ];
    let mut unknown = vec![0u8; hl + 40];
    unknown[code_at] = 9;
    out.push(m(&unknown));
    // a reply for endpoint 64 / SAP 2, which requested nothing
    let mut reply = vec![0u8; hl + 84];
    reply[code_at] = 1;
    if llc {
        reply[..2].copy_from_slice(&[2, 2]);
    } else {
        reply[..4].copy_from_slice(&[0, 65, 0, 64]);
    }
    out.push(m(&reply));
    // a request for a hash of zeros, whole and cut inside its hash
    let mut req = vec![0u8; hl + 32 + 36];
    req[1] = 66;
    req[code_at] = 0;
    out.push(m(&req));
    out.push(m(&req[..hl + 10]));
    // name queries cut inside the hash, and one for nobody
    let mut q = vec![0u8; hl + 32];
    q[code_at] = 2;
    out.push(m(&q[..hl + 3]));
    out.push(m(&q));
    q[code_at] = 3;
    out.push(m(&q[..hl + 31]));
    // data for endpoints that are not flows
    for ep in [1u16, 2, 3, 64, 65, 0x40, 0xc0, 4095, 0xffff] {
        let p = b"data for no flow";
        let len = p.len() as u16 + if llc { 3 } else { 0 };
        out.push(frame(dst, src, &shim(llc, ep, len, p)));
    }
    // and noise that looks like the shim's frames
    let mut seed = 0x9e37_79b9u32;
    for _ in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let len = (seed % 200) as usize;
        let mut g: Vec<u8> = (0..len).map(|i| (seed >> (i % 24)) as u8).collect();
        if seed.is_multiple_of(2) && g.len() > 4 {
            if llc {
                g[0] = (seed >> 8) as u8 & 0x05;
            } else {
                g[..2].copy_from_slice(&[0xa0, 0x00]);
            }
            if seed.is_multiple_of(3) {
                g[2..4].fill(0);
            }
        }
        out.push(frame(dst, src, &g));
    }
    out
}

/// Garbage from B's side of the link reaches A's shim, which drops it
/// and keeps serving flows.
fn garbage_leaves_the_shim_working(ty: &str, net: &str) {
    let llc = ty == "eth-llc";
    let (a, b) = pair((Side::Ours, Side::Ours), ty, net, &["ping.a"]).unwrap();
    let (a_mac, b_mac) = (mac(&a), mac(&b));
    let mut frames = garbage(llc, &a_mac, &b_mac);
    frames.extend(garbage(llc, &[0xff; 6], &b_mac));
    // a group address as source
    frames.extend(garbage(llc, &a_mac, &[0xff; 6]).into_iter().take(30));
    let pid = b.sys.irmd_pid().expect("B's irmd");
    send_frames(pid, b.dev.clone(), frames);
    std::thread::sleep(Duration::from_millis(300));
    oping_between(&a, &b, None);
    let log = a.sys.log();
    assert!(log.contains("Dropped runt mgmt frame"), "{log}");
    assert!(log.contains("Unknown message received 9."), "{log}");
    assert!(log.contains("No flow found with that SAP."), "{log}");
}

#[test]
fn garbage_frames_leave_eth_dix_working() {
    garbage_leaves_the_shim_working("eth-dix", "10.97.2");
}

#[test]
fn garbage_frames_leave_eth_llc_working() {
    garbage_leaves_the_shim_working("eth-llc", "10.97.3");
}

/// An upstream system at one end of the wire and ours at the other, in
/// both directions, for both shims (skipped without `UPSTREAM_PREFIX`).
#[test]
fn eth_interoperates_with_upstream() {
    if upstream_prefix().is_none() {
        eprintln!("eth interop: skipped (UPSTREAM_PREFIX not set)");
        return;
    }
    for ty in ["eth-dix", "eth-llc"] {
        for (i, sides) in [(Side::Upstream, Side::Ours), (Side::Ours, Side::Upstream)]
            .into_iter()
            .enumerate()
        {
            let (a, b) = pair(sides, ty, &format!("10.97.{}", 4 + i), &["ping.a"]).unwrap();
            let max = if ty == "eth-dix" {
                DIX_MAX_SDU
            } else {
                LLC_MAX_SDU
            };
            oping_between(&a, &b, Some(max));
            eprintln!(
                "{ty} interop {i}: server {:?}, client {:?}: PASS",
                sides.0, sides.1
            );
        }
    }
}

/// Bootstraps on interfaces that do not exist fail; one on loopback
/// works, and a system reaches its own names through it (its frames come
/// back to it).
#[test]
fn bootstrap_needs_a_real_interface() {
    let sys = System::start();
    for (ty, dev) in [
        ("eth-dix", "o7nosuch0"),
        ("eth-llc", "o7nosuch0"),
        ("eth-dix", "o7-a-name-too-long"),
    ] {
        let irm = format!("irm ipcp bootstrap type {ty} name bad layer bad.net dev {dev}");
        let out = sys.run(&irm.split(' ').collect::<Vec<_>>());
        assert!(!out.status.success(), "{irm} succeeded:\n{}", sys.log());
    }
    let log = sys.log();
    assert!(log.contains("Failed to set MTU."), "{log}");
    assert!(log.contains("Invalid device name"), "{log}");
    let host = Host {
        sys,
        side: Side::Ours,
        dev: "lo".into(),
    };
    host.irm("ipcp bootstrap type eth-dix name good layer good.net dev lo");
    host.irm("name create ping.a");
    host.irm("name register ping.a layer good.net");
    oping_between(&host, &host, None);
}

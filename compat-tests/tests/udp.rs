//! The UDP shims between two private systems joined by a veth link: name
//! resolution through /etc/hosts, flow allocation and data both ways,
//! SDUs up to the shim's limit, garbage datagrams at the IPCP's port, and
//! (with `UPSTREAM_PREFIX`) an upstream system at either end of the wire.

use harness::{echo_between, linked, oping_between, serve_names, upstream_prefix, Host, Side};
use std::net::UdpSocket;
use std::time::Duration;

/// The largest SDU that crosses udp4 (8980 bytes with the endpoint id).
const UDP4_MAX_SDU: &str = "8976";

/// Two hosts on one link, each with a udp IPCP in layer `udp.net`: `a`
/// at `a_ip`, `b` at `b_ip`; `b` resolves `names` to `a`.
fn pair(
    sides: (Side, Side),
    ty: &str,
    (a_ip, b_ip, prefix): (&str, &str, u8),
    names: &[&str],
) -> Option<(Host, Host)> {
    let (a, b) = linked(
        sides,
        &format!("{a_ip}/{prefix}"),
        &format!("{b_ip}/{prefix}"),
    )?;
    let entries: Vec<(&str, &str)> = names.iter().map(|n| (a_ip, *n)).collect();
    b.sys.hosts(&entries);
    a.irm(&format!(
        "ipcp bootstrap type {ty} name ua layer udp.net ip {a_ip}"
    ));
    b.irm(&format!(
        "ipcp bootstrap type {ty} name ub layer udp.net ip {b_ip}"
    ));
    serve_names(&a, &b, "udp.net", names);
    Some((a, b))
}

#[test]
fn udp4_flows_between_two_systems() {
    let v4 = ("10.98.0.1", "10.98.0.2", 24);
    let (a, b) = pair((Side::Ours, Side::Ours), "udp4", v4, &["ping.a", "echo.a"]).unwrap();
    oping_between(&a, &b, None);
    echo_between(&a, &b, "3000", UDP4_MAX_SDU);
    // B's shim knows only what /etc/hosts says: an unknown name fails
    let oping = b.tool("oping");
    let out = b
        .sys
        .run(&[oping.to_str().unwrap(), "-n", "nowhere", "-c", "1"]);
    assert!(!out.status.success(), "a flow to an unresolvable name");
}

#[test]
fn udp6_flows_between_two_systems() {
    let v6 = ("fd98::1", "fd98::2", 64);
    let (a, b) = pair((Side::Ours, Side::Ours), "udp6", v6, &["ping.a", "echo.a"]).unwrap();
    oping_between(&a, &b, None);
    echo_between(&a, &b, "1000", "8948");
}

/// Datagrams no upstream peer sends: runts, unknown codes, replies for
/// flows that do not exist or from the wrong source, requests for names
/// nobody serves, data for fds that are not flows. The IPCP drops them
/// and a flow allocated afterwards works.
#[test]
fn garbage_datagrams_leave_the_shim_working() {
    let v4 = ("10.98.1.1", "10.98.1.2", 24);
    let (a, b) = pair((Side::Ours, Side::Ours), "udp4", v4, &["ping.a"]).unwrap();
    let mut grams: Vec<Vec<u8>> = vec![
        vec![],
        vec![0, 0],
        vec![0, 0, 0, 0],
        vec![0; 46],
        vec![0; 47],
    ];
    let mut unknown = vec![0u8; 80];
    unknown[44] = 9;
    grams.push(unknown);
    let mut reply = vec![0u8; 47 + 84];
    reply[7] = 64; // a reply for fd 64, which requested nothing
    reply[44] = 2;
    grams.push(reply);
    let mut req = vec![0u8; 47 + 16 + 36];
    req[7] = 99;
    req[44] = 1; // a request for a hash of zeros
    grams.push(req.clone());
    grams.push(req[..50].to_vec()); // a request cut inside its hash
    for fd in [64u32, 65, 4095, 4096, u32::MAX] {
        let mut d = fd.to_be_bytes().to_vec();
        d.extend_from_slice(b"data for no flow");
        grams.push(d);
    }
    let mut seed = 0x9e37_79b9u32;
    for _ in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let len = (seed % 200) as usize;
        let mut g: Vec<u8> = (0..len).map(|i| (seed >> (i % 24)) as u8).collect();
        if len > 44 && seed.is_multiple_of(3) {
            g[..4].fill(0);
            g[44] = (seed % 4) as u8;
        }
        grams.push(g);
    }
    // sent from inside B's network namespace
    let target = format!("{}:3435", v4.0);
    let pid = b.sys.irmd_pid().expect("B's irmd");
    std::thread::spawn(move || {
        let ns = std::fs::File::open(format!("/proc/{pid}/ns/net")).expect("netns");
        // SAFETY: moves this short-lived thread into B's network namespace.
        let r = unsafe { libc::setns(std::os::fd::AsRawFd::as_raw_fd(&ns), libc::CLONE_NEWNET) };
        assert_eq!(r, 0, "setns");
        let s = UdpSocket::bind("10.98.1.2:0").expect("socket in B");
        for g in &grams {
            s.send_to(g, &target).expect("send");
        }
    })
    .join()
    .expect("sender");
    std::thread::sleep(Duration::from_millis(300));
    oping_between(&a, &b, None);
    assert!(
        a.sys.log().contains("Dropped runt mgmt frame"),
        "{}",
        a.sys.log()
    );
}

/// An upstream system at one end of the wire and ours at the other, in
/// both directions (skipped without `UPSTREAM_PREFIX`).
#[test]
fn udp4_interoperates_with_upstream() {
    if upstream_prefix().is_none() {
        eprintln!("udp4 interop: skipped (UPSTREAM_PREFIX not set)");
        return;
    }
    for (i, sides) in [(Side::Upstream, Side::Ours), (Side::Ours, Side::Upstream)]
        .into_iter()
        .enumerate()
    {
        let v4 = ("10.98.2.1", "10.98.2.2", 24);
        let (a, b) = pair(sides, "udp4", v4, &["ping.a"]).unwrap();
        oping_between(&a, &b, None);
        eprintln!(
            "udp4 interop {i}: server {:?}, client {:?}: PASS",
            sides.0, sides.1
        );
    }
}

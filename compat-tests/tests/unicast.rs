//! ipcpd-unicast end to end: two systems joined by a veth link with a
//! udp4 layer under the unicast layer `uni.net` (bootstrap, enrollment
//! through the layer name, Management and DT connections), then flows
//! across the unicast layer: oping raw and with FRCT, and the Rust echo
//! pair. With `UPSTREAM_PREFIX`, an upstream system as enroller or
//! enrollee.

use harness::{
    echo_between, linked, oping_expect, oping_to, serve_names, upstream_prefix, Host, Side,
};

/// Two systems on one link with udp4 under unicast layer `uni.net`: `a`
/// bootstraps `uniA`, `b` enrolls `uniB` through the layer name and
/// connects its Management and DT components to `uniA`. `names` are
/// created on both and registered on `a` in `uni.net`.
fn two_members(sides: (Side, Side), net: u8, names: &[&str]) -> Option<(Host, Host)> {
    let (a_ip, b_ip) = (format!("10.96.{net}.1"), format!("10.96.{net}.2"));
    let (a, b) = linked(sides, &format!("{a_ip}/24"), &format!("{b_ip}/24"))?;
    b.sys.hosts(&[(&a_ip, "uniA"), (&a_ip, "uni.net")]);
    a.irm(&format!(
        "ipcp bootstrap type udp4 name udpA layer udp.net ip {a_ip}"
    ));
    b.irm(&format!(
        "ipcp bootstrap type udp4 name udpB layer udp.net ip {b_ip}"
    ));
    a.create_ahead("unicast", "uniA");
    a.irm("ipcp bootstrap type unicast name uniA layer uni.net autobind");
    b.create_ahead("unicast", "uniB");
    a.irm("name register uniA layer udp.net");
    a.irm("name register uni.net layer udp.net");
    b.irm("name create uni.net");
    b.irm("name create uniA");
    // An upstream udp IPCP sometimes fails to answer a flow request
    // (network-plane §2.3); the requester times out after 20 s. A second
    // try is then allowed, with upstream on either end.
    let tries = if sides == (Side::Ours, Side::Ours) {
        1
    } else {
        2
    };
    for cmd in [
        "ipcp enroll name uniB layer uni.net autobind",
        "ipcp connect name uniB dst uniA component mgmt",
        "ipcp connect name uniB dst uniA component dt",
    ] {
        b.irm_tries(&a, cmd, tries);
    }
    if tries > 1 {
        // an upstream node may take up to one recalculation period
        // (t_recalc, 4 s) to route towards its new neighbour
        std::thread::sleep(std::time::Duration::from_secs(5));
    }
    serve_names(&a, &b, "uni.net", names);
    Some((a, b))
}

/// oping raw and with FRCT from `b` to a server on `a`.
fn pings(a: &Host, b: &Host) {
    let _srv = a.server(&a.tool("oping"), "ping.a", &["-l"]);
    ping_runs(a, b);
}

/// The oping runs of `pings` (the server runs).
fn ping_runs(a: &Host, b: &Host) {
    oping_expect(a, b, 5, None, 5);
    oping_to(a, b, "ping.a", 5, &["-q", "data"], 5);
    oping_expect(a, b, 3, Some(1400), 3);
}

#[test]
fn unicast_layer_over_udp_between_two_systems() {
    let (a, b) = two_members((Side::Ours, Side::Ours), 0, &["ping.a", "echo.a"]).unwrap();
    let log = b.sys.log();
    assert!(log.contains("Enrolled IPCP"), "{log}");
    pings(&a, &b);
    echo_between(&a, &b, "1000", "1400");
    // a name nobody registered cannot be reached
    b.irm("name create nowhere");
    let oping = b.tool("oping");
    let argv = [
        "timeout",
        "-s",
        "KILL",
        "60",
        oping.to_str().unwrap(),
        "-n",
        "nowhere",
        "-c",
        "1",
    ];
    let out = b.sys.run(&argv);
    assert!(!out.status.success(), "a flow to an unregistered name");
}

/// What upstream's flow allocator logs when it answers a request before
/// it recorded the requester's address (network-plane §2.3: a race in
/// its fa.c; the requester then times out).
const UPSTREAM_FA_RACE: &str = "Failed to send flow allocation response packet";

/// Runs `f`; while it fails with `responder` upstream's and its flow
/// allocator losing that race meanwhile (its log says so), runs it again,
/// up to three times in all (the race is lost more often under load).
fn tolerating_upstream_fa_race(responder: &Host, f: impl Fn()) {
    let races = || responder.sys.log().matches(UPSTREAM_FA_RACE).count();
    for attempt in 1..=3 {
        let before = races();
        let Err(e) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(&f)) else {
            return;
        };
        if attempt == 3 || responder.side != Side::Upstream || races() == before {
            std::panic::resume_unwind(e);
        }
        eprintln!("upstream's flow allocator lost its response race; once more");
    }
}

#[test]
fn unicast_interoperates_with_upstream() {
    if upstream_prefix().is_none() {
        eprintln!("unicast interop: skipped (UPSTREAM_PREFIX not set)");
        return;
    }
    for (i, sides) in [(Side::Upstream, Side::Ours), (Side::Ours, Side::Upstream)]
        .into_iter()
        .enumerate()
    {
        let (a, b) = two_members(sides, 10 + i as u8, &["ping.a", "ping.b"]).unwrap();
        let srv = a.server(&a.tool("oping"), "ping.a", &["-l"]);
        tolerating_upstream_fa_race(&a, || ping_runs(&a, &b));
        drop(srv);
        eprintln!(
            "unicast interop {i}: enroller {:?} -> enrollee {:?}: PASS",
            sides.0, sides.1
        );
        // and the other way: server on the enrollee, client on the enroller
        let _srv = b.server(&b.tool("oping"), "ping.b", &["-l"]);
        b.irm("name register ping.b layer uni.net");
        tolerating_upstream_fa_race(&b, || oping_to(&b, &a, "ping.b", 5, &[], 5));
        eprintln!(
            "unicast interop {i}: enrollee {:?} -> enroller {:?}: PASS",
            sides.1, sides.0
        );
    }
}

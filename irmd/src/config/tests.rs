//! Parsing, validation and the order of operations, against a recorder.

use super::doc::{Table, Val};
use super::*;
use ouroboros::hash::HashAlgo;
use ouroboros::ipcp::{
    TypeConfig, UniConfig, CA_MB_ECN, CA_NONE, DT_COMP, LS_ECMP, LS_LFA, LS_SIMPLE, MGMT_COMP,
};
use ouroboros::name::{BIND_AUTO, LB_RR, LB_SPILL};

#[derive(Clone, Debug, PartialEq)]
enum Call {
    Create(IpcpType, String),
    Bootstrap(i32, IpcpConfig),
    Enroll(i32, String),
    Connect(i32, String, String),
    CreateName(NameInfo),
    Reg(String, i32),
    BindProgram(Vec<String>, String, u32),
    BindProcess(i32, String),
}

/// Records every call; pids count up from 100.
#[derive(Default)]
struct Recorder {
    calls: Vec<Call>,
    next_pid: i32,
    fail_create: bool,
    fail_bootstrap: bool,
    fail_reg: bool,
}

impl Ops for Recorder {
    fn create_ipcp(&mut self, t: IpcpType, name: &str) -> Result<i32, i32> {
        self.calls.push(Call::Create(t, name.into()));
        if self.fail_create {
            return Err(-1);
        }
        self.next_pid += 1;
        Ok(99 + self.next_pid)
    }

    fn bootstrap(&mut self, pid: i32, conf: &IpcpConfig) -> i32 {
        self.calls.push(Call::Bootstrap(pid, conf.clone()));
        if self.fail_bootstrap {
            -1
        } else {
            0
        }
    }

    fn enroll(&mut self, pid: i32, dst: &str) -> i32 {
        self.calls.push(Call::Enroll(pid, dst.into()));
        0
    }

    fn layer(&mut self, _pid: i32) -> Option<String> {
        Some("joined".into())
    }

    fn connect(&mut self, pid: i32, dst: &str, comp: &str) -> i32 {
        self.calls.push(Call::Connect(pid, dst.into(), comp.into()));
        0
    }

    fn create_name(&mut self, info: NameInfo) -> i32 {
        self.calls.push(Call::CreateName(info));
        0
    }

    fn reg(&mut self, name: &str, pid: i32) -> i32 {
        self.calls.push(Call::Reg(name.into(), pid));
        if self.fail_reg {
            -1
        } else {
            0
        }
    }

    fn bind_program(&mut self, exec: &[String], name: &str, opts: u32) -> i32 {
        self.calls
            .push(Call::BindProgram(exec.to_vec(), name.into(), opts));
        0
    }

    fn bind_process(&mut self, pid: i32, name: &str) -> i32 {
        self.calls.push(Call::BindProcess(pid, name.into()));
        0
    }
}

fn run(text: &str) -> (Result<(), ()>, Vec<Call>) {
    let mut r = Recorder::default();
    let doc = Table::parse(text).expect("valid TOML");
    let res = load(&doc, &mut r);
    (res, r.calls)
}

fn ok(text: &str) -> Vec<Call> {
    let (res, calls) = run(text);
    assert_eq!(res, Ok(()), "{text}: {calls:?}");
    calls
}

fn err(text: &str) -> Vec<Call> {
    let (res, calls) = run(text);
    assert_eq!(res, Err(()), "{text}: {calls:?}");
    calls
}

/// The bootstrap configuration the (only) IPCP of `text` got.
fn boot_conf(text: &str) -> IpcpConfig {
    ok(text)
        .into_iter()
        .find_map(|c| match c {
            Call::Bootstrap(_, conf) => Some(conf),
            _ => None,
        })
        .expect("a bootstrap")
}

fn uni(text: &str) -> UniConfig {
    match boot_conf(&format!("[unicast.u]\nbootstrap = \"net\"\n{text}")).config {
        TypeConfig::Unicast(u) => u,
        c => panic!("not unicast: {c:?}"),
    }
}

/// True when the table `[unicast.u]` with `keys` is refused after the IPCP
/// was created (and before any bootstrap).
fn uni_refused(keys: &str) -> bool {
    let (res, calls) = run(&format!("[unicast.u]\nbootstrap = \"net\"\n{keys}"));
    res.is_err() && calls == [Call::Create(IpcpType::Unicast, "u".into())]
}

fn created_names(calls: &[Call]) -> Vec<String> {
    calls
        .iter()
        .filter_map(|c| match c {
            Call::CreateName(i) => Some(i.name.clone()),
            Call::Create(_, n) => Some(format!("ipcp:{n}")),
            _ => None,
        })
        .collect()
}

// ---- document order -------------------------------------------------------

#[test]
fn top_level_tables_in_file_order() {
    let calls = ok("[name.b]\n[local.x]\n[name.a]\n");
    // `name` first appeared before `local`: all names, then the IPCP.
    assert_eq!(created_names(&calls), ["b", "a", "ipcp:x"]);
    let calls = ok("[local.x]\n[name.b]\n[local.a]\n[name.a]\n");
    assert_eq!(created_names(&calls), ["ipcp:x", "ipcp:a", "b", "a"]);
}

#[test]
fn later_parent_header_keeps_first_position() {
    let calls = ok("[local.z]\n[name.n]\n[local]\n");
    assert_eq!(created_names(&calls), ["ipcp:z", "n"]);
    let doc = Table::parse("[b.x]\n[a]\n[b]\ny = 1\n").unwrap();
    let keys: Vec<_> = doc.entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["b", "a"]);
}

#[test]
fn values_then_arrays_then_tables() {
    let doc = Table::parse("[t]\nz = 1\n[[arr]]\nq = 2\n[u]\n").unwrap();
    let keys: Vec<_> = doc.entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["arr", "t", "u"]);
    let doc = Table::parse("s = 1\na = [1]\n[t.x]\n").unwrap();
    let keys: Vec<_> = doc.entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["s", "a", "t"]);
}

#[test]
fn scalar_types() {
    let doc = Table::parse("b = 0x10\nc = -1_000\nd = 1.5\ne = true\ng = 0o17\n").unwrap();
    assert_eq!(doc.int("b"), Some(16));
    assert_eq!(doc.int("c"), Some(-1000));
    assert_eq!(doc.int("g"), Some(15));
    assert_eq!(doc.int("d"), None);
    assert_eq!(doc.get("d"), Some(&Val::Other));
    assert_eq!(doc.bool("e"), Some(true));
    assert_eq!(doc.str("e"), None);
    assert_eq!(doc.int("missing"), None);
}

#[test]
fn quoted_keys_keep_their_dots() {
    let calls = ok("[name.\"oping.secure\"]\n[name.plain]\n");
    assert_eq!(created_names(&calls), ["oping.secure", "plain"]);
}

#[test]
fn integer_too_big_counts_as_absent() {
    let doc = Table::parse("big = 99999999999999999999\n").expect("parses");
    assert_eq!(doc.get("big"), Some(&Val::Int(None)));
    assert_eq!(doc.int("big"), None);
}

#[test]
fn parse_error_names_the_line() {
    let e = Table::parse("[name.a]\nlb = \n").unwrap_err();
    assert!(e.0.starts_with("line 2: "), "{}", e.0);
    assert!(Table::parse("[a]\n[a]\n").is_err());
}

// ---- top level ---------------------------------------------------------------

#[test]
fn unknown_top_level_key_aborts() {
    let calls = err("[name.a]\n[foo.b]\n[local.c]\n");
    assert_eq!(created_names(&calls), ["a"]);
    err("foo = 1\n");
    // a known key that is not a table
    err("name = \"x\"\n");
    err("[[local]]\nbootstrap = \"x\"\n");
}

#[test]
fn empty_file_does_nothing() {
    assert!(ok("").is_empty());
    assert!(ok("# comment only\n[local]\n[name]\n").is_empty());
}

// ---- IPCP keys -----------------------------------------------------------------

#[test]
fn every_type_table_creates_its_type() {
    let calls =
        ok("[local.a]\n[eth-llc.b]\n[eth-dix.c]\n[udp4.d]\n[udp6.e]\n[broadcast.f]\n[unicast.g]\n");
    let want = [
        (IpcpType::Local, "a"),
        (IpcpType::EthLlc, "b"),
        (IpcpType::EthDix, "c"),
        (IpcpType::Udp4, "d"),
        (IpcpType::Udp6, "e"),
        (IpcpType::Broadcast, "f"),
        (IpcpType::Unicast, "g"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(t, n)| Call::Create(*t, n.to_string()))
        .collect();
    assert_eq!(calls, want);
}

#[test]
fn local_bootstrap_and_reg() {
    let calls = ok("[local.lo]\nbootstrap = \"lay\"\nreg = [\"n1\"]\n");
    let mut conf = IpcpConfig::default_for(IpcpType::Local);
    conf.layer.name = "lay".into();
    let mut n1 = NameInfo::new("n1", LB_SPILL);
    default_sec_paths(&mut n1);
    assert_eq!(
        calls,
        [
            Call::Create(IpcpType::Local, "lo".into()),
            Call::Bootstrap(100, conf),
            Call::CreateName(n1),
            Call::Reg("n1".into(), 100),
        ]
    );
    assert_eq!(
        boot_conf("[local.lo]\nbootstrap = \"l\"\n")
            .layer
            .dir_hash_algo,
        HashAlgo::Sha3_256 as u32
    );
}

#[test]
fn hash_key() {
    for (name, algo) in [
        ("SHA3_224", HashAlgo::Sha3_224),
        ("SHA3_256", HashAlgo::Sha3_256),
        ("SHA3_384", HashAlgo::Sha3_384),
        ("SHA3_512", HashAlgo::Sha3_512),
    ] {
        for t in ["local", "eth-llc"] {
            let c = boot_conf(&format!(
                "[{t}.x]\nbootstrap = \"l\"\ndev = \"eth0\"\nhash = \"{name}\"\n"
            ));
            assert_eq!(c.layer.dir_hash_algo, algo as u32);
        }
        let c = boot_conf(&format!(
            "[eth-dix.x]\nbootstrap = \"l\"\ndev = \"e\"\nhash = \"{name}\"\n"
        ));
        assert_eq!(c.layer.dir_hash_algo, algo as u32);
        // unicast ignores it (upstream quirk); broadcast never reads it
        let c = boot_conf(&format!(
            "[unicast.x]\nbootstrap = \"l\"\nhash = \"{name}\"\n"
        ));
        assert_eq!(c.layer.dir_hash_algo, HashAlgo::Sha3_256 as u32);
        let c = boot_conf(&format!(
            "[broadcast.x]\nbootstrap = \"l\"\nhash = \"{name}\"\n"
        ));
        assert_eq!(c.layer.dir_hash_algo, 0);
    }
    // an unknown algorithm is refused after the IPCP was created
    let calls = err("[local.x]\nbootstrap = \"l\"\nhash = \"MD5\"\n");
    assert_eq!(calls, [Call::Create(IpcpType::Local, "x".into())]);
    err("[local.x]\nbootstrap = \"l\"\nhash = \"sha3_256\"\n");
    // no bootstrap: the hash is never looked at
    ok("[local.x]\nhash = \"MD5\"\n");
}

#[test]
fn no_bootstrap_no_enrol_only_creates() {
    let calls = ok("[local.x]\nreg = [\"n\"]\nautobind = true\n");
    assert_eq!(calls, [Call::Create(IpcpType::Local, "x".into())]);
    // a non-string bootstrap counts as absent
    let calls = ok("[local.x]\nbootstrap = 3\n");
    assert_eq!(calls, [Call::Create(IpcpType::Local, "x".into())]);
}

#[test]
fn enrol_wins_over_bootstrap() {
    let calls = ok("[unicast.u]\nbootstrap = \"net\"\nenrol = \"peer\"\nconn = [\"p1\", \"p2\"]\n");
    assert_eq!(
        calls,
        [
            Call::Create(IpcpType::Unicast, "u".into()),
            Call::Enroll(100, "peer".into()),
            Call::Connect(100, "p1".into(), MGMT_COMP.into()),
            Call::Connect(100, "p1".into(), DT_COMP.into()),
            Call::Connect(100, "p2".into(), MGMT_COMP.into()),
            Call::Connect(100, "p2".into(), DT_COMP.into()),
        ]
    );
    // the type-specific keys are not read when enrolling
    ok("[eth-dix.e]\nenrol = \"peer\"\nethertype = 1\n");
}

#[test]
fn conn_only_when_enrolling() {
    let calls = ok("[unicast.u]\nbootstrap = \"net\"\nconn = [\"p1\"]\n");
    assert!(!calls.iter().any(|c| matches!(c, Call::Connect(..))));
}

#[test]
fn enrol_autobinds_to_the_joined_layer_then_registers() {
    let calls =
        ok("[unicast.u]\nenrol = \"peer\"\nautobind = true\nreg = [\"a\"]\nconn = [\"p\"]\n");
    let kinds: Vec<_> = calls
        .iter()
        .map(|c| match c {
            Call::BindProcess(_, n) => format!("bind:{n}"),
            Call::Reg(n, _) => format!("reg:{n}"),
            Call::Connect(_, d, c) => format!("conn:{d}:{c}"),
            Call::Create(..) => "create".into(),
            Call::Enroll(..) => "enroll".into(),
            Call::CreateName(i) => format!("name:{}", i.name),
            Call::Bootstrap(..) => "bootstrap".into(),
            Call::BindProgram(..) => "prog".into(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "create",
            "enroll",
            "bind:u",
            "bind:joined",
            "name:a",
            "reg:a",
            format!("conn:p:{MGMT_COMP}").as_str(),
            format!("conn:p:{DT_COMP}").as_str(),
        ]
    );
}

#[test]
fn autobind_presence_binds() {
    for v in ["true", "false"] {
        let calls = ok(&format!("[local.x]\nbootstrap = \"lay\"\nautobind = {v}\n"));
        assert_eq!(
            calls[2..],
            [
                Call::BindProcess(100, "x".into()),
                Call::BindProcess(100, "lay".into())
            ]
        );
    }
    // absent, or not a boolean: no binding
    for extra in ["", "autobind = \"yes\"\n", "autobind = 1\n"] {
        let calls = ok(&format!("[local.x]\nbootstrap = \"lay\"\n{extra}"));
        assert!(!calls.iter().any(|c| matches!(c, Call::BindProcess(..))));
    }
}

#[test]
fn reg_reuses_first_names_security_paths() {
    let calls = ok("[local.x]\nbootstrap = \"l\"\nreg = [\"first\", \"second\", 3, \"never\"]\n");
    let infos: Vec<_> = calls
        .iter()
        .filter_map(|c| match c {
            Call::CreateName(i) => Some(i.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(infos.len(), 2, "reading stops at the first non-string");
    let mut first = NameInfo::new("first", LB_SPILL);
    default_sec_paths(&mut first);
    assert_eq!(infos[0], first);
    assert!(infos[0].s.crt.contains("/first/"));
    assert_eq!(infos[1].name, "second");
    assert_eq!(infos[1].pol_lb, LB_SPILL);
    assert_eq!((&infos[1].s, &infos[1].c), (&first.s, &first.c));
    let regs: Vec<_> = calls
        .iter()
        .filter(|c| matches!(c, Call::Reg(..)))
        .cloned()
        .collect();
    assert_eq!(
        regs,
        [
            Call::Reg("first".into(), 100),
            Call::Reg("second".into(), 100)
        ]
    );
}

#[test]
fn reg_failure_aborts() {
    let mut r = Recorder {
        fail_reg: true,
        ..Default::default()
    };
    let doc =
        Table::parse("[local.x]\nbootstrap = \"l\"\nreg = [\"a\", \"b\"]\n[local.y]\n").unwrap();
    assert_eq!(load(&doc, &mut r), Err(()));
    assert_eq!(r.calls.last(), Some(&Call::Reg("a".into(), 100)));
}

#[test]
fn failures_of_operations_abort() {
    let doc = Table::parse("[local.x]\nbootstrap = \"l\"\n[name.n]\n").unwrap();
    let mut r = Recorder {
        fail_create: true,
        ..Default::default()
    };
    assert_eq!(load(&doc, &mut r), Err(()));
    assert_eq!(r.calls, [Call::Create(IpcpType::Local, "x".into())]);
    let mut r = Recorder {
        fail_bootstrap: true,
        ..Default::default()
    };
    assert_eq!(load(&doc, &mut r), Err(()));
    assert_eq!(r.calls.len(), 2);
}

#[test]
fn name_lengths() {
    let long = "x".repeat(256);
    let calls = err(&format!("[local.{long}]\n"));
    assert!(calls.is_empty());
    ok(&format!("[local.{}]\n", "x".repeat(255)));
    // a long layer name is refused after the IPCP was created
    let calls = err(&format!("[local.x]\nbootstrap = \"{long}\"\n"));
    assert_eq!(calls, [Call::Create(IpcpType::Local, "x".into())]);
    ok(&format!("[local.x]\nbootstrap = \"{}\"\n", "l".repeat(255)));
}

#[test]
fn ipcp_entry_must_be_a_table() {
    assert!(err("[local]\nx = 1\n").is_empty());
}

// ---- Ethernet ------------------------------------------------------------------

fn eth(text: &str) -> (String, u32) {
    match boot_conf(text).config {
        TypeConfig::Eth(e) => (e.dev, e.ethertype),
        c => panic!("not eth: {c:?}"),
    }
}

#[test]
fn eth_dix_ethertype() {
    let base = "[eth-dix.e]\nbootstrap = \"l\"\ndev = \"eth0\"\n";
    assert_eq!(eth(base), ("eth0".into(), 0xA000));
    assert_eq!(eth(&format!("{base}ethertype = 0x0600\n")).1, 0x0600);
    assert_eq!(eth(&format!("{base}ethertype = 0xFFFE\n")).1, 0xFFFE);
    // the field is 16 bits wide: the value wraps before the check
    assert_eq!(eth(&format!("{base}ethertype = 0x10600\n")).1, 0x0600);
    for bad in ["0x05FF", "0", "0xFFFF", "-1", "0x1FFFF"] {
        let calls = err(&format!("{base}ethertype = {bad}\n"));
        assert_eq!(calls.len(), 1, "{bad}");
    }
    // not an integer: the default stays
    assert_eq!(eth(&format!("{base}ethertype = \"0x0800\"\n")).1, 0xA000);
}

#[test]
fn eth_device_required() {
    for t in ["eth-dix", "eth-llc"] {
        let calls = err(&format!("[{t}.e]\nbootstrap = \"l\"\n"));
        assert_eq!(calls.len(), 1);
        err(&format!(
            "[{t}.e]\nbootstrap = \"l\"\ndev = \"{}\"\n",
            "d".repeat(256)
        ));
        let dev = "d".repeat(255);
        assert_eq!(
            eth(&format!("[{t}.e]\nbootstrap = \"l\"\ndev = \"{dev}\"\n")).0,
            dev
        );
    }
    // LLC has no Ethernet type to check
    assert_eq!(
        eth("[eth-llc.e]\nbootstrap = \"l\"\ndev = \"x\"\nethertype = 1\n"),
        ("x".into(), 0)
    );
}

// ---- UDP -----------------------------------------------------------------------

#[test]
fn udp4_keys() {
    let c = boot_conf("[udp4.u]\nbootstrap = \"l\"\nip = \"10.1.2.3\"\n");
    let TypeConfig::Udp4(u) = c.config else {
        panic!("not udp4")
    };
    assert_eq!(u.ip_addr, u32::from_ne_bytes([10, 1, 2, 3]));
    assert_eq!((u.port, u.dns_addr), (3435, 0));
    let c = boot_conf(
        "[udp4.u]\nbootstrap = \"l\"\nip = \"127.0.0.1\"\nport = 9000\ndns = \"192.168.0.1\"\n",
    );
    let TypeConfig::Udp4(u) = c.config else {
        panic!("not udp4")
    };
    assert_eq!(u.ip_addr, u32::from_ne_bytes([127, 0, 0, 1]));
    assert_eq!(u.port, 9000);
    assert_eq!(u.dns_addr, u32::from_ne_bytes([192, 168, 0, 1]));
    // an unparsable DNS address is silently left out
    let c = boot_conf("[udp4.u]\nbootstrap = \"l\"\nip = \"1.2.3.4\"\ndns = \"nope\"\n");
    let TypeConfig::Udp4(u) = c.config else {
        panic!("not udp4")
    };
    assert_eq!(u.dns_addr, 0);
    // 16-bit port
    let c = boot_conf("[udp4.u]\nbootstrap = \"l\"\nip = \"1.2.3.4\"\nport = 65537\n");
    let TypeConfig::Udp4(u) = c.config else {
        panic!("not udp4")
    };
    assert_eq!(u.port, 1);
    err("[udp4.u]\nbootstrap = \"l\"\n");
    for bad in ["1.2.3", "256.1.1.1", "::1", "host", "01.2.3.4"] {
        err(&format!("[udp4.u]\nbootstrap = \"l\"\nip = \"{bad}\"\n"));
    }
}

#[test]
fn udp6_addresses_not_stored() {
    let c = boot_conf("[udp6.u]\nbootstrap = \"l\"\nip = \"fe80::1\"\nport = 7\ndns = \"::1\"\n");
    let TypeConfig::Udp6(u) = c.config else {
        panic!("not udp6")
    };
    assert_eq!((u.ip_addr, u.dns_addr, u.port), ([0; 16], [0; 16], 7));
    err("[udp6.u]\nbootstrap = \"l\"\n");
    err("[udp6.u]\nbootstrap = \"l\"\nip = \"10.0.0.1\"\n");
    err("[udp6.u]\nbootstrap = \"l\"\nip = \"fe80::1::2\"\n");
}

// ---- unicast -------------------------------------------------------------------

#[test]
fn unicast_defaults() {
    assert_eq!(uni(""), UniConfig::default());
    let u = uni("");
    assert_eq!((u.dt.addr_size, u.dt.eid_size, u.dt.max_ttl), (4, 8, 60));
    assert_eq!(u.dt.routing.ls.pol, LS_SIMPLE);
    let ls = &u.dt.routing.ls;
    assert_eq!((ls.t_recalc, ls.t_update, ls.t_timeo), (4, 15, 60));
    let d = &u.dir.dht;
    assert_eq!(
        (d.alpha, d.k, d.t_expire, d.t_refresh, d.t_replicate),
        (3, 8, 86400, 900, 900)
    );
    assert_eq!(u.cong_avoid, CA_MB_ECN);
}

#[test]
fn unicast_every_key() {
    let u = uni(
        "addr_size = 2\neid_size = 4\nmax_ttl = 10\nrouting = \"ecmp\"\nls_t_recalc = 1\n\
         ls_t_update = 2\nls_t_timeo = 3\naddr-auth = \"flat\"\ncongestion = \"none\"\n\
         directory = \"dht\"\ndht_alpha = 10\ndht_k = 20\ndht_t_expire = 10\n\
         dht_t_refresh = 3600\ndht_t_replicate = 3\n",
    );
    assert_eq!((u.dt.addr_size, u.dt.eid_size, u.dt.max_ttl), (2, 4, 10));
    assert_eq!(u.dt.routing.ls.pol, LS_ECMP);
    let ls = &u.dt.routing.ls;
    assert_eq!((ls.t_recalc, ls.t_update, ls.t_timeo), (1, 2, 3));
    let d = &u.dir.dht;
    assert_eq!(
        (d.alpha, d.k, d.t_expire, d.t_refresh, d.t_replicate),
        (10, 20, 10, 3600, 3)
    );
    assert_eq!(u.cong_avoid, CA_NONE);
    assert_eq!(uni("routing = \"lfa\"\n").dt.routing.ls.pol, LS_LFA);
    assert_eq!(
        uni("routing = \"link-state\"\n").dt.routing.ls.pol,
        LS_SIMPLE
    );
    assert_eq!(uni("directory = \"DHT\"\n"), UniConfig::default());
    // one-byte fields wrap
    assert_eq!(uni("addr_size = 260\n").dt.addr_size, 4);
}

#[test]
fn unicast_congestion_names() {
    assert_eq!(uni("congestion = \"lfa\"\n").cong_avoid, CA_MB_ECN);
    assert_eq!(uni("congestion = \"none\"\n").cong_avoid, CA_NONE);
    assert!(uni_refused("congestion = \"mb-ecn\"\n"));
    assert!(uni_refused("congestion = \"\"\n"));
}

#[test]
fn unicast_ranges() {
    let limits = [
        ("dht_alpha", 1, 10),
        ("dht_k", 1, 20),
        ("dht_t_expire", 10, 86400),
        ("dht_t_refresh", 3, 3600),
        ("dht_t_replicate", 3, 3600),
    ];
    for (key, lo, hi) in limits {
        assert!(!uni_refused(&format!("{key} = {lo}\n")), "{key}");
        assert!(!uni_refused(&format!("{key} = {hi}\n")), "{key}");
        assert!(uni_refused(&format!("{key} = {}\n", lo - 1)), "{key}");
        assert!(uni_refused(&format!("{key} = {}\n", hi + 1)), "{key}");
    }
    for key in ["ls_t_recalc", "ls_t_update", "ls_t_timeo"] {
        assert!(uni_refused(&format!("{key} = 0\n")), "{key}");
        assert!(uni_refused(&format!("{key} = -5\n")), "{key}");
        assert!(!uni_refused(&format!("{key} = 1\n")), "{key}");
    }
    // the example file's spelling is not read
    assert_eq!(uni("dht_t_expiry = 1\n"), UniConfig::default());
}

#[test]
fn unicast_bad_policies() {
    assert!(uni_refused("routing = \"ospf\"\n"));
    assert!(uni_refused("addr-auth = \"random\"\n"));
    assert!(uni_refused("directory = \"chord\"\n"));
    assert!(uni_refused(&format!(
        "directory = \"{}\"\n",
        "d".repeat(257)
    )));
}

#[test]
fn broadcast_has_nothing() {
    let c = boot_conf("[broadcast.b]\nbootstrap = \"bc\"\nfoo = 1\n");
    assert_eq!(c.config, TypeConfig::None);
    assert_eq!(c.ipcp_type, IpcpType::Broadcast as u32);
    assert_eq!(c.layer.name, "bc");
}

// ---- names ---------------------------------------------------------------------

#[test]
fn name_lb_policies() {
    let lb = |text: &str| match &ok(text)[0] {
        Call::CreateName(i) => i.pol_lb,
        c => panic!("{c:?}"),
    };
    assert_eq!(lb("[name.n]\n"), LB_SPILL);
    assert_eq!(lb("[name.n]\nlb = \"spill\"\n"), LB_SPILL);
    assert_eq!(lb("[name.n]\nlb = \"round-robin\"\n"), LB_RR);
    assert_eq!(lb("[name.n]\nlb = 1\n"), LB_SPILL);
    assert!(err("[name.n]\nlb = \"spillover\"\n").is_empty());
    assert!(err(&format!("[name.{}]\n", "n".repeat(256))).is_empty());
    ok(&format!("[name.{}]\n", "n".repeat(255)));
    // paths are left for the IRMd's defaults
    assert_eq!(
        ok("[name.n]\n")[0],
        Call::CreateName(NameInfo::new("n", LB_SPILL))
    );
}

#[test]
fn name_programs_and_args() {
    let calls =
        ok("[name.srv]\nprog = [\"/bin/a\", \"/bin/b\", \"/bin/c\"]\nargs = [\"-l  -x\", \"\"]\n");
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        calls[1..],
        [
            Call::BindProgram(s(&["/bin/a", "-l", "-x"]), "srv".into(), BIND_AUTO),
            Call::BindProgram(s(&["/bin/b"]), "srv".into(), BIND_AUTO),
            Call::BindProgram(s(&["/bin/c"]), "srv".into(), 0),
        ]
    );
    // no args: no auto-start
    let calls = ok("[name.srv]\nprog = [\"/bin/a\"]\n");
    assert_eq!(calls[1], Call::BindProgram(s(&["/bin/a"]), "srv".into(), 0));
    // a non-string in args ends the arguments for it and all later ones
    let calls = ok("[name.srv]\nprog = [\"a\", \"b\", \"c\"]\nargs = [\"x\", 1, \"z\"]\n");
    let opts: Vec<_> = calls
        .iter()
        .filter_map(|c| match c {
            Call::BindProgram(_, _, o) => Some(*o),
            _ => None,
        })
        .collect();
    assert_eq!(opts, [BIND_AUTO, 0, 0]);
    // prog that is not an array: nothing bound
    assert_eq!(ok("[name.srv]\nprog = \"/bin/a\"\n").len(), 1);
}

#[test]
fn name_security_paths() {
    let dir = std::env::temp_dir().join(format!("o7s-cfg-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let file = dir.join("crt.pem");
    std::fs::write(&file, "x").unwrap();
    let indirect = format!("{}/sub/../crt.pem", dir.display());
    let real = std::fs::canonicalize(&file).unwrap().display().to_string();
    let keys = [
        "server_enc_file",
        "server_crt_file",
        "server_key_file",
        "client_enc_file",
        "client_crt_file",
        "client_key_file",
    ];
    for (i, key) in keys.iter().enumerate() {
        let info = name::info(
            &Table::parse(&format!("{key} = \"{indirect}\"\n")).unwrap(),
            "n",
        )
        .unwrap();
        let got = [
            &info.s.enc,
            &info.s.crt,
            &info.s.key,
            &info.c.enc,
            &info.c.crt,
            &info.c.key,
        ];
        for (j, g) in got.iter().enumerate() {
            assert_eq!(**g == real, i == j, "{key}");
            assert!(i == j || g.is_empty());
        }
        // a missing file aborts before the name is created
        let calls = err(&format!(
            "[name.n]\n{key} = \"{}/missing.pem\"\n",
            dir.display()
        ));
        assert!(calls.is_empty());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn argv_splits_on_spaces_only() {
    assert_eq!(name::argv("p", None), ["p"]);
    assert_eq!(name::argv("p", Some("")), ["p"]);
    assert_eq!(name::argv("p", Some(" a  b\tc ")), ["p", "a", "b\tc"]);
}

// ---- the file ------------------------------------------------------------------

#[test]
fn configure_reads_the_file() {
    let dir = std::env::temp_dir().join(format!("o7s-cfgfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("irmd.conf");
    std::fs::write(&path, "[name.n]\nlb = \"round-robin\"\n").unwrap();
    let mut r = Recorder::default();
    assert_eq!(configure(path.to_str().unwrap(), &mut r), Ok(()));
    assert_eq!(r.calls, [Call::CreateName(NameInfo::new("n", LB_RR))]);

    std::fs::write(&path, "[name.n\n").unwrap();
    let mut r = Recorder::default();
    assert_eq!(configure(path.to_str().unwrap(), &mut r), Err(()));
    assert!(r.calls.is_empty());

    std::fs::write(&path, b"[name.n]\nlb = \"\xff\"\n").unwrap();
    assert_eq!(configure(path.to_str().unwrap(), &mut r), Err(()));
    // a directory opens but cannot be read
    assert_eq!(configure(dir.to_str().unwrap(), &mut r), Err(()));
    let missing = dir.join("missing.conf");
    assert_eq!(configure(missing.to_str().unwrap(), &mut r), Err(()));
    assert!(r.calls.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

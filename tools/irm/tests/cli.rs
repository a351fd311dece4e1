//! Runs the `irm` binary for command lines that are decided before any
//! IRMd is contacted, and compares stdout, stderr and the exit status with
//! upstream's (usage texts from the specification's Appendix A).

use std::process::Command;

macro_rules! appendix {
    ($f:literal) => {
        include_str!(concat!("appendix_a/", $f, ".txt"))
    };
}

const IRM: &str = appendix!("a02_irm");
const IPCP: &str = appendix!("a03_ipcp");
const BIND: &str = appendix!("a04_bind");
const UNBIND: &str = appendix!("a05_unbind");
const NAME: &str = appendix!("a06_name");
const IPCP_CREATE: &str = appendix!("a07_ipcp_create");
const IPCP_BOOTSTRAP: &str = appendix!("a08_ipcp_bootstrap");
const IPCP_ENROLL: &str = appendix!("a09_ipcp_enroll");
const IPCP_CONNECT: &str = appendix!("a10_ipcp_connect");
const IPCP_DISCONNECT: &str = appendix!("a11_ipcp_disconnect");
const IPCP_DESTROY: &str = appendix!("a12_ipcp_destroy");
const IPCP_LIST: &str = appendix!("a13_ipcp_list");
const BIND_PROGRAM: &str = appendix!("a14_bind_program");
const BIND_PROCESS: &str = appendix!("a15_bind_process");
const BIND_IPCP: &str = appendix!("a16_bind_ipcp");
const UNBIND_PROGRAM: &str = appendix!("a17_unbind_program");
const UNBIND_PROCESS: &str = appendix!("a18_unbind_process");
const UNBIND_IPCP: &str = appendix!("a19_unbind_ipcp");
const NAME_CREATE: &str = appendix!("a20_name_create");
const NAME_DESTROY: &str = appendix!("a21_name_destroy");
const NAME_REGISTER: &str = appendix!("a22_name_register");
const NAME_UNREGISTER: &str = appendix!("a23_name_unregister");

/// Runs `irm <args>` and checks (stdout, stderr, status).
fn check(args: &[&str], stdout: &str, stderr: &str, status: i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_irm"))
        .args(args)
        .output()
        .expect("run irm");
    let got = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    );
    assert_eq!(
        got,
        (stdout.to_string(), stderr.to_string(), Some(status)),
        "irm {args:?}"
    );
}

fn usage(args: &[&str], text: &str) {
    check(args, text, "", 1);
}

#[test]
fn top_level() {
    check(&[], IRM, "", 255);
    check(&["help"], IRM, "", 0);
    check(&["h"], IRM, "", 0);
    check(&["foo"], "", "\"foo\" is unknown, try \"irm help\".\n", 1);
    check(
        &["helpx"],
        "",
        "\"helpx\" is unknown, try \"irm help\".\n",
        1,
    );
    // The empty word abbreviates the first operation, ipcp.
    check(&[""], IPCP, "", 1);
}

#[test]
fn second_level() {
    for (word, text) in [
        ("ipcp", IPCP),
        ("bind", BIND),
        ("unbind", UNBIND),
        ("name", NAME),
    ] {
        check(&[word], text, "", 1);
        check(&[word, "help"], text, "", 0);
        check(&[&word[..1], "h"], text, "", 0);
    }
    check(
        &["ipcp", "x"],
        "",
        "\"x\" is unknown, try \"irm ipcp help\".\n",
        1,
    );
    check(
        &["bind", "x"],
        "",
        "\"x\" is unknown, try \"irm bind help\".\n",
        1,
    );
    check(
        &["unbind", "x"],
        "",
        "\"x\" is unknown, try \"irm unbind help\".\n",
        1,
    );
    check(
        &["name", "x"],
        "",
        "\"x\" is unknown, try \"irm ipcp help\".\n",
        1,
    );
}

#[test]
fn ipcp_abbreviations_reach_their_usage() {
    usage(&["ipcp", "c"], IPCP_CREATE);
    usage(&["ipcp", "d"], IPCP_DESTROY);
    usage(&["ipcp", "b"], IPCP_BOOTSTRAP);
    usage(&["ipcp", "e"], IPCP_ENROLL);
    usage(&["ipcp", "con"], IPCP_CONNECT);
    usage(&["ipcp", "dis"], IPCP_DISCONNECT);
    usage(&["ipcp", "list", "type", "bogus"], IPCP_LIST);
}

#[test]
fn ipcp_create_errors() {
    usage(&["ipcp", "create", "name", "x"], IPCP_CREATE);
    usage(&["ipcp", "create", "type", "local"], IPCP_CREATE);
    usage(&["ipcp", "create", "type", "local", "name"], IPCP_CREATE);
    let unknown = format!("IPCP type \"loc\" is unknown.\n{IPCP_CREATE}");
    usage(&["ipcp", "create", "t", "loc", "n", "x"], &unknown);
    usage(
        &["ipcp", "create", "layer", "x"],
        "\"layer\" is unknown, try \"irm ipcp create\".\n",
    );
}

#[test]
fn ipcp_bootstrap_errors() {
    usage(&["ipcp", "bootstrap", "name", "x"], IPCP_BOOTSTRAP);
    usage(&["ipcp", "bootstrap", "layer", "x"], IPCP_BOOTSTRAP);
    usage(
        &["ipcp", "bootstrap", "name", "x", "if", "eth0"],
        "Unknown option: \"if\".\n",
    );
    usage(
        &["ipcp", "bootstrap", "h", "md5"],
        "Unknown parameter for h: \"md5\".\n",
    );
    usage(
        &["ipcp", "bootstrap", "addr_a", "random"],
        "Unknown parameter for addr_a: \"random\".\n",
    );
    usage(
        &["ipcp", "bootstrap", "directory", "dht"],
        "Unknown parameter for directory: \"dht\".\n",
    );
    usage(
        &["ipcp", "bootstrap", "congestion", "x"],
        "Unknown parameter for congestion: \"x\".\n",
    );
    let eth = "Invalid Ethertype: \"0x0500\".\nRecommended range: 0xA000-0xEFFF.\n";
    usage(&["ipcp", "bootstrap", "e", "0x0500", "name", "x"], eth);
    let eth = "Invalid Ethertype: \"FFFF\".\nRecommended range: 0xA000-0xEFFF.\n";
    usage(&["ipcp", "bootstrap", "ethertype", "FFFF"], eth);
}

#[test]
fn ipcp_other_errors() {
    usage(&["ipcp", "enroll", "name", "x"], IPCP_ENROLL);
    usage(&["ipcp", "enroll", "layer", "x"], IPCP_ENROLL);
    usage(
        &["ipcp", "enroll", "x"],
        "\"x\" is unknown, try \"irm enroll_ipcp\".\n",
    );
    usage(&["ipcp", "connect", "name", "x"], IPCP_CONNECT);
    usage(
        &["ipcp", "connect", "name", "x", "dst", "y", "component"],
        IPCP_CONNECT,
    );
    usage(
        &["ipcp", "connect", "x"],
        "\"x\" is unknown, try \"irm ipcp connect\".\n",
    );
    usage(&["ipcp", "disconnect", "dst", "y"], IPCP_DISCONNECT);
    usage(
        &["ipcp", "disconnect", "qos", "raw"],
        "\"qos\" is unknown, try \"irm ipcp connect\".\n",
    );
    usage(&["ipcp", "destroy"], IPCP_DESTROY);
    usage(&["ipcp", "destroy", "n"], IPCP_DESTROY);
    usage(
        &["ipcp", "destroy", "x"],
        "\"x\" is unknown, try \"irm ipcp destroy\".\n",
    );
    usage(
        &["ipcp", "list", "layer", "x"],
        "\"layer\" is unknown, try \"irm ipcp list\".\n",
    );
}

#[test]
fn bind_errors() {
    usage(&["bind", "program", "x"], BIND_PROGRAM);
    usage(&["bind", "pro", "x", "name"], BIND_PROGRAM);
    usage(
        &["bind", "program", "x", "name", "n", "bogus"],
        "\"bogus\" is unknown, try \"irm bind program\".\n",
    );
    usage(&["bind", "process"], BIND_PROCESS);
    usage(&["bind", "proc", "1"], BIND_PROCESS);
    usage(
        &["bind", "process", "1", "name", "n", "extra"],
        BIND_PROCESS,
    );
    usage(
        &["bind", "process", "abc", "name", "n"],
        "\"abc\" is not a valid process id.\n",
    );
    usage(
        &["bind", "process", "12x", "name", "n"],
        "\"12x\" is not a valid process id.\n",
    );
    usage(
        &["bind", "process", "1", "foo", "n"],
        "\"foo\" is unknown, try \"irm bind process\".\n",
    );
    usage(&["bind", "ipcp", "x"], BIND_IPCP);
    usage(
        &["bind", "i", "x", "nam", "y", "z"],
        "\"z\" is unknown, try \"irm bind ipcp\".\n",
    );
}

#[test]
fn unbind_errors() {
    usage(&["unbind", "program"], UNBIND_PROGRAM);
    usage(
        &["unbind", "program", "x", "foo", "y"],
        "\"foo\" is unknown, try \"irm unbind program\".\n",
    );
    usage(&["unbind", "process"], UNBIND_PROCESS);
    usage(&["unbind", "process", "-3", "name", "x"], UNBIND_PROCESS);
    usage(
        &["unbind", "process", "3", "foo", "x"],
        "\"foo\" is unknown, try \"irm unbind process\".\n",
    );
    // Without a name the library refuses before contacting the IRMd.
    usage(&["unbind", "program", "x"], "");
    usage(&["unbind", "process", "3"], "");
    usage(&["unbind", "ipcp", "x"], UNBIND_IPCP);
    usage(
        &["unbind", "ipcp", "x", "foo", "y"],
        "\"foo\" is unknown, try \"irm unbind ipcp\".\n",
    );
}

#[test]
fn name_errors() {
    usage(&["name", "create"], NAME_CREATE);
    usage(&["name", "create", "x", "lb", "random"], NAME_CREATE);
    usage(&["name", "create", "x", "lb"], NAME_CREATE);
    usage(
        &["name", "create", "x", "policy", "y"],
        "\"policy\" is unknown, try \"irm name create\".\n",
    );
    let long = "n".repeat(256);
    usage(
        &["name", "create", &long],
        &format!("Name too long.\n{NAME_CREATE}"),
    );
    let missing = "/nonexistent-o7s-irm/key.pem";
    let text = format!("Failed to check path {missing}: No such file or directory\n.{NAME_CREATE}");
    usage(&["name", "create", "x", "sk", missing], &text);
    usage(&["name", "destroy"], NAME_DESTROY);
    usage(
        &["name", "destroy", "a", "b"],
        "\"b\" is unknown, try \"irm name destroy\".\n",
    );
    usage(&["name", "register", "x"], NAME_REGISTER);
    usage(&["name", "reg"], NAME_REGISTER);
    usage(
        &["name", "register", "x", "foo", "y"],
        "\"foo\" is unknown, try \"irm name register\".\n",
    );
    usage(
        &["name", "register", &long, "layer", "l"],
        &format!("Name too long.\n{NAME_REGISTER}"),
    );
    usage(&["name", "unregister", "x"], NAME_UNREGISTER);
    // Values upstream dereferences without checking: usage instead of a crash.
    usage(
        &["name", "register", "x", "layer", "l", "ipcp"],
        NAME_REGISTER,
    );
    usage(&["name", "unregister", "x", "layer"], NAME_UNREGISTER);
    usage(
        &["ipcp", "enroll", "name", "x", "layer", "l", "type"],
        IPCP_ENROLL,
    );
    usage(
        &["ipcp", "bootstrap", "name", "x", "layer", "l", "hash"],
        IPCP_BOOTSTRAP,
    );
    usage(
        &["ipcp", "bootstrap", "name", "x", "layer", "l", "addr"],
        IPCP_BOOTSTRAP,
    );
    usage(
        &["ipcp", "bootstrap", "name", "x", "layer", "l", "ethertype"],
        IPCP_BOOTSTRAP,
    );
    usage(
        &["name", "u", "x", "foo", "y"],
        "\"foo\" is unknown, try \"irm unregister\".\n",
    );
    let many: Vec<&str> = ["name", "register", "x"]
        .into_iter()
        .chain((0..129).flat_map(|_| ["ipcp", "i"]))
        .collect();
    usage(&many, "Too many IPCPs specified.\n");
    let many: Vec<&str> = ["name", "unregister", "x"]
        .into_iter()
        .chain((0..129).flat_map(|_| ["l", "i"]))
        .collect();
    usage(&many, "Too many layers specified.\n");
    usage(
        &["name", "list", "foo"],
        "\"foo\" is unknown, try \"irm name list.\n",
    );
}

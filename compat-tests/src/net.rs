//! Joining private systems into a network: a veth link between two
//! systems' network namespaces, addresses on it, and the /etc/hosts
//! entries the UDP shims resolve names with (hex MD5 of the name).

use crate::System;
use ouroboros::hash::{hex, HashAlgo};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The interface names of one link: (this side, the other side).
pub struct Link {
    pub a: String,
    pub b: String,
}

fn ip_host(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("ip (iproute2)");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl System {
    /// A veth pair between this system and `other`, up, with `a_addr`
    /// and `b_addr` (CIDR, e.g. "10.98.0.1/24" or "fd98::1/64") on the
    /// two ends. It disappears with the systems' namespaces.
    pub fn link(&self, other: &System, a_addr: &str, b_addr: &str) -> Link {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let tag = format!("{}{n}", std::process::id() % 100_000);
        let link = Link {
            a: format!("o7a{tag}"),
            b: format!("o7b{tag}"),
        };
        ip_host(&[
            "link", "add", &link.a, "type", "veth", "peer", "name", &link.b,
        ]);
        ip_host(&["link", "set", &link.a, "netns", &self.init_pid.to_string()]);
        ip_host(&["link", "set", &link.b, "netns", &other.init_pid.to_string()]);
        for (sys, dev, addr) in [(self, &link.a, a_addr), (other, &link.b, b_addr)] {
            let mut add = vec!["ip", "addr", "add", addr, "dev", dev];
            if addr.contains(':') {
                add.push("nodad"); // usable at once
            }
            sys.run_ok(&add);
            sys.run_ok(&["ip", "link", "set", dev, "up"]);
        }
        link
    }

    /// Makes `names` resolve to `ip` inside this system the way the UDP
    /// shim looks them up: a private /etc/hosts with the hex MD5 of each.
    pub fn hosts(&self, entries: &[(&str, &str)]) {
        let mut text = String::from("127.0.0.1 localhost\n");
        for (ip, name) in entries {
            text += &format!("{ip} {}\n", hex(&HashAlgo::Md5.digest(name.as_bytes())));
        }
        std::fs::write(self.host_path("/tmp/hosts"), text).expect("hosts file");
        self.run_ok(&["mount", "--bind", "/tmp/hosts", "/etc/hosts"]);
    }
}

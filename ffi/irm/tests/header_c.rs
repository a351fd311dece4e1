//! What only a C compiler can tell about the headers: the offsets of
//! anonymous members (bindgen reports none) and the values of the
//! `static const` objects. A C program built against `include/` prints
//! them; the same lines are produced from the Rust twins in
//! `ouroboros::c_api` and must be equal.

use ouroboros::c_api::ipcp::{self, dir_config, ipcp_config, ls_config, routing_config};
use ouroboros::c_api::ipcp::{dir_dht_config, dt_config, uni_config};
use ouroboros::c_api::{qos, str_from_array};
use std::mem::offset_of;
use std::path::Path;
use std::process::Command;

const PROGRAM: &str = r#"
#include <ouroboros/ipcp.h>
#include <ouroboros/qos.h>
#include <stddef.h>
#include <stdio.h>

#define OFF(t, m) printf("offsetof %s.%s %zu\n", #t, #m, offsetof(struct t, m))

static void u(const char * o, const char * f, unsigned long long v)
{
        printf("%s.%s %llu\n", o, f, v);
}

static void qos(const char * o, const qosspec_t * q)
{
        u(o, "delay", q->delay);
        u(o, "bandwidth", q->bandwidth);
        u(o, "availability", q->availability);
        u(o, "loss", q->loss);
        u(o, "ber", q->ber);
        u(o, "in_order", q->in_order);
        u(o, "max_gap", q->max_gap);
        u(o, "timeout", q->timeout);
}

static void ls(const char * o, const struct ls_config * l)
{
        u(o, "ls.pol", l->pol);
        u(o, "ls.t_recalc", (unsigned long long) l->t_recalc);
        u(o, "ls.t_update", (unsigned long long) l->t_update);
        u(o, "ls.t_timeo", (unsigned long long) l->t_timeo);
}

static void routing(const char * o, const struct routing_config * r)
{
        u(o, "routing.pol", r->pol);
        ls(o, &r->ls);
}

static void dt(const char * o, const struct dt_config * d)
{
        u(o, "dt.addr_size", d->addr_size);
        u(o, "dt.eid_size", d->eid_size);
        u(o, "dt.max_ttl", d->max_ttl);
        routing(o, &d->routing);
}

static void dht(const char * o, const struct dir_dht_config * d)
{
        u(o, "dht.alpha", d->params.alpha);
        u(o, "dht.k", d->params.k);
        u(o, "dht.t_expire", d->params.t_expire);
        u(o, "dht.t_refresh", d->params.t_refresh);
        u(o, "dht.t_replicate", d->params.t_replicate);
        u(o, "dht.peer", d->peer);
}

static void dir(const char * o, const struct dir_config * d)
{
        u(o, "dir.pol", d->pol);
        dht(o, &d->dht);
}

static void uni(const char * o, const struct uni_config * c)
{
        dt(o, &c->dt);
        dir(o, &c->dir);
        u(o, "addr_auth_type", c->addr_auth_type);
        u(o, "cong_avoid", c->cong_avoid);
}

static void conf(const char * o, const struct ipcp_config * c)
{
        size_t i;

        printf("%s.layer_info.name \"%s\"\n", o, c->layer_info.name);
        u(o, "layer_info.dir_hash_algo", c->layer_info.dir_hash_algo);
        u(o, "type", c->type);
        switch (c->type) {
        case IPCP_UNICAST:
                uni(o, &c->unicast);
                break;
        case IPCP_ETH_LLC:
        case IPCP_ETH_DIX:
                printf("%s.eth.dev \"%s\"\n", o, c->eth.dev);
                u(o, "eth.ethertype", c->eth.ethertype);
                break;
        case IPCP_UDP4:
                u(o, "udp4.ip_addr", c->udp4.ip_addr.s_addr);
                u(o, "udp4.dns_addr", c->udp4.dns_addr.s_addr);
                u(o, "udp4.port", c->udp4.port);
                break;
        case IPCP_UDP6:
                printf("%s.udp6.ip_addr ", o);
                for (i = 0; i < 16; ++i)
                        printf("%02x", c->udp6.ip_addr.s6_addr[i]);
                printf("\n%s.udp6.dns_addr ", o);
                for (i = 0; i < 16; ++i)
                        printf("%02x", c->udp6.dns_addr.s6_addr[i]);
                printf("\n");
                u(o, "udp6.port", c->udp6.port);
                break;
        default:
                break;
        }
}

int main(void)
{
        OFF(routing_config, ls);
        OFF(dt_config, addr_size);
        OFF(dt_config, eid_size);
        OFF(dt_config, max_ttl);
        OFF(dir_config, dht);
        OFF(ipcp_config, unicast);
        OFF(ipcp_config, udp4);
        OFF(ipcp_config, udp6);
        OFF(ipcp_config, eth);

        qos("qos_raw", &qos_raw);
        qos("qos_raw_no_errors", &qos_raw_no_errors);
        qos("qos_best_effort", &qos_best_effort);
        qos("qos_video", &qos_video);
        qos("qos_voice", &qos_voice);
        qos("qos_data", &qos_data);
        ls("default_ls_config", &default_ls_config);
        routing("default_routing_config", &default_routing_config);
        dt("default_dt_config", &default_dt_config);
        dht("default_dht_config", &default_dht_config);
        dir("default_dir_config", &default_dir_config);
        uni("default_uni_config", &default_uni_config);
        conf("local_default_conf", &local_default_conf);
        conf("eth_dix_default_conf", &eth_dix_default_conf);
        conf("eth_llc_default_conf", &eth_llc_default_conf);
        conf("udp4_default_conf", &udp4_default_conf);
        conf("udp6_default_conf", &udp6_default_conf);
        conf("uni_default_conf", &uni_default_conf);
        conf("bc_default_conf", &bc_default_conf);

        return 0;
}
"#;

/// The same lines, from the twins.
#[derive(Default)]
struct Lines(Vec<String>);

impl Lines {
    fn u(&mut self, o: &str, f: &str, v: impl Into<u64>) {
        self.0.push(format!("{o}.{f} {}", v.into()));
    }

    fn qos(&mut self, o: &str, q: &qos::qosspec_t) {
        self.u(o, "delay", q.delay);
        self.u(o, "bandwidth", q.bandwidth);
        self.u(o, "availability", q.availability);
        self.u(o, "loss", q.loss);
        self.u(o, "ber", q.ber);
        self.u(o, "in_order", q.in_order);
        self.u(o, "max_gap", q.max_gap);
        self.u(o, "timeout", q.timeout);
    }

    fn ls(&mut self, o: &str, l: &ls_config) {
        self.u(o, "ls.pol", l.pol);
        // C casts time_t to unsigned long long: the same bits
        self.u(o, "ls.t_recalc", l.t_recalc as u64);
        self.u(o, "ls.t_update", l.t_update as u64);
        self.u(o, "ls.t_timeo", l.t_timeo as u64);
    }

    fn routing(&mut self, o: &str, r: &routing_config) {
        self.u(o, "routing.pol", r.pol);
        self.ls(o, &r.ls);
    }

    fn dt(&mut self, o: &str, d: &dt_config) {
        self.u(o, "dt.addr_size", d.addr_size);
        self.u(o, "dt.eid_size", d.eid_size);
        self.u(o, "dt.max_ttl", d.max_ttl);
        self.routing(o, &d.routing);
    }

    fn dht(&mut self, o: &str, d: &dir_dht_config) {
        self.u(o, "dht.alpha", d.params.alpha);
        self.u(o, "dht.k", d.params.k);
        self.u(o, "dht.t_expire", d.params.t_expire);
        self.u(o, "dht.t_refresh", d.params.t_refresh);
        self.u(o, "dht.t_replicate", d.params.t_replicate);
        self.u(o, "dht.peer", d.peer);
    }

    fn dir(&mut self, o: &str, d: &dir_config) {
        self.u(o, "dir.pol", d.pol);
        self.dht(o, &d.dht);
    }

    fn uni(&mut self, o: &str, c: &uni_config) {
        self.dt(o, &c.dt);
        self.dir(o, &c.dir);
        self.u(o, "addr_auth_type", c.addr_auth_type);
        self.u(o, "cong_avoid", c.cong_avoid);
    }

    fn conf(&mut self, o: &str, c: &ipcp_config) {
        let name = str_from_array(&c.layer_info.name).expect("utf-8");
        self.0.push(format!("{o}.layer_info.name \"{name}\""));
        self.u(o, "layer_info.dir_hash_algo", c.layer_info.dir_hash_algo);
        self.u(o, "type", c.type_);
        match c.type_ {
            ipcp::IPCP_UNICAST => self.uni(o, &c.unicast()),
            ipcp::IPCP_ETH_LLC | ipcp::IPCP_ETH_DIX => {
                let e = c.eth();
                let dev = str_from_array(&e.dev).expect("utf-8");
                self.0.push(format!("{o}.eth.dev \"{dev}\""));
                self.u(o, "eth.ethertype", e.ethertype);
            }
            ipcp::IPCP_UDP4 => {
                let u = c.udp4();
                self.u(o, "udp4.ip_addr", u.ip_addr.s_addr);
                self.u(o, "udp4.dns_addr", u.dns_addr.s_addr);
                self.u(o, "udp4.port", u.port);
            }
            ipcp::IPCP_UDP6 => {
                let u = c.udp6();
                let hex = |a: &[u8; 16]| a.iter().map(|b| format!("{b:02x}")).collect::<String>();
                self.0
                    .push(format!("{o}.udp6.ip_addr {}", hex(&u.ip_addr.s6_addr)));
                self.0
                    .push(format!("{o}.udp6.dns_addr {}", hex(&u.dns_addr.s6_addr)));
                self.u(o, "udp6.port", u.port);
            }
            _ => {}
        }
    }
}

fn twin_lines() -> Vec<String> {
    let mut l = Lines::default();
    let union = offset_of!(ipcp_config, u);
    for (what, off) in [
        ("routing_config.ls", offset_of!(routing_config, ls)),
        ("dt_config.addr_size", offset_of!(dt_config, addr_size)),
        ("dt_config.eid_size", offset_of!(dt_config, eid_size)),
        ("dt_config.max_ttl", offset_of!(dt_config, max_ttl)),
        ("dir_config.dht", offset_of!(dir_config, dht)),
        // the union's members all start at its start
        ("ipcp_config.unicast", union),
        ("ipcp_config.udp4", union),
        ("ipcp_config.udp6", union),
        ("ipcp_config.eth", union),
    ] {
        l.0.push(format!("offsetof {what} {off}"));
    }
    l.qos("qos_raw", &qos::qos_raw);
    l.qos("qos_raw_no_errors", &qos::qos_raw_no_errors);
    l.qos("qos_best_effort", &qos::qos_best_effort);
    l.qos("qos_video", &qos::qos_video);
    l.qos("qos_voice", &qos::qos_voice);
    l.qos("qos_data", &qos::qos_data);
    l.ls("default_ls_config", &ipcp::default_ls_config);
    l.routing("default_routing_config", &ipcp::default_routing_config);
    l.dt("default_dt_config", &ipcp::default_dt_config);
    l.dht("default_dht_config", &ipcp::default_dht_config);
    l.dir("default_dir_config", &ipcp::default_dir_config);
    l.uni("default_uni_config", &ipcp::default_uni_config);
    l.conf("local_default_conf", &ipcp::local_default_conf);
    l.conf("eth_dix_default_conf", &ipcp::eth_dix_default_conf);
    l.conf("eth_llc_default_conf", &ipcp::eth_llc_default_conf);
    l.conf("udp4_default_conf", &ipcp::udp4_default_conf);
    l.conf("udp6_default_conf", &ipcp::udp6_default_conf);
    l.conf("uni_default_conf", &ipcp::uni_default_conf);
    l.conf("bc_default_conf", &ipcp::bc_default_conf);
    l.0
}

/// Builds and runs `PROGRAM` against the headers in `include`.
fn c_lines(include: &Path) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("o7s-header-c-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let src = dir.join("objects.c");
    let exe = dir.join("objects");
    std::fs::write(&src, PROGRAM).expect("write C source");
    let cc = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror"])
        .arg(format!("-I{}", include.display()))
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("running cc");
    assert!(
        cc.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let run = Command::new(&exe).output().expect("running the C program");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(run.status.success());
    String::from_utf8(run.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn anonymous_members_and_static_objects_match_the_twins() {
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../include");
    let c = c_lines(&include);
    let rust = twin_lines();
    assert!(c.len() > 150, "too little output: {c:?}");
    for (i, (a, b)) in c.iter().zip(&rust).enumerate() {
        assert_eq!(a, b, "line {i}: header (left) and twin (right) differ");
    }
    assert_eq!(c.len(), rust.len(), "different number of lines");
}

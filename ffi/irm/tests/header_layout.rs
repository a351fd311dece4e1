//! The public headers and their Rust twins in `ouroboros::c_api` agree:
//! bindgen parses `include/ouroboros/*.h` and every struct's size,
//! alignment and field offsets, every enumerator, macro constant, enum
//! type and `static const` object name it reports must be present, with the
//! same value, on the Rust side, and nothing more. (bindgen reports no
//! offsets for anonymous members; tests/header_c.rs checks those.)
//!
//! Needs libclang at run time (Debian: libclang-dev).

use ouroboros::c_api::{cep, fccntl, fqueue, ipcp, irm, name, proto, qos, version};
use ouroboros::errno;
use std::collections::{BTreeMap, BTreeSet};
use std::mem::{align_of, offset_of, size_of};
use std::path::{Path, PathBuf};

const HEADERS: [&str; 12] = [
    "cdefs", "cep", "dev", "errno", "fccntl", "fqueue", "ipcp", "irm", "name", "proto", "qos",
    "version",
];

#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Int(i128),
    Str(String),
}

/// What one side says about the headers: facts by label.
#[derive(Debug, Default)]
struct Facts {
    /// "Size of T", "Alignment of T", "Offset of field: T::f" (bindgen's
    /// labels and names, anonymous members included).
    layout: BTreeMap<String, u64>,
    /// Macro constants and enumerators by name; enum types as "enum T".
    consts: BTreeMap<String, Value>,
    /// Names of the `static const` objects.
    statics: BTreeSet<String>,
}

fn our_include() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../include")
}

/// Runs bindgen over all twelve headers in `include`.
fn bindgen_facts(include: &Path) -> Facts {
    let src: String = HEADERS
        .iter()
        .map(|h| format!("#include <ouroboros/{h}.h>\n"))
        .collect();
    let bindings = bindgen::Builder::default()
        .header_contents("all-headers.h", &src)
        .clang_arg(format!("-I{}", include.display()))
        .allowlist_file(".*/ouroboros/[a-z]+\\.h")
        .allowlist_recursively(false)
        .prepend_enum_name(false)
        .layout_tests(true)
        .generate()
        .expect("bindgen could not parse the headers (is libclang installed?)");
    parse_facts(&bindings.to_string())
}

/// Extracts the facts from bindgen's Rust output.
fn parse_facts(code: &str) -> Facts {
    let file = syn::parse_file(code).expect("bindgen output parses");
    let mut facts = Facts::default();
    for item in file.items {
        match item {
            syn::Item::Const(c) if c.ident == "_" => {
                let syn::Expr::Block(b) = *c.expr else {
                    continue;
                };
                for stmt in b.block.stmts {
                    if let syn::Stmt::Expr(syn::Expr::Index(i), _) = stmt {
                        if let (Some(label), Some(n)) =
                            (layout_label(&i.expr), subtrahend(&i.index))
                        {
                            facts.layout.insert(label, n);
                        }
                    }
                }
            }
            syn::Item::Const(c) => {
                if let Some(v) = const_value(&c.expr) {
                    facts.consts.insert(c.ident.to_string(), v);
                }
            }
            syn::Item::Type(t) => {
                if let syn::Type::Path(p) = &*t.ty {
                    let last = p.path.segments.last().map(|s| s.ident.to_string());
                    if let Some(kind @ ("c_uint" | "c_int")) = last.as_deref() {
                        facts
                            .consts
                            .insert(format!("enum {}", t.ident), Value::Str(kind.into()));
                    }
                }
            }
            syn::Item::ForeignMod(m) => {
                for fi in m.items {
                    if let syn::ForeignItem::Static(s) = fi {
                        facts.statics.insert(s.ident.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    facts
}

/// `["label"]` of a layout assertion.
fn layout_label(e: &syn::Expr) -> Option<String> {
    let syn::Expr::Array(a) = e else { return None };
    match a.elems.first()? {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// `N` of `[expr - Nusize]`.
fn subtrahend(e: &syn::Expr) -> Option<u64> {
    let syn::Expr::Binary(b) = e else { return None };
    match (&b.op, &*b.right) {
        (
            syn::BinOp::Sub(_),
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(n),
                ..
            }),
        ) => n.base10_parse().ok(),
        _ => None,
    }
}

fn const_value(e: &syn::Expr) -> Option<Value> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(n),
            ..
        }) => Some(Value::Int(n.base10_parse().ok()?)),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::ByteStr(s),
            ..
        }) => {
            let mut v = s.value();
            if v.last() == Some(&0) {
                v.pop();
            }
            Some(Value::Str(String::from_utf8(v).ok()?))
        }
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => match const_value(expr)? {
            Value::Int(n) => Some(Value::Int(-n)),
            Value::Str(_) => None,
        },
        _ => None,
    }
}

/// Records a type's size and alignment and its fields' offsets, labelled
/// like bindgen: `layout!(facts, "c_name" = RustType { same, c_name: rust_name })`.
macro_rules! layout {
    ($f:expr, $c:literal = $t:ty { $($cf:ident $(: $rf:ident)?),* $(,)? }) => {{
        $f.layout.insert(format!("Size of {}", $c), size_of::<$t>() as u64);
        $f.layout.insert(format!("Alignment of {}", $c), align_of::<$t>() as u64);
        $( layout!(@offset $f, $c, $t, $cf $(: $rf)?); )*
    }};
    (@offset $f:expr, $c:literal, $t:ty, $cf:ident : $rf:ident) => {
        $f.layout.insert(
            format!("Offset of field: {}::{}", $c, stringify!($cf)),
            offset_of!($t, $rf) as u64,
        );
    };
    (@offset $f:expr, $c:literal, $t:ty, $cf:ident) => {
        layout!(@offset $f, $c, $t, $cf: $cf)
    };
}

/// Integer or string constants by their Rust names (the C names).
macro_rules! consts {
    ($f:expr, $m:ident { $($n:ident),* $(,)? }) => {
        $( $f.consts.insert(stringify!($n).to_string(), $m::$n.value()); )*
    };
}

/// Enum types: the C enum is unsigned int, so the twin alias must be u32.
macro_rules! enums {
    ($f:expr, $m:ident { $($n:ident),* $(,)? }) => {
        $(
            let kind = if std::any::type_name::<$m::$n>() == "u32" { "c_uint" } else { "?" };
            $f.consts.insert(format!("enum {}", stringify!($n)), Value::Str(kind.into()));
        )*
    };
}

trait ConstValue {
    fn value(self) -> Value;
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl ConstValue for $t {
            fn value(self) -> Value {
                Value::Int(i128::try_from(self).expect("fits"))
            }
        }
    )*};
}
int_value!(u16, u32, i32, usize);

impl ConstValue for &str {
    fn value(self) -> Value {
        Value::Str(self.to_string())
    }
}

/// What the Rust twins say.
fn twin_facts() -> Facts {
    let mut f = Facts::default();

    layout!(f, "proto_field" = proto::proto_field { fid, len });
    layout!(
        f,
        "conn_info" = cep::conn_info {
            comp_name,
            protocol,
            pref_version,
            pref_syntax,
            fixed_conc_syntax,
            num_fields,
            addr,
        }
    );
    layout!(
        f,
        "qos_spec" = qos::qos_spec {
            delay,
            bandwidth,
            availability,
            loss,
            ber,
            in_order,
            max_gap,
            timeout,
        }
    );
    layout!(f, "name_sec_paths" = name::name_sec_paths { enc, key, crt });
    layout!(f, "name_info" = name::name_info { name, pol_lb, s, c });
    layout!(
        f,
        "ipcp_info" = ipcp::ipcp_info {
            type_,
            pid,
            name,
            state
        }
    );
    layout!(
        f,
        "ls_config" = ipcp::ls_config {
            pol,
            t_recalc,
            t_update,
            t_timeo
        }
    );
    // routing_config: its anonymous union of one member is that member
    layout!(f, "routing_config" = ipcp::routing_config { pol });
    layout!(f, "routing_config__bindgen_ty_1" = ipcp::ls_config {});
    f.layout.insert(
        "Offset of field: routing_config__bindgen_ty_1::ls".into(),
        0,
    );
    // dt_config: its anonymous struct is flattened into the first fields
    layout!(f, "dt_config" = ipcp::dt_config { routing });
    let base = offset_of!(ipcp::dt_config, addr_size);
    let end = offset_of!(ipcp::dt_config, max_ttl) + size_of::<u8>();
    for (field, off) in [
        ("addr_size", offset_of!(ipcp::dt_config, addr_size)),
        ("eid_size", offset_of!(ipcp::dt_config, eid_size)),
        ("max_ttl", offset_of!(ipcp::dt_config, max_ttl)),
    ] {
        let label = format!("Offset of field: dt_config__bindgen_ty_1::{field}");
        f.layout.insert(label, (off - base) as u64);
    }
    f.layout.insert(
        "Size of dt_config__bindgen_ty_1".into(),
        (end - base) as u64,
    );
    f.layout.insert(
        "Alignment of dt_config__bindgen_ty_1".into(),
        align_of::<u8>() as u64,
    );
    layout!(
        f,
        "dir_dht_config__bindgen_ty_1" = ipcp::dir_dht_params {
            alpha,
            k,
            t_expire,
            t_refresh,
            t_replicate,
        }
    );
    layout!(f, "dir_dht_config" = ipcp::dir_dht_config { params, peer });
    // dir_config: like routing_config
    layout!(f, "dir_config" = ipcp::dir_config { pol });
    layout!(f, "dir_config__bindgen_ty_1" = ipcp::dir_dht_config {});
    f.layout
        .insert("Offset of field: dir_config__bindgen_ty_1::dht".into(), 0);
    layout!(
        f,
        "uni_config" = ipcp::uni_config {
            dt,
            dir,
            addr_auth_type,
            cong_avoid
        }
    );
    layout!(f, "eth_config" = ipcp::eth_config { dev, ethertype });
    layout!(
        f,
        "udp4_config" = ipcp::udp4_config {
            ip_addr,
            dns_addr,
            port
        }
    );
    layout!(
        f,
        "udp6_config" = ipcp::udp6_config {
            ip_addr,
            dns_addr,
            port
        }
    );
    layout!(
        f,
        "layer_info" = ipcp::layer_info {
            name,
            dir_hash_algo
        }
    );
    layout!(f, "ipcp_config" = ipcp::ipcp_config { layer_info, type_ });
    // the union's `zero` member is ours, not the header's
    layout!(
        f,
        "ipcp_config__bindgen_ty_1" = ipcp::ipcp_config_union {
            unicast,
            udp4,
            udp6,
            eth
        }
    );
    layout!(
        f,
        "ipcp_list_info" = irm::ipcp_list_info {
            pid,
            type_,
            name,
            layer
        }
    );

    consts!(
        f,
        proto {
            PROTO_FIELD_ABSENT,
            PROTO_FIELD_VARIABLE,
            PROTO_MAX_FIELDS
        }
    );
    consts!(
        f,
        proto {
            PROTO_GPB,
            PROTO_ASN_1,
            PROTO_FIXED
        }
    );
    consts!(f, cep { OCEP_BUF_STRLEN });
    consts!(
        f,
        qos {
            DEFAULT_PEER_TIMEOUT
        }
    );
    consts!(
        f,
        errno {
            ENOTALLOC,
            EIPCPTYPE,
            EIRMD,
            EIPCP,
            EIPCPSTATE,
            EFLOWDOWN,
            EFLOWPEER,
            ENAME,
            ECRYPT,
            EAUTH,
        }
    );
    consts!(
        f,
        fccntl {
            FLOWFRDONLY,
            FLOWFWRONLY,
            FLOWFRDWR,
            FLOWFACCMODE,
            FLOWFDOWN,
            FLOWFRNOBLOCK,
            FLOWFWNOBLOCK,
            FLOWFNONBLOCK,
            FLOWFRNOPART,
            FLOWFWNOPART,
            FLOWFDEFAULT,
            FLOWFINVALID,
            FRCTFRTX,
            FRCTFRESCNTL,
            FRCTFLINGER,
            FLOWSRCVTIMEO,
            FLOWGRCVTIMEO,
            FLOWSSNDTIMEO,
            FLOWGSNDTIMEO,
            FLOWGQOSSPEC,
            FLOWSFLAGS,
            FLOWGFLAGS,
            FLOWGRXQLEN,
            FLOWGTXQLEN,
            FRCTSFLAGS,
            FRCTGFLAGS,
        }
    );
    consts!(
        f,
        fqueue {
            FLOW_PKT,
            FLOW_DOWN,
            FLOW_UP,
            FLOW_ALLOC,
            FLOW_DEALLOC,
            FLOW_PEER
        }
    );
    consts!(
        f,
        ipcp {
            IPCP_NAME_SIZE,
            LAYER_NAME_SIZE,
            DEV_NAME_SIZE,
            DT_COMP,
            MGMT_COMP,
            IPCP_NULL,
            IPCP_INIT,
            IPCP_BOOT,
            IPCP_BOOTSTRAPPED,
            IPCP_ENROLLED,
            IPCP_OPERATIONAL,
            IPCP_SHUTDOWN,
            IPCP_LOCAL,
            IPCP_UNICAST,
            IPCP_BROADCAST,
            IPCP_ETH_LLC,
            IPCP_ETH_DIX,
            IPCP_UDP4,
            IPCP_UDP6,
            IPCP_INVALID,
            ADDR_AUTH_FLAT_RANDOM,
            ADDR_AUTH_INVALID,
            LS_SIMPLE,
            LS_LFA,
            LS_ECMP,
            LS_INVALID,
            ROUTING_LINK_STATE,
            ROUTING_INVALID,
            CA_NONE,
            CA_MB_ECN,
            CA_INVALID,
            DIR_DHT,
            DIR_INVALID,
            DIR_HASH_SHA3_224,
            DIR_HASH_SHA3_256,
            DIR_HASH_SHA3_384,
            DIR_HASH_SHA3_512,
            DIR_HASH_INVALID,
            DHT_ALPHA_MIN,
            DHT_K_MIN,
            DHT_T_EXPIRE_MIN,
            DHT_T_REFRESH_MIN,
            DHT_T_REPLICATE_MIN,
            DHT_ALPHA_MAX,
            DHT_K_MAX,
            DHT_T_EXPIRE_MAX,
            DHT_T_REFRESH_MAX,
            DHT_T_REPLICATE_MAX,
        }
    );
    consts!(
        f,
        name {
            NAME_SIZE,
            NAME_PATH_SIZE,
            BIND_AUTO,
            LB_RR,
            LB_SPILL,
            LB_INVALID
        }
    );
    consts!(
        f,
        version {
            OUROBOROS_VERSION_MAJOR,
            OUROBOROS_VERSION_MINOR,
            OUROBOROS_VERSION_PATCH,
            OUROBOROS_VERSION_STRING,
        }
    );

    enums!(
        f,
        proto {
            proto_concrete_syntax
        }
    );
    enums!(f, fqueue { fqtype });
    enums!(f, name { pol_balance });
    enums!(
        f,
        ipcp {
            ipcp_state,
            ipcp_type,
            pol_addr_auth,
            pol_link_state,
            pol_routing,
            pol_cong_avoid,
            pol_dir,
            pol_dir_hash,
            dir_dht_config_limits,
        }
    );

    // the header's static const objects have twins of the same names
    for s in [
        "qos_raw",
        "qos_raw_no_errors",
        "qos_best_effort",
        "qos_video",
        "qos_voice",
        "qos_data",
        "default_ls_config",
        "default_routing_config",
        "default_dt_config",
        "default_dht_config",
        "default_dir_config",
        "default_uni_config",
        "local_default_conf",
        "eth_dix_default_conf",
        "eth_llc_default_conf",
        "udp4_default_conf",
        "udp6_default_conf",
        "uni_default_conf",
        "bc_default_conf",
    ] {
        f.statics.insert(s.to_string());
    }
    f
}

/// Every disagreement between the headers' facts and the twins'.
fn differences(headers: &Facts, twins: &Facts) -> Vec<String> {
    fn diff<V: PartialEq + std::fmt::Debug>(
        what: &str,
        h: &BTreeMap<String, V>,
        t: &BTreeMap<String, V>,
        out: &mut Vec<String>,
    ) {
        for (k, v) in h {
            match t.get(k) {
                None => out.push(format!("{what} {k}: {v:?} in the headers, no twin")),
                Some(w) if w != v => out.push(format!("{what} {k}: headers {v:?}, twin {w:?}")),
                Some(_) => {}
            }
        }
        for k in t.keys().filter(|k| !h.contains_key(*k)) {
            out.push(format!("{what} {k}: twin only, not in the headers"));
        }
    }
    let mut out = Vec::new();
    diff("layout", &headers.layout, &twins.layout, &mut out);
    diff("constant", &headers.consts, &twins.consts, &mut out);
    for s in headers.statics.symmetric_difference(&twins.statics) {
        out.push(format!("static object {s}: only on one side"));
    }
    out
}

#[test]
fn twins_match_the_headers() {
    let headers = bindgen_facts(&our_include());
    assert!(
        headers.layout.len() > 100,
        "too few layout facts: {:?}",
        headers.layout
    );
    assert!(
        headers.consts.len() > 100,
        "too few constants: {:?}",
        headers.consts
    );
    let diffs = differences(&headers, &twin_facts());
    assert!(
        diffs.is_empty(),
        "headers and c_api twins differ:\n{}",
        diffs.join("\n")
    );
}

/// With an upstream install (`UPSTREAM_PREFIX`), its headers give the
/// same facts as ours.
#[test]
fn headers_match_upstream_when_installed() {
    let Some(prefix) = std::env::var_os("UPSTREAM_PREFIX")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
    else {
        eprintln!("UPSTREAM_PREFIX not set: skipped");
        return;
    };
    let include = prefix.join("include");
    assert!(
        include.join("ouroboros/irm.h").exists(),
        "no upstream headers under {}",
        include.display()
    );
    let diffs = differences(&bindgen_facts(&include), &bindgen_facts(&our_include()));
    assert!(
        diffs.is_empty(),
        "our headers differ from upstream's:\n{}",
        diffs.join("\n")
    );
}

/// A wrong twin is caught: fields swapped, a field missing, a value off.
#[test]
fn a_wrong_twin_is_caught() {
    #[repr(C)]
    struct QosWrong {
        delay: u32,
        bandwidth: u64,
        availability: u8,
        ber: u32,
        loss: u32,
        in_order: u8,
        max_gap: u32,
        timeout: u32,
    }
    let headers = bindgen_facts(&our_include());
    let mut twins = twin_facts();
    layout!(
        twins,
        "qos_spec" = QosWrong {
            delay,
            bandwidth,
            availability,
            loss,
            ber,
            in_order,
            max_gap,
            timeout,
        }
    );
    twins.layout.remove("Offset of field: name_info::c");
    twins.consts.insert("IPCP_UDP6".into(), Value::Int(7));
    twins
        .consts
        .insert("enum ipcp_type".into(), Value::Str("c_int".into()));
    twins.statics.remove("qos_data");
    let diffs = differences(&headers, &twins);
    let expect = [
        "qos_spec::loss",
        "qos_spec::ber",
        "name_info::c",
        "IPCP_UDP6",
        "enum ipcp_type",
        "qos_data",
    ];
    for e in expect {
        assert!(
            diffs.iter().any(|d| d.contains(e)),
            "{e} not reported in {diffs:#?}"
        );
    }
    assert_eq!(diffs.len(), expect.len(), "{diffs:#?}");
}

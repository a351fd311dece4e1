//! The type-specific keys of a bootstrap: from an IPCP's table to the
//! `IpcpConfig` sent with the bootstrap (layer name left empty).
//!
//! Integers go into the fields with the C structure's widths (a port of
//! 70000 wraps like upstream's `uint16_t`), and every check is made where
//! upstream makes it, on the full or the narrowed value.

use super::doc::Table;
use super::PREFIX;
use ouroboros::hash::HashAlgo;
use ouroboros::ipcp::{
    EthConfig, IpcpConfig, IpcpType, TypeConfig, UniConfig, ADDR_AUTH_FLAT_RANDOM, CA_MB_ECN,
    CA_NONE, DEV_NAME_SIZE, DIR_DHT, LS_ECMP, LS_LFA, LS_SIMPLE, ROUTING_LINK_STATE,
};
use ouroboros::{log_err, log_info};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Longest `directory` value upstream accepts (its datum buffer).
const DIRECTORY_MAX: usize = 256;

/// Ranges of the DHT parameters (`dir_dht_config_limits`).
const DHT_ALPHA: (i64, i64) = (1, 10);
const DHT_K: (i64, i64) = (1, 20);
const DHT_T_EXPIRE: (i64, i64) = (10, 86400);
const DHT_T_REFRESH: (i64, i64) = (3, 3600);
const DHT_T_REPLICATE: (i64, i64) = (3, 3600);

/// The bootstrap configuration of an IPCP of type `t` from its table.
/// Errors are logged here.
pub fn conf_for(table: &Table, t: IpcpType) -> Result<IpcpConfig, ()> {
    let mut conf = IpcpConfig::default_for(t);
    match t {
        IpcpType::Local => hash(table, &mut conf)?,
        IpcpType::EthLlc => {
            hash(table, &mut conf)?;
            eth(table, &mut conf, false)?;
        }
        IpcpType::EthDix => {
            hash(table, &mut conf)?;
            eth(table, &mut conf, true)?;
        }
        IpcpType::Udp4 => udp4(table, &mut conf)?,
        IpcpType::Udp6 => udp6(table, &mut conf)?,
        // A broadcast layer has nothing to configure (and no hash key).
        IpcpType::Broadcast => {}
        // Upstream quirk: `hash` is not read for unicast layers, which
        // always get the default SHA3-256 from the file.
        IpcpType::Unicast => {
            if let TypeConfig::Unicast(u) = &mut conf.config {
                unicast(table, u)?;
            }
        }
    }
    Ok(conf)
}

fn hash(table: &Table, conf: &mut IpcpConfig) -> Result<(), ()> {
    let Some(name) = table.str("hash") else {
        return Ok(());
    };
    let algo = match name {
        "SHA3_224" => HashAlgo::Sha3_224,
        "SHA3_256" => HashAlgo::Sha3_256,
        "SHA3_384" => HashAlgo::Sha3_384,
        "SHA3_512" => HashAlgo::Sha3_512,
        _ => {
            log_err!(PREFIX, "Unknown hash algorithm: {}.", name);
            return Err(());
        }
    };
    conf.layer.dir_hash_algo = algo as u32;
    Ok(())
}

fn eth(table: &Table, conf: &mut IpcpConfig, dix: bool) -> Result<(), ()> {
    let TypeConfig::Eth(e) = &mut conf.config else {
        return Err(());
    };
    device(table, e)?;
    if dix {
        if let Some(v) = table.int("ethertype") {
            e.ethertype = u32::from(v as u16);
        }
        if e.ethertype < 0x0600 || e.ethertype == 0xFFFF {
            log_err!(PREFIX, "Ethertype not in valid range.");
            return Err(());
        }
    }
    Ok(())
}

fn device(table: &Table, e: &mut EthConfig) -> Result<(), ()> {
    let Some(dev) = table.str("dev") else {
        log_err!(PREFIX, "Missing device.");
        return Err(());
    };
    if dev.len() > DEV_NAME_SIZE {
        log_err!(PREFIX, "Device name too long: {}", dev);
        return Err(());
    }
    e.dev = dev.to_string();
    Ok(())
}

fn udp4(table: &Table, conf: &mut IpcpConfig) -> Result<(), ()> {
    let TypeConfig::Udp4(u) = &mut conf.config else {
        return Err(());
    };
    let Some(ip) = table.str("ip") else {
        log_err!(PREFIX, "No IP address specified!");
        return Err(());
    };
    let Ok(addr) = ip.parse::<Ipv4Addr>() else {
        log_err!(PREFIX, "Failed to parse IPv4 address {}.", ip);
        return Err(());
    };
    // Kept as `in_addr.s_addr`: the address bytes in network order.
    u.ip_addr = u32::from_ne_bytes(addr.octets());
    if let Some(port) = table.int("port") {
        u.port = u32::from(port as u16);
    }
    // An unparsable DNS address is not an error upstream (only a failing
    // address family is): it is silently left unset.
    if let Some(Ok(dns)) = table.str("dns").map(str::parse::<Ipv4Addr>) {
        u.dns_addr = u32::from_ne_bytes(dns.octets());
    }
    Ok(())
}

fn udp6(table: &Table, conf: &mut IpcpConfig) -> Result<(), ()> {
    let TypeConfig::Udp6(u) = &mut conf.config else {
        return Err(());
    };
    let Some(ip) = table.str("ip") else {
        log_err!(PREFIX, "No IP address specified!");
        return Err(());
    };
    // Upstream quirk: the address is checked (with the IPv4 wording of the
    // message) but neither it nor the DNS address is ever stored, so the
    // bootstrap carries all-zero addresses.
    if ip.parse::<Ipv6Addr>().is_err() {
        log_err!(PREFIX, "Failed to parse IPv4 address {}.", ip);
        return Err(());
    }
    if let Some(port) = table.int("port") {
        u.port = u32::from(port as u16);
    }
    Ok(())
}

fn unicast(table: &Table, u: &mut UniConfig) -> Result<(), ()> {
    if directory(table, u).is_err() {
        log_err!(PREFIX, "Invalid directory configuration.");
        return Err(());
    }
    if data_transfer(table, u).is_err() {
        log_err!(PREFIX, "Invalid DT configuration.");
        return Err(());
    }
    if let Some(a) = table.str("addr-auth") {
        if a != "flat" {
            log_err!(PREFIX, "Invalid address authority");
            return Err(());
        }
        u.addr_auth_type = ADDR_AUTH_FLAT_RANDOM;
    }
    if let Some(c) = table.str("congestion") {
        // Upstream quirk: the accepted names are "none" and "lfa", the
        // latter selecting MB-ECN; "mb-ecn" itself is rejected.
        u.cong_avoid = match c {
            "none" => CA_NONE,
            "lfa" => CA_MB_ECN,
            _ => {
                log_err!(PREFIX, "Invalid congestion avoidance algorithm.");
                return Err(());
            }
        };
    }
    Ok(())
}

/// Reads an integer key that must lie in `range`; `what` names it in the
/// error message.
fn ranged(table: &Table, key: &str, range: (i64, i64), what: &str) -> Result<Option<u32>, ()> {
    match table.int(key) {
        None => Ok(None),
        Some(v) if v >= range.0 && v <= range.1 => Ok(Some(v as u32)),
        Some(v) => {
            log_err!(PREFIX, "Invalid {}: {}", what, v);
            Err(())
        }
    }
}

fn directory(table: &Table, u: &mut UniConfig) -> Result<(), ()> {
    if let Some(d) = table.str("directory") {
        if d.len() > DIRECTORY_MAX {
            log_err!(PREFIX, "Directory name too long: {}", d);
            return Err(());
        }
        if d != "DHT" && d != "dht" {
            log_err!(PREFIX, "Unknown directory type: {}", d);
            return Err(());
        }
        u.dir.pol = DIR_DHT;
    }
    log_info!(PREFIX, "Using DHT directory policy.");
    let dht = &mut u.dir.dht;
    // Upstream quirk: only `dht_t_expire` is read; the shipped example's
    // `dht_t_expiry` is ignored.
    let keys: [(&str, (i64, i64), &str, &mut u32); 5] = [
        ("dht_alpha", DHT_ALPHA, "alpha value", &mut dht.alpha),
        (
            "dht_t_expire",
            DHT_T_EXPIRE,
            "expire time",
            &mut dht.t_expire,
        ),
        (
            "dht_t_refresh",
            DHT_T_REFRESH,
            "refresh time",
            &mut dht.t_refresh,
        ),
        (
            "dht_t_replicate",
            DHT_T_REPLICATE,
            "replication time",
            &mut dht.t_replicate,
        ),
        ("dht_k", DHT_K, "replication factor", &mut dht.k),
    ];
    for (key, range, what, field) in keys {
        if let Some(v) = ranged(table, key, range, what)? {
            *field = v;
        }
    }
    Ok(())
}

fn data_transfer(table: &Table, u: &mut UniConfig) -> Result<(), ()> {
    let dt = &mut u.dt;
    // One-byte fields upstream.
    for (key, field) in [
        ("addr_size", &mut dt.addr_size),
        ("eid_size", &mut dt.eid_size),
        ("max_ttl", &mut dt.max_ttl),
    ] {
        if let Some(v) = table.int(key) {
            *field = u32::from(v as u8);
        }
    }
    if routing(table, &mut dt.routing).is_err() {
        log_err!(PREFIX, "Invalid routing option.");
        return Err(());
    }
    Ok(())
}

fn routing(table: &Table, r: &mut ouroboros::ipcp::RoutingConfig) -> Result<(), ()> {
    if let Some(name) = table.str("routing") {
        r.ls.pol = match name {
            "link-state" => LS_SIMPLE,
            "lfa" => LS_LFA,
            "ecmp" => LS_ECMP,
            _ => return Err(()),
        };
        r.pol = ROUTING_LINK_STATE;
    }
    log_info!(PREFIX, "Using Link State routing policy.");
    for (key, field) in [
        ("ls_t_recalc", &mut r.ls.t_recalc),
        ("ls_t_update", &mut r.ls.t_update),
        ("ls_t_timeo", &mut r.ls.t_timeo),
    ] {
        if let Some(v) = table.int(key) {
            if v < 1 {
                log_err!(PREFIX, "Invalid {} value: {}", key, v);
                return Err(());
            }
            *field = v as u32;
        }
    }
    Ok(())
}

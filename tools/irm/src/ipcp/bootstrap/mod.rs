//! `irm ipcp bootstrap name <ipcp> layer <layer> [type <type>] [...]`.

mod parse;

use crate::usage;
use crate::util::{self, out, NULL_STR};
use ouroboros::ipcp::{
    DirConfig, DtConfig, EthConfig, IpcpConfig, IpcpListInfo, IpcpType, LayerInfo, RoutingConfig,
    TypeConfig, Udp4Config, Udp6Config, UniConfig, DEV_NAME_SIZE, DIR_DHT, LAYER_NAME_SIZE,
    ROUTING_LINK_STATE,
};
use parse::{parse, type_by_prefix, Opts, ParseError};
use tools_common::inet::{parse_ipv4, parse_ipv6};

fn fail_usage() -> i32 {
    out!("{}", usage::ipcp_bootstrap());
    -1
}

/// Addresses checked up front for an explicitly given udp type.
#[derive(Default)]
struct Addrs {
    ip4: [u8; 4],
    dns4: [u8; 4],
    ip6: [u8; 16],
    dns6: [u8; 16],
}

fn check_addrs(t: Option<IpcpType>, o: &Opts<'_>) -> Result<Addrs, ()> {
    let mut a = Addrs::default();
    let ip = o.ip.unwrap_or(NULL_STR);
    match t {
        Some(IpcpType::Udp4) => {
            let Some(v) = o.ip.and_then(parse_ipv4) else {
                out!("Invalid IPv4 address: \"{ip}\".\n");
                return Err(());
            };
            if v == [0; 4] {
                out!("Cannot use IPv4 address: \"{ip}\".\n");
                return Err(());
            }
            a.ip4 = v;
            if let Some(d) = o.dns {
                a.dns4 =
                    parse_ipv4(d).ok_or_else(|| out!("Invalid DNS IPv4 address: \"{d}\".\n"))?;
            }
        }
        Some(IpcpType::Udp6) => {
            let Some(v) = o.ip.and_then(parse_ipv6) else {
                out!("Invalid IPv6 address: \"{ip}\".\n");
                return Err(());
            };
            if v == [0; 16] {
                out!("Cannot use IPv6 address: \"{ip}\".\n");
                return Err(());
            }
            a.ip6 = v;
            if let Some(d) = o.dns {
                a.dns6 =
                    parse_ipv6(d).ok_or_else(|| out!("Invalid DNS IPv6 address: \"{d}\".\n"))?;
            }
        }
        _ => {}
    }
    Ok(a)
}

/// The type-specific configuration for an IPCP of raw type `t`; `Err` when
/// the usage must be shown (missing or too long device name).
fn type_config(t: u32, o: &Opts<'_>, a: &Addrs) -> Result<TypeConfig, ()> {
    let port = u32::from(o.port as u16);
    Ok(match IpcpType::from_u32(t) {
        Some(IpcpType::Unicast) => TypeConfig::Unicast(UniConfig {
            dt: DtConfig {
                addr_size: u32::from(o.addr_size),
                eid_size: u32::from(o.eid_size),
                max_ttl: u32::from(o.max_ttl),
                routing: RoutingConfig {
                    pol: ROUTING_LINK_STATE,
                    ls: o.ls.clone(),
                },
            },
            dir: DirConfig {
                pol: DIR_DHT,
                dht: o.dht.clone(),
            },
            addr_auth_type: o.addr_auth,
            cong_avoid: o.cong_avoid,
        }),
        Some(IpcpType::Udp4) => TypeConfig::Udp4(Udp4Config {
            ip_addr: u32::from_ne_bytes(a.ip4),
            port,
            dns_addr: u32::from_ne_bytes(a.dns4),
        }),
        Some(IpcpType::Udp6) => TypeConfig::Udp6(Udp6Config {
            ip_addr: a.ip6,
            port,
            dns_addr: a.dns6,
        }),
        Some(kind @ (IpcpType::EthDix | IpcpType::EthLlc)) => {
            let dev = o.dev.ok_or(())?;
            if dev.len() > DEV_NAME_SIZE {
                out!("Device name too long.\n\n");
                return Err(());
            }
            let ethertype = if kind == IpcpType::EthDix {
                u32::from(o.ethertype)
            } else {
                0
            };
            TypeConfig::Eth(EthConfig {
                dev: dev.to_string(),
                ethertype,
            })
        }
        _ => TypeConfig::None,
    })
}

fn list() -> Vec<IpcpListInfo> {
    ouroboros::irm::list_ipcps().unwrap_or_default()
}

pub fn run(args: &[String]) -> i32 {
    let mut o = match parse(args) {
        Ok(o) => o,
        Err(ParseError::UnknownOption(w)) => {
            out!("Unknown option: \"{w}\".\n");
            return -1;
        }
        Err(ParseError::BadValue(k, v)) => {
            out!("Unknown parameter for {k}: \"{v}\".\n");
            return -1;
        }
        Err(ParseError::BadEthertype(v)) => {
            out!("Invalid Ethertype: \"{v}\".\nRecommended range: 0xA000-0xEFFF.\n");
            return -1;
        }
        Err(ParseError::MissingValue) => return fail_usage(),
    };
    let (Some(ipcp), Some(layer)) = (o.ipcp, o.layer) else {
        return fail_usage();
    };
    let mut ipcps = list();
    let found = ipcps.iter().any(|i| util::wildcard(&i.name, ipcp));
    let wanted = match o.type_word {
        None => None,
        Some(w) => match type_by_prefix(w) {
            Some(t) => Some(t),
            None => return fail_usage(),
        },
    };
    let Ok(addrs) = check_addrs(wanted, &o) else {
        return fail_usage();
    };
    if !found {
        let Some(t) = wanted else {
            out!("No IPCPs matching {ipcp} found.\n\n");
            return -1;
        };
        if ouroboros::irm::create_ipcp(ipcp, t as u32).is_err() {
            return -1;
        }
        ipcps = list();
    }
    for info in ipcps.iter().filter(|i| util::wildcard(&i.name, ipcp)) {
        let pid = info.pid;
        if wanted.is_some_and(|t| t as u32 != info.ipcp_type) {
            out!("Types do not match.\n\n");
            return -1;
        }
        let bindable =
            [IpcpType::Unicast as u32, IpcpType::Broadcast as u32].contains(&info.ipcp_type);
        if o.autobind && !bindable {
            out!("Can not bind this IPCP type,autobind disabled.\n\n");
            o.autobind = false;
        }
        if layer.len() > LAYER_NAME_SIZE {
            out!("Layer name too long.\n\n");
            return fail_usage();
        }
        let Ok(config) = type_config(info.ipcp_type, &o, &addrs) else {
            return fail_usage();
        };
        let conf = IpcpConfig {
            layer: LayerInfo {
                name: layer.to_string(),
                dir_hash_algo: o.hash as u32,
            },
            ipcp_type: info.ipcp_type,
            config,
        };
        if o.autobind && ouroboros::irm::bind_process(pid, ipcp).is_err() {
            out!("Failed to bind {pid} to {ipcp}.\n");
            return -1;
        }
        if o.autobind && ouroboros::irm::bind_process(pid, layer).is_err() {
            out!("Failed to bind {pid} to {layer}.\n");
            let _ = ouroboros::irm::unbind_process(pid, ipcp);
            return -1;
        }
        if ouroboros::irm::bootstrap_ipcp(pid, &conf).is_err() {
            if o.autobind {
                let _ = ouroboros::irm::unbind_process(pid, ipcp);
                let _ = ouroboros::irm::unbind_process(pid, layer);
            }
            return -1;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp4_address_in_memory_order() {
        let o = Opts {
            ip: Some("127.0.0.1"),
            dns: Some("10.0.0.1"),
            ..Opts::default()
        };
        let a = check_addrs(Some(IpcpType::Udp4), &o).ok().unwrap();
        let TypeConfig::Udp4(c) = type_config(IpcpType::Udp4 as u32, &o, &a).unwrap() else {
            panic!()
        };
        assert_eq!(c.ip_addr.to_ne_bytes(), [127, 0, 0, 1]);
        assert_eq!(c.dns_addr.to_ne_bytes(), [10, 0, 0, 1]);
        assert_eq!(c.port, 3435);
        let o = Opts {
            ip: Some("0.0.0.0"),
            ..Opts::default()
        };
        assert!(check_addrs(Some(IpcpType::Udp4), &o).is_err());
        let o = Opts {
            ip: Some("::"),
            ..Opts::default()
        };
        assert!(check_addrs(Some(IpcpType::Udp6), &o).is_err());
        let o = Opts {
            ip: None,
            ..Opts::default()
        };
        assert!(check_addrs(Some(IpcpType::Udp6), &o).is_err());
        assert!(check_addrs(None, &o).is_ok());
    }
}

//! Conversions between protobuf messages and domain types, with upstream's
//! rules (one sub-config per IPCP type, C integer narrowing).

use super::msg::*;
use crate::ipcp::*;
use crate::name::{NameInfo, SecPaths};
use crate::qos::QosSpec;

impl From<&QosSpec> for QosspecMsg {
    fn from(q: &QosSpec) -> Self {
        QosspecMsg {
            delay: q.delay,
            bandwidth: q.bandwidth,
            availability: u32::from(q.availability),
            loss: q.loss,
            ber: q.ber,
            in_order: u32::from(q.in_order),
            max_gap: q.max_gap,
            timeout: q.timeout,
        }
    }
}

impl From<&QosspecMsg> for QosSpec {
    /// `availability` and `in_order` are C `uint8_t`: truncated like a C cast.
    fn from(m: &QosspecMsg) -> Self {
        QosSpec {
            delay: m.delay,
            bandwidth: m.bandwidth,
            availability: m.availability as u8,
            loss: m.loss,
            ber: m.ber,
            in_order: m.in_order as u8,
            max_gap: m.max_gap,
            timeout: m.timeout,
        }
    }
}

impl From<&NameInfo> for NameInfoMsg {
    fn from(n: &NameInfo) -> Self {
        NameInfoMsg {
            name: n.name.clone(),
            pol_lb: n.pol_lb,
            skey: n.s.key.clone(),
            scrt: n.s.crt.clone(),
            ckey: n.c.key.clone(),
            ccrt: n.c.crt.clone(),
        }
    }
}

impl From<&NameInfoMsg> for NameInfo {
    fn from(m: &NameInfoMsg) -> Self {
        NameInfo {
            name: m.name.clone(),
            pol_lb: m.pol_lb,
            s: SecPaths {
                enc: String::new(),
                key: m.skey.clone(),
                crt: m.scrt.clone(),
            },
            c: SecPaths {
                enc: String::new(),
                key: m.ckey.clone(),
                crt: m.ccrt.clone(),
            },
        }
    }
}

impl From<&LayerInfo> for LayerInfoMsg {
    fn from(l: &LayerInfo) -> Self {
        LayerInfoMsg {
            name: l.name.clone(),
            dir_hash_algo: l.dir_hash_algo,
        }
    }
}

impl From<&LayerInfoMsg> for LayerInfo {
    fn from(m: &LayerInfoMsg) -> Self {
        LayerInfo {
            name: m.name.clone(),
            dir_hash_algo: m.dir_hash_algo,
        }
    }
}

impl From<&IpcpInfo> for IpcpInfoMsg {
    fn from(i: &IpcpInfo) -> Self {
        IpcpInfoMsg {
            r#type: i.ipcp_type,
            name: i.name.clone(),
            pid: i.pid as u32,
            state: i.state,
        }
    }
}

impl From<&IpcpInfoMsg> for IpcpInfo {
    fn from(m: &IpcpInfoMsg) -> Self {
        IpcpInfo {
            ipcp_type: m.r#type,
            pid: m.pid as i32,
            name: m.name.clone(),
            state: m.state,
        }
    }
}

impl From<&IpcpListMsg> for IpcpListInfo {
    fn from(m: &IpcpListMsg) -> Self {
        IpcpListInfo {
            pid: m.pid as i32,
            ipcp_type: m.r#type,
            name: m.name.clone(),
            layer: m.layer.clone(),
            hash_algo: m.hash_algo,
        }
    }
}

impl From<&IpcpListInfo> for IpcpListMsg {
    fn from(i: &IpcpListInfo) -> Self {
        IpcpListMsg {
            pid: i.pid as u32,
            r#type: i.ipcp_type,
            name: i.name.clone(),
            layer: i.layer.clone(),
            hash_algo: i.hash_algo,
        }
    }
}

impl From<&UniConfig> for UniConfigMsg {
    fn from(u: &UniConfig) -> Self {
        let r = &u.dt.routing;
        UniConfigMsg {
            dt: DtConfigMsg {
                addr_size: u.dt.addr_size,
                eid_size: u.dt.eid_size,
                max_ttl: u.dt.max_ttl,
                routing: RoutingConfigMsg {
                    pol: r.pol,
                    ls: (r.pol == ROUTING_LINK_STATE).then_some(LsConfigMsg {
                        pol: r.ls.pol,
                        t_recalc: r.ls.t_recalc,
                        t_update: r.ls.t_update,
                        t_timeo: r.ls.t_timeo,
                    }),
                },
            },
            dir: DirConfigMsg {
                pol: u.dir.pol,
                dht: (u.dir.pol == DIR_DHT).then(|| {
                    let d = &u.dir.dht;
                    DirDhtConfigMsg {
                        alpha: d.alpha,
                        k: d.k,
                        t_expire: d.t_expire,
                        t_refresh: d.t_refresh,
                        t_replicate: d.t_replicate,
                        peer: d.peer,
                    }
                }),
            },
            addr_auth_type: u.addr_auth_type,
            cong_avoid: u.cong_avoid,
        }
    }
}

impl UniConfig {
    /// From a message, narrowing like upstream's C structure (`uint8_t`
    /// sizes); `None` when the policy's sub-message is missing.
    pub fn from_msg(m: &UniConfigMsg) -> Option<UniConfig> {
        let r = &m.dt.routing;
        let ls = match r.pol {
            ROUTING_LINK_STATE => {
                let l = r.ls.as_ref()?;
                LsConfig {
                    pol: l.pol,
                    t_recalc: l.t_recalc,
                    t_update: l.t_update,
                    t_timeo: l.t_timeo,
                }
            }
            _ => LsConfig::default(),
        };
        let dht = match m.dir.pol {
            DIR_DHT => {
                let d = m.dir.dht.as_ref()?;
                DhtConfig {
                    alpha: d.alpha,
                    k: d.k,
                    t_expire: d.t_expire,
                    t_refresh: d.t_refresh,
                    t_replicate: d.t_replicate,
                    peer: d.peer,
                }
            }
            _ => DhtConfig::default(),
        };
        Some(UniConfig {
            dt: DtConfig {
                addr_size: m.dt.addr_size & 0xff,
                eid_size: m.dt.eid_size & 0xff,
                max_ttl: m.dt.max_ttl & 0xff,
                routing: RoutingConfig { pol: r.pol, ls },
            },
            dir: DirConfig {
                pol: m.dir.pol,
                dht,
            },
            addr_auth_type: m.addr_auth_type,
            cong_avoid: m.cong_avoid,
        })
    }
}

impl From<&IpcpConfig> for IpcpConfigMsg {
    /// Exactly one sub-config is set, chosen by the IPCP type.
    fn from(c: &IpcpConfig) -> Self {
        let mut m = IpcpConfigMsg {
            layer_info: (&c.layer).into(),
            ipcp_type: c.ipcp_type,
            ..Default::default()
        };
        match &c.config {
            TypeConfig::None => {}
            TypeConfig::Unicast(u) => m.unicast = Some(u.into()),
            TypeConfig::Udp4(u) => {
                m.udp4 = Some(Udp4ConfigMsg {
                    ip_addr: u.ip_addr,
                    port: u.port,
                    dns_addr: u.dns_addr,
                })
            }
            TypeConfig::Udp6(u) => {
                m.udp6 = Some(Udp6ConfigMsg {
                    ip_addr: u.ip_addr.to_vec(),
                    port: u.port,
                    dns_addr: u.dns_addr.to_vec(),
                })
            }
            TypeConfig::Eth(e) => {
                m.eth = Some(EthConfigMsg {
                    dev: e.dev.clone(),
                    ethertype: e.ethertype,
                })
            }
        }
        m
    }
}

fn addr16(b: &[u8]) -> Option<[u8; 16]> {
    b.try_into().ok()
}

impl IpcpConfig {
    /// From a message, with the C structure's narrowing (upstream converts
    /// through it when forwarding); `None` when the sub-config its type
    /// needs is missing or malformed, or the type is invalid.
    pub fn from_msg(m: &IpcpConfigMsg) -> Option<IpcpConfig> {
        let config = match IpcpType::from_u32(m.ipcp_type)? {
            IpcpType::Local | IpcpType::Broadcast => TypeConfig::None,
            IpcpType::Unicast => TypeConfig::Unicast(UniConfig::from_msg(m.unicast.as_ref()?)?),
            IpcpType::EthLlc | IpcpType::EthDix => {
                let e = m.eth.as_ref()?;
                TypeConfig::Eth(EthConfig {
                    dev: e.dev.clone(),
                    ethertype: e.ethertype & 0xffff,
                })
            }
            IpcpType::Udp4 => {
                let u = m.udp4.as_ref()?;
                TypeConfig::Udp4(Udp4Config {
                    ip_addr: u.ip_addr,
                    port: u.port & 0xffff,
                    dns_addr: u.dns_addr,
                })
            }
            IpcpType::Udp6 => {
                let u = m.udp6.as_ref()?;
                TypeConfig::Udp6(Udp6Config {
                    ip_addr: addr16(&u.ip_addr)?,
                    port: u.port & 0xffff,
                    dns_addr: addr16(&u.dns_addr)?,
                })
            }
        };
        Some(IpcpConfig {
            layer: (&m.layer_info).into(),
            ipcp_type: m.ipcp_type,
            config,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn local_bootstrap_matches_capture() {
        // IPCP_BOOTSTRAP layer "lo" hash 1 type local (control-plane 4.5)
        let mut c = IpcpConfig::default_for(IpcpType::Local);
        c.layer.name = "lo".into();
        let m = crate::pb::IpcpMsg {
            conf: Some((&c).into()),
            ..crate::pb::IpcpMsg::with_code(crate::pb::IpcpMsgCode::IpcpBootstrap)
        };
        let hex: String = m
            .encode_to_vec()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, "08013a0a0a060a026c6f10011000");
        let back = IpcpConfig::from_msg(m.conf.as_ref().unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn unicast_round_trip() {
        let c = IpcpConfig::default_for(IpcpType::Unicast);
        let m: IpcpConfigMsg = (&c).into();
        assert!(m.unicast.is_some() && m.eth.is_none());
        assert_eq!(IpcpConfig::from_msg(&m).unwrap(), c);
    }
}

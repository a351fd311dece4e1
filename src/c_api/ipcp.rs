//! `ipcp.h`: IPCP types and states, layer policies and the bootstrap
//! configuration `struct ipcp_config` with its defaults.
//!
//! Anonymous members: the one-member unions of `routing_config` and
//! `dir_config` are plain fields here (a union of one member has that
//! member's layout), `dt_config`'s anonymous struct of three bytes is
//! flattened (same offsets); `ipcp_config`'s union is [`ipcp_config_union`].

use super::{array_from_str, str_from_array};
use crate::errno::{Error, Result};
use crate::ipcp::{
    DhtConfig, DirConfig, DtConfig, EthConfig, IpcpConfig, IpcpInfo, IpcpType, LayerInfo, LsConfig,
    RoutingConfig, TypeConfig, Udp4Config, Udp6Config, UniConfig,
};
use libc::{c_char, in6_addr, in_addr, pid_t, time_t};
use std::mem::{align_of, offset_of, size_of};

pub const IPCP_NAME_SIZE: usize = crate::ipcp::IPCP_NAME_SIZE;
pub const LAYER_NAME_SIZE: usize = crate::ipcp::LAYER_NAME_SIZE;
pub const DEV_NAME_SIZE: usize = crate::ipcp::DEV_NAME_SIZE;
pub const DT_COMP: &str = crate::ipcp::DT_COMP;
pub const MGMT_COMP: &str = crate::ipcp::MGMT_COMP;

/// `enum ipcp_state`.
pub type ipcp_state = u32;
pub const IPCP_NULL: ipcp_state = 0;
pub const IPCP_INIT: ipcp_state = 1;
pub const IPCP_BOOT: ipcp_state = 2;
pub const IPCP_BOOTSTRAPPED: ipcp_state = 3;
pub const IPCP_ENROLLED: ipcp_state = 4;
pub const IPCP_OPERATIONAL: ipcp_state = 5;
pub const IPCP_SHUTDOWN: ipcp_state = 6;

/// `enum ipcp_type`.
pub type ipcp_type = u32;
pub const IPCP_LOCAL: ipcp_type = IpcpType::Local as u32;
pub const IPCP_UNICAST: ipcp_type = IpcpType::Unicast as u32;
pub const IPCP_BROADCAST: ipcp_type = IpcpType::Broadcast as u32;
pub const IPCP_ETH_LLC: ipcp_type = IpcpType::EthLlc as u32;
pub const IPCP_ETH_DIX: ipcp_type = IpcpType::EthDix as u32;
pub const IPCP_UDP4: ipcp_type = IpcpType::Udp4 as u32;
pub const IPCP_UDP6: ipcp_type = IpcpType::Udp6 as u32;
pub const IPCP_INVALID: ipcp_type = crate::ipcp::IPCP_INVALID;

/// `enum pol_addr_auth`.
pub type pol_addr_auth = u32;
pub const ADDR_AUTH_FLAT_RANDOM: pol_addr_auth = crate::ipcp::ADDR_AUTH_FLAT_RANDOM;
pub const ADDR_AUTH_INVALID: pol_addr_auth = 1;

/// `enum pol_link_state`.
pub type pol_link_state = u32;
pub const LS_SIMPLE: pol_link_state = crate::ipcp::LS_SIMPLE;
pub const LS_LFA: pol_link_state = crate::ipcp::LS_LFA;
pub const LS_ECMP: pol_link_state = crate::ipcp::LS_ECMP;
pub const LS_INVALID: pol_link_state = 3;

/// `enum pol_routing`.
pub type pol_routing = u32;
pub const ROUTING_LINK_STATE: pol_routing = crate::ipcp::ROUTING_LINK_STATE;
pub const ROUTING_INVALID: pol_routing = 1;

/// `enum pol_cong_avoid`.
pub type pol_cong_avoid = u32;
pub const CA_NONE: pol_cong_avoid = crate::ipcp::CA_NONE;
pub const CA_MB_ECN: pol_cong_avoid = crate::ipcp::CA_MB_ECN;
pub const CA_INVALID: pol_cong_avoid = 2;

/// `enum pol_dir`.
pub type pol_dir = u32;
pub const DIR_DHT: pol_dir = crate::ipcp::DIR_DHT;
pub const DIR_INVALID: pol_dir = 1;

/// `enum pol_dir_hash`.
pub type pol_dir_hash = u32;
pub const DIR_HASH_SHA3_224: pol_dir_hash = crate::hash::HashAlgo::Sha3_224 as u32;
pub const DIR_HASH_SHA3_256: pol_dir_hash = crate::hash::HashAlgo::Sha3_256 as u32;
pub const DIR_HASH_SHA3_384: pol_dir_hash = crate::hash::HashAlgo::Sha3_384 as u32;
pub const DIR_HASH_SHA3_512: pol_dir_hash = crate::hash::HashAlgo::Sha3_512 as u32;
pub const DIR_HASH_INVALID: pol_dir_hash = 4;

/// `enum dir_dht_config_limits`.
pub type dir_dht_config_limits = u32;
pub const DHT_ALPHA_MIN: dir_dht_config_limits = 1;
pub const DHT_K_MIN: dir_dht_config_limits = 1;
pub const DHT_T_EXPIRE_MIN: dir_dht_config_limits = 10;
pub const DHT_T_REFRESH_MIN: dir_dht_config_limits = 3;
pub const DHT_T_REPLICATE_MIN: dir_dht_config_limits = 3;
pub const DHT_ALPHA_MAX: dir_dht_config_limits = 10;
pub const DHT_K_MAX: dir_dht_config_limits = 20;
pub const DHT_T_EXPIRE_MAX: dir_dht_config_limits = 86400;
pub const DHT_T_REFRESH_MAX: dir_dht_config_limits = 3600;
pub const DHT_T_REPLICATE_MAX: dir_dht_config_limits = 3600;

/// `struct ipcp_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ipcp_info {
    pub type_: ipcp_type,
    pub pid: pid_t,
    pub name: [c_char; IPCP_NAME_SIZE + 1],
    pub state: ipcp_state,
}

/// `struct ls_config` (times in seconds).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ls_config {
    pub pol: pol_link_state,
    pub t_recalc: time_t,
    pub t_update: time_t,
    pub t_timeo: time_t,
}

/// `struct routing_config`; `ls` is the member of its anonymous union.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct routing_config {
    pub pol: pol_routing,
    pub ls: ls_config,
}

/// `struct dt_config`; the first three fields are its anonymous struct.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct dt_config {
    pub addr_size: u8,
    pub eid_size: u8,
    pub max_ttl: u8,
    pub routing: routing_config,
}

/// The type of `dir_dht_config.params`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct dir_dht_params {
    pub alpha: u32,
    pub k: u32,
    pub t_expire: u32,
    pub t_refresh: u32,
    pub t_replicate: u32,
}

/// `struct dir_dht_config`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct dir_dht_config {
    pub params: dir_dht_params,
    /// Address of the peer to join through, 0 for none.
    pub peer: u64,
}

/// `struct dir_config`; `dht` is the member of its anonymous union.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct dir_config {
    pub pol: pol_dir,
    pub dht: dir_dht_config,
}

/// `struct uni_config`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct uni_config {
    pub dt: dt_config,
    pub dir: dir_config,
    pub addr_auth_type: pol_addr_auth,
    pub cong_avoid: pol_cong_avoid,
}

/// `struct eth_config`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct eth_config {
    pub dev: [c_char; DEV_NAME_SIZE + 1],
    /// eth-dix only.
    pub ethertype: u16,
}

/// `struct udp4_config` (addresses in network byte order).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct udp4_config {
    pub ip_addr: in_addr,
    pub dns_addr: in_addr,
    pub port: u16,
}

/// `struct udp6_config`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct udp6_config {
    pub ip_addr: in6_addr,
    pub dns_addr: in6_addr,
    pub port: u16,
}

/// `struct layer_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct layer_info {
    pub name: [c_char; LAYER_NAME_SIZE + 1],
    pub dir_hash_algo: pol_dir_hash,
}

/// The anonymous union of `struct ipcp_config`; `ipcp_config.type_` says
/// which member is meaningful. `zero` is ours (not in the header): it
/// spans the whole union so a value built in Rust has no uninitialised
/// bytes. Read it through [`ipcp_config`]'s accessors.
#[repr(C)]
#[derive(Clone, Copy)]
pub union ipcp_config_union {
    pub unicast: uni_config,
    pub udp4: udp4_config,
    pub udp6: udp6_config,
    pub eth: eth_config,
    pub zero: [u64; 33],
}

/// `struct ipcp_config`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ipcp_config {
    pub layer_info: layer_info,
    pub type_: ipcp_type,
    pub u: ipcp_config_union,
}

const _: () = assert!(size_of::<ipcp_info>() == 268 && align_of::<ipcp_info>() == 4);
const _: () = assert!(offset_of!(ipcp_info, type_) == 0 && offset_of!(ipcp_info, pid) == 4);
const _: () = assert!(offset_of!(ipcp_info, name) == 8 && offset_of!(ipcp_info, state) == 264);
const _: () = assert!(size_of::<ls_config>() == 32 && align_of::<ls_config>() == 8);
const _: () = assert!(offset_of!(ls_config, pol) == 0 && offset_of!(ls_config, t_recalc) == 8);
const _: () = assert!(offset_of!(ls_config, t_update) == 16);
const _: () = assert!(offset_of!(ls_config, t_timeo) == 24);
const _: () = assert!(size_of::<routing_config>() == 40 && align_of::<routing_config>() == 8);
const _: () = assert!(offset_of!(routing_config, pol) == 0);
const _: () = assert!(offset_of!(routing_config, ls) == 8);
const _: () = assert!(size_of::<dt_config>() == 48 && align_of::<dt_config>() == 8);
const _: () = assert!(offset_of!(dt_config, addr_size) == 0);
const _: () = assert!(offset_of!(dt_config, eid_size) == 1);
const _: () = assert!(offset_of!(dt_config, max_ttl) == 2);
const _: () = assert!(offset_of!(dt_config, routing) == 8);
const _: () = assert!(size_of::<dir_dht_params>() == 20);
const _: () = assert!(offset_of!(dir_dht_params, alpha) == 0);
const _: () = assert!(offset_of!(dir_dht_params, k) == 4);
const _: () = assert!(offset_of!(dir_dht_params, t_expire) == 8);
const _: () = assert!(offset_of!(dir_dht_params, t_refresh) == 12);
const _: () = assert!(offset_of!(dir_dht_params, t_replicate) == 16);
const _: () = assert!(size_of::<dir_dht_config>() == 32 && align_of::<dir_dht_config>() == 8);
const _: () = assert!(offset_of!(dir_dht_config, params) == 0);
const _: () = assert!(offset_of!(dir_dht_config, peer) == 24);
const _: () = assert!(size_of::<dir_config>() == 40 && align_of::<dir_config>() == 8);
const _: () = assert!(offset_of!(dir_config, pol) == 0 && offset_of!(dir_config, dht) == 8);
const _: () = assert!(size_of::<uni_config>() == 96 && align_of::<uni_config>() == 8);
const _: () = assert!(offset_of!(uni_config, dt) == 0 && offset_of!(uni_config, dir) == 48);
const _: () = assert!(offset_of!(uni_config, addr_auth_type) == 88);
const _: () = assert!(offset_of!(uni_config, cong_avoid) == 92);
const _: () = assert!(size_of::<eth_config>() == 258 && align_of::<eth_config>() == 2);
const _: () = assert!(offset_of!(eth_config, dev) == 0);
const _: () = assert!(offset_of!(eth_config, ethertype) == 256);
const _: () = assert!(size_of::<udp4_config>() == 12 && align_of::<udp4_config>() == 4);
const _: () = assert!(offset_of!(udp4_config, ip_addr) == 0);
const _: () = assert!(offset_of!(udp4_config, dns_addr) == 4);
const _: () = assert!(offset_of!(udp4_config, port) == 8);
const _: () = assert!(size_of::<udp6_config>() == 36 && align_of::<udp6_config>() == 4);
const _: () = assert!(offset_of!(udp6_config, ip_addr) == 0);
const _: () = assert!(offset_of!(udp6_config, dns_addr) == 16);
const _: () = assert!(offset_of!(udp6_config, port) == 32);
const _: () = assert!(size_of::<layer_info>() == 260 && align_of::<layer_info>() == 4);
const _: () = assert!(offset_of!(layer_info, name) == 0);
const _: () = assert!(offset_of!(layer_info, dir_hash_algo) == 256);
const _: () = assert!(size_of::<ipcp_config_union>() == 264);
const _: () = assert!(align_of::<ipcp_config_union>() == 8);
const _: () = assert!(size_of::<ipcp_config>() == 528 && align_of::<ipcp_config>() == 8);
const _: () = assert!(offset_of!(ipcp_config, layer_info) == 0);
const _: () = assert!(offset_of!(ipcp_config, type_) == 260);
const _: () = assert!(offset_of!(ipcp_config, u) == 264);
const _: () = assert!(offset_of!(ipcp_config, u) + offset_of!(uni_config, dir) == 312);
const _: () = assert!(offset_of!(ipcp_config, u) + offset_of!(uni_config, cong_avoid) == 356);

impl ipcp_config_union {
    pub const ZERO: ipcp_config_union = ipcp_config_union { zero: [0; 33] };
}

impl ipcp_config {
    /// Type `t`, empty layer name, hash 0, and a zeroed union.
    pub const fn zeroed(t: ipcp_type) -> ipcp_config {
        ipcp_config {
            layer_info: layer_info {
                name: [0; LAYER_NAME_SIZE + 1],
                dir_hash_algo: 0,
            },
            type_: t,
            u: ipcp_config_union::ZERO,
        }
    }

    /// The `unicast` member. Meaningful when `type_` is `IPCP_UNICAST`;
    /// otherwise it holds whatever the other member left.
    pub fn unicast(&self) -> uni_config {
        // SAFETY: every member of the union is made of integers and integer
        // arrays, valid for any bit pattern, and the union's bytes are
        // initialised (by `ZERO` in Rust, by the caller's memory from C).
        unsafe { self.u.unicast }
    }

    /// The `udp4` member (see [`ipcp_config::unicast`]).
    pub fn udp4(&self) -> udp4_config {
        // SAFETY: as in `unicast`: plain-integer members, initialised bytes.
        unsafe { self.u.udp4 }
    }

    /// The `udp6` member (see [`ipcp_config::unicast`]).
    pub fn udp6(&self) -> udp6_config {
        // SAFETY: as in `unicast`: plain-integer members, initialised bytes.
        unsafe { self.u.udp6 }
    }

    /// The `eth` member (see [`ipcp_config::unicast`]).
    pub fn eth(&self) -> eth_config {
        // SAFETY: as in `unicast`: plain-integer members, initialised bytes.
        unsafe { self.u.eth }
    }
}

// The header's `static const` defaults.

pub const default_ls_config: ls_config = ls_config {
    pol: LS_SIMPLE,
    t_recalc: 4,
    t_update: 15,
    t_timeo: 60,
};

pub const default_routing_config: routing_config = routing_config {
    pol: ROUTING_LINK_STATE,
    ls: default_ls_config,
};

pub const default_dt_config: dt_config = dt_config {
    addr_size: 4,
    eid_size: 8,
    max_ttl: 60,
    routing: default_routing_config,
};

pub const default_dht_config: dir_dht_config = dir_dht_config {
    params: dir_dht_params {
        alpha: 3,
        k: 8,
        t_expire: 86400,
        t_refresh: 900,
        t_replicate: 900,
    },
    peer: 0,
};

pub const default_dir_config: dir_config = dir_config {
    pol: DIR_DHT,
    dht: default_dht_config,
};

pub const default_uni_config: uni_config = uni_config {
    dt: default_dt_config,
    dir: default_dir_config,
    addr_auth_type: ADDR_AUTH_FLAT_RANDOM,
    cong_avoid: CA_MB_ECN,
};

const fn with_hash(mut c: ipcp_config, h: pol_dir_hash) -> ipcp_config {
    c.layer_info.dir_hash_algo = h;
    c
}

const fn with_union(mut c: ipcp_config, u: ipcp_config_union) -> ipcp_config {
    c.u = u;
    c
}

const ETH_ZERO: eth_config = eth_config {
    dev: [0; DEV_NAME_SIZE + 1],
    ethertype: 0,
};
const UDP_PORT: u16 = crate::ipcp::UDP_DEFAULT_PORT as u16;
const ETHERTYPE: u16 = crate::ipcp::ETH_DIX_DEFAULT_ETHERTYPE as u16;

pub const local_default_conf: ipcp_config =
    with_hash(ipcp_config::zeroed(IPCP_LOCAL), DIR_HASH_SHA3_256);

pub const eth_dix_default_conf: ipcp_config = with_union(
    with_hash(ipcp_config::zeroed(IPCP_ETH_DIX), DIR_HASH_SHA3_256),
    ipcp_config_union {
        eth: eth_config {
            ethertype: ETHERTYPE,
            ..ETH_ZERO
        },
    },
);

pub const eth_llc_default_conf: ipcp_config =
    with_hash(ipcp_config::zeroed(IPCP_ETH_LLC), DIR_HASH_SHA3_256);

pub const udp4_default_conf: ipcp_config = with_union(
    ipcp_config::zeroed(IPCP_UDP4),
    ipcp_config_union {
        udp4: udp4_config {
            ip_addr: in_addr { s_addr: 0 },
            dns_addr: in_addr { s_addr: 0 },
            port: UDP_PORT,
        },
    },
);

pub const udp6_default_conf: ipcp_config = with_union(
    ipcp_config::zeroed(IPCP_UDP6),
    ipcp_config_union {
        udp6: udp6_config {
            ip_addr: in6_addr { s6_addr: [0; 16] },
            dns_addr: in6_addr { s6_addr: [0; 16] },
            port: UDP_PORT,
        },
    },
);

pub const uni_default_conf: ipcp_config = with_union(
    with_hash(ipcp_config::zeroed(IPCP_UNICAST), DIR_HASH_SHA3_256),
    ipcp_config_union {
        unicast: default_uni_config,
    },
);

pub const bc_default_conf: ipcp_config = ipcp_config::zeroed(IPCP_BROADCAST);

// Conversions. From C to the domain follows what upstream puts into the
// bootstrap message: the union member the type selects (nothing for local,
// broadcast and unknown types), and C's integer conversions (time_t to
// uint32_t, uint8_t/uint16_t widened).

impl TryFrom<&ipcp_info> for IpcpInfo {
    type Error = Error;

    fn try_from(i: &ipcp_info) -> Result<IpcpInfo> {
        Ok(IpcpInfo {
            ipcp_type: i.type_,
            pid: i.pid,
            name: str_from_array(&i.name)?,
            state: i.state,
        })
    }
}

impl From<&IpcpInfo> for ipcp_info {
    fn from(i: &IpcpInfo) -> Self {
        ipcp_info {
            type_: i.ipcp_type,
            pid: i.pid,
            name: array_from_str(&i.name),
            state: i.state,
        }
    }
}

impl From<&ls_config> for LsConfig {
    fn from(l: &ls_config) -> Self {
        LsConfig {
            pol: l.pol,
            t_recalc: l.t_recalc as u32,
            t_update: l.t_update as u32,
            t_timeo: l.t_timeo as u32,
        }
    }
}

impl From<&LsConfig> for ls_config {
    fn from(l: &LsConfig) -> Self {
        ls_config {
            pol: l.pol,
            t_recalc: time_t::from(l.t_recalc),
            t_update: time_t::from(l.t_update),
            t_timeo: time_t::from(l.t_timeo),
        }
    }
}

impl From<&uni_config> for UniConfig {
    fn from(u: &uni_config) -> Self {
        let p = &u.dir.dht.params;
        UniConfig {
            dt: DtConfig {
                addr_size: u32::from(u.dt.addr_size),
                eid_size: u32::from(u.dt.eid_size),
                max_ttl: u32::from(u.dt.max_ttl),
                routing: RoutingConfig {
                    pol: u.dt.routing.pol,
                    ls: (&u.dt.routing.ls).into(),
                },
            },
            dir: DirConfig {
                pol: u.dir.pol,
                dht: DhtConfig {
                    alpha: p.alpha,
                    k: p.k,
                    t_expire: p.t_expire,
                    t_refresh: p.t_refresh,
                    t_replicate: p.t_replicate,
                    peer: u.dir.dht.peer,
                },
            },
            addr_auth_type: u.addr_auth_type,
            cong_avoid: u.cong_avoid,
        }
    }
}

impl From<&UniConfig> for uni_config {
    /// Sizes wider than the C `uint8_t` fields are truncated, as C does.
    fn from(u: &UniConfig) -> Self {
        let d = &u.dir.dht;
        uni_config {
            dt: dt_config {
                addr_size: u.dt.addr_size as u8,
                eid_size: u.dt.eid_size as u8,
                max_ttl: u.dt.max_ttl as u8,
                routing: routing_config {
                    pol: u.dt.routing.pol,
                    ls: (&u.dt.routing.ls).into(),
                },
            },
            dir: dir_config {
                pol: u.dir.pol,
                dht: dir_dht_config {
                    params: dir_dht_params {
                        alpha: d.alpha,
                        k: d.k,
                        t_expire: d.t_expire,
                        t_refresh: d.t_refresh,
                        t_replicate: d.t_replicate,
                    },
                    peer: d.peer,
                },
            },
            addr_auth_type: u.addr_auth_type,
            cong_avoid: u.cong_avoid,
        }
    }
}

impl TryFrom<&ipcp_config> for IpcpConfig {
    type Error = Error;

    /// `Error::Inval` when a string is not UTF-8.
    fn try_from(c: &ipcp_config) -> Result<IpcpConfig> {
        let config = match IpcpType::from_u32(c.type_) {
            None | Some(IpcpType::Local) | Some(IpcpType::Broadcast) => TypeConfig::None,
            Some(IpcpType::Unicast) => TypeConfig::Unicast((&c.unicast()).into()),
            Some(IpcpType::EthLlc) | Some(IpcpType::EthDix) => {
                let e = c.eth();
                TypeConfig::Eth(EthConfig {
                    dev: str_from_array(&e.dev)?,
                    ethertype: u32::from(e.ethertype),
                })
            }
            Some(IpcpType::Udp4) => {
                let u = c.udp4();
                TypeConfig::Udp4(Udp4Config {
                    ip_addr: u.ip_addr.s_addr,
                    port: u32::from(u.port),
                    dns_addr: u.dns_addr.s_addr,
                })
            }
            Some(IpcpType::Udp6) => {
                let u = c.udp6();
                TypeConfig::Udp6(Udp6Config {
                    ip_addr: u.ip_addr.s6_addr,
                    port: u32::from(u.port),
                    dns_addr: u.dns_addr.s6_addr,
                })
            }
        };
        Ok(IpcpConfig {
            layer: LayerInfo {
                name: str_from_array(&c.layer_info.name)?,
                dir_hash_algo: c.layer_info.dir_hash_algo,
            },
            ipcp_type: c.type_,
            config,
        })
    }
}

impl From<&IpcpConfig> for ipcp_config {
    /// Names too long for their arrays are cut; ports and the ethertype are
    /// truncated to 16 bits, as C does.
    fn from(c: &IpcpConfig) -> Self {
        let mut out = ipcp_config::zeroed(c.ipcp_type);
        out.layer_info.name = array_from_str(&c.layer.name);
        out.layer_info.dir_hash_algo = c.layer.dir_hash_algo;
        match &c.config {
            TypeConfig::None => {}
            TypeConfig::Unicast(u) => out.u.unicast = u.into(),
            TypeConfig::Eth(e) => {
                out.u.eth = eth_config {
                    dev: array_from_str(&e.dev),
                    ethertype: e.ethertype as u16,
                }
            }
            TypeConfig::Udp4(u) => {
                out.u.udp4 = udp4_config {
                    ip_addr: in_addr { s_addr: u.ip_addr },
                    dns_addr: in_addr { s_addr: u.dns_addr },
                    port: u.port as u16,
                }
            }
            TypeConfig::Udp6(u) => {
                out.u.udp6 = udp6_config {
                    ip_addr: in6_addr { s6_addr: u.ip_addr },
                    dns_addr: in6_addr {
                        s6_addr: u.dns_addr,
                    },
                    port: u.port as u16,
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_domain_defaults() {
        let cases = [
            (IpcpType::Local, &local_default_conf),
            (IpcpType::Unicast, &uni_default_conf),
            (IpcpType::Broadcast, &bc_default_conf),
            (IpcpType::EthLlc, &eth_llc_default_conf),
            (IpcpType::EthDix, &eth_dix_default_conf),
            (IpcpType::Udp4, &udp4_default_conf),
            (IpcpType::Udp6, &udp6_default_conf),
        ];
        for (t, c) in cases {
            assert_eq!(
                IpcpConfig::try_from(c).unwrap(),
                IpcpConfig::default_for(t),
                "{t:?}"
            );
        }
    }

    #[test]
    fn round_trips_every_type() {
        for t in IpcpType::ALL {
            let mut d = IpcpConfig::default_for(t);
            d.layer.name = format!("layer-{}", t.name());
            match &mut d.config {
                TypeConfig::Udp4(u) => {
                    u.ip_addr = u32::from_ne_bytes([127, 0, 0, 1]);
                    u.dns_addr = u32::from_ne_bytes([10, 0, 0, 53]);
                }
                TypeConfig::Udp6(u) => u.ip_addr[15] = 1,
                TypeConfig::Eth(e) => e.dev = "veth0".into(),
                TypeConfig::Unicast(u) => u.dir.dht.peer = 0x1234_5678_9abc,
                TypeConfig::None => {}
            }
            let c = ipcp_config::from(&d);
            assert_eq!(IpcpConfig::try_from(&c).unwrap(), d);
        }
    }

    #[test]
    fn udp4_address_is_s_addr_as_stored() {
        let mut c = udp4_default_conf;
        c.u.udp4.ip_addr.s_addr = u32::from_ne_bytes([192, 168, 1, 2]);
        let d = IpcpConfig::try_from(&c).unwrap();
        let TypeConfig::Udp4(u) = d.config else {
            panic!("not udp4")
        };
        assert_eq!(u.ip_addr.to_ne_bytes(), [192, 168, 1, 2]);
    }

    #[test]
    fn routing_and_times_narrow_like_c() {
        let mut c = uni_default_conf;
        c.u.unicast.dt.routing.ls.t_timeo = (1 << 32) + 7;
        let d = IpcpConfig::try_from(&c).unwrap();
        let TypeConfig::Unicast(u) = d.config else {
            panic!("not unicast")
        };
        assert_eq!(u.dt.routing.ls.t_timeo, 7);
    }

    #[test]
    fn unknown_type_carries_no_sub_config() {
        let c = ipcp_config::zeroed(IPCP_INVALID);
        let d = IpcpConfig::try_from(&c).unwrap();
        assert_eq!(d.ipcp_type, IPCP_INVALID);
        assert_eq!(d.config, TypeConfig::None);
    }

    #[test]
    fn non_utf8_names_are_rejected() {
        let mut c = local_default_conf;
        c.layer_info.name[0] = -1;
        assert_eq!(IpcpConfig::try_from(&c), Err(Error::Inval));
    }
}

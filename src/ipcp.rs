//! IPC process types, states and configurations (upstream `ipcp.h`).

use crate::hash::HashAlgo;

pub const IPCP_NAME_SIZE: usize = 255;
pub const LAYER_NAME_SIZE: usize = 255;
pub const DEV_NAME_SIZE: usize = 255;
/// Component names used by `irm ipcp connect`.
pub const DT_COMP: &str = "Data Transfer";
pub const MGMT_COMP: &str = "Management";
/// Layer shown for an IPCP that is neither bootstrapped nor enrolled.
pub const NOT_ENROLLED: &str = "Not enrolled.";

/// IPCP types; the order is also the IRMd's preference for allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum IpcpType {
    Local = 0,
    Unicast = 1,
    Broadcast = 2,
    EthLlc = 3,
    EthDix = 4,
    Udp4 = 5,
    Udp6 = 6,
}

/// `IPCP_INVALID`.
pub const IPCP_INVALID: u32 = 7;

impl IpcpType {
    pub const ALL: [IpcpType; 7] = [
        IpcpType::Local,
        IpcpType::Unicast,
        IpcpType::Broadcast,
        IpcpType::EthLlc,
        IpcpType::EthDix,
        IpcpType::Udp4,
        IpcpType::Udp6,
    ];

    pub fn from_u32(v: u32) -> Option<IpcpType> {
        IpcpType::ALL.get(usize::try_from(v).ok()?).copied()
    }

    /// The name used by the tools and in logs ("local", "eth-llc", ...).
    pub fn name(self) -> &'static str {
        match self {
            IpcpType::Local => "local",
            IpcpType::Unicast => "unicast",
            IpcpType::Broadcast => "broadcast",
            IpcpType::EthLlc => "eth-llc",
            IpcpType::EthDix => "eth-dix",
            IpcpType::Udp4 => "udp4",
            IpcpType::Udp6 => "udp6",
        }
    }

    pub fn from_name(s: &str) -> Option<IpcpType> {
        IpcpType::ALL.into_iter().find(|t| t.name() == s)
    }

    /// The installed program implementing this type ("ipcpd-local", ...).
    pub fn program(self) -> String {
        format!("ipcpd-{}", self.name())
    }

    /// Maximum packet lifetime (ms) the IPCP reports for its flows.
    pub fn mpl(self) -> u32 {
        match self {
            IpcpType::Udp4 | IpcpType::Udp6 => 5000,
            _ => 100,
        }
    }
}

/// `enum ipcp_state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum IpcpState {
    Null = 0,
    Init = 1,
    Boot = 2,
    Bootstrapped = 3,
    Enrolled = 4,
    Operational = 5,
    Shutdown = 6,
}

impl IpcpState {
    pub fn from_u32(v: u32) -> Option<IpcpState> {
        use IpcpState::*;
        [
            Null,
            Init,
            Boot,
            Bootstrapped,
            Enrolled,
            Operational,
            Shutdown,
        ]
        .get(usize::try_from(v).ok()?)
        .copied()
    }
}

/// `struct ipcp_info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpcpInfo {
    /// Raw type value (may be invalid when it came from a request).
    pub ipcp_type: u32,
    pub pid: i32,
    pub name: String,
    pub state: u32,
}

/// `struct layer_info`: layer name and directory hash algorithm (raw value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerInfo {
    pub name: String,
    pub dir_hash_algo: u32,
}

impl LayerInfo {
    pub fn hash_algo(&self) -> Option<HashAlgo> {
        HashAlgo::from_u32(self.dir_hash_algo)
    }
}

/// One entry of `irm_list_ipcps`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpcpListInfo {
    pub pid: i32,
    pub ipcp_type: u32,
    pub name: String,
    pub layer: String,
    pub hash_algo: u32,
}

/// Link-state routing policies.
pub const LS_SIMPLE: u32 = 0;
pub const LS_LFA: u32 = 1;
pub const LS_ECMP: u32 = 2;
pub const ROUTING_LINK_STATE: u32 = 0;
pub const DIR_DHT: u32 = 0;
pub const ADDR_AUTH_FLAT_RANDOM: u32 = 0;
pub const CA_NONE: u32 = 0;
pub const CA_MB_ECN: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LsConfig {
    pub pol: u32,
    pub t_recalc: u32,
    pub t_update: u32,
    pub t_timeo: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingConfig {
    pub pol: u32,
    /// Meaningful (and on the wire) only for link-state routing.
    pub ls: LsConfig,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DtConfig {
    pub addr_size: u32,
    pub eid_size: u32,
    pub max_ttl: u32,
    pub routing: RoutingConfig,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DhtConfig {
    pub alpha: u32,
    pub k: u32,
    pub t_expire: u32,
    pub t_refresh: u32,
    pub t_replicate: u32,
    pub peer: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirConfig {
    pub pol: u32,
    /// Meaningful (and on the wire) only for the DHT policy.
    pub dht: DhtConfig,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniConfig {
    pub dt: DtConfig,
    pub dir: DirConfig,
    pub addr_auth_type: u32,
    pub cong_avoid: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EthConfig {
    pub dev: String,
    pub ethertype: u32,
}

/// UDP/IPv4: addresses as `in_addr.s_addr` read as a host integer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Udp4Config {
    pub ip_addr: u32,
    pub port: u32,
    pub dns_addr: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Udp6Config {
    pub ip_addr: [u8; 16],
    pub port: u32,
    pub dns_addr: [u8; 16],
}

/// The type-specific part of a bootstrap configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeConfig {
    /// Local and broadcast layers carry nothing extra.
    None,
    Unicast(UniConfig),
    Udp4(Udp4Config),
    Udp6(Udp6Config),
    Eth(EthConfig),
}

/// `struct ipcp_config`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpcpConfig {
    pub layer: LayerInfo,
    /// Raw `enum ipcp_type` value.
    pub ipcp_type: u32,
    pub config: TypeConfig,
}

impl LsConfig {
    /// `default_ls_config`.
    pub fn standard() -> Self {
        LsConfig {
            pol: LS_SIMPLE,
            t_recalc: 4,
            t_update: 15,
            t_timeo: 60,
        }
    }
}

impl Default for DtConfig {
    fn default() -> Self {
        DtConfig {
            addr_size: 4,
            eid_size: 8,
            max_ttl: 60,
            routing: RoutingConfig {
                pol: ROUTING_LINK_STATE,
                ls: LsConfig::standard(),
            },
        }
    }
}

impl DhtConfig {
    /// `default_dht_config`.
    pub fn standard() -> Self {
        DhtConfig {
            alpha: 3,
            k: 8,
            t_expire: 86400,
            t_refresh: 900,
            t_replicate: 900,
            peer: 0,
        }
    }
}

impl Default for UniConfig {
    fn default() -> Self {
        UniConfig {
            dt: DtConfig::default(),
            dir: DirConfig {
                pol: DIR_DHT,
                dht: DhtConfig::standard(),
            },
            addr_auth_type: ADDR_AUTH_FLAT_RANDOM,
            cong_avoid: CA_MB_ECN,
        }
    }
}

/// Default UDP port of the udp4/udp6 layers.
pub const UDP_DEFAULT_PORT: u32 = 3435;
/// Default Ethernet type of eth-dix layers.
pub const ETH_DIX_DEFAULT_ETHERTYPE: u32 = 0xA000;

impl IpcpConfig {
    /// The header's default configuration for a type (`local_default_conf`,
    /// `uni_default_conf`, ...), with an empty layer name.
    pub fn default_for(t: IpcpType) -> IpcpConfig {
        let sha3_256 = HashAlgo::Sha3_256 as u32;
        let (hash, config) = match t {
            IpcpType::Local => (sha3_256, TypeConfig::None),
            IpcpType::Broadcast => (0, TypeConfig::None),
            IpcpType::Unicast => (sha3_256, TypeConfig::Unicast(UniConfig::default())),
            IpcpType::EthLlc => (
                sha3_256,
                TypeConfig::Eth(EthConfig {
                    dev: String::new(),
                    ethertype: 0,
                }),
            ),
            IpcpType::EthDix => (
                sha3_256,
                TypeConfig::Eth(EthConfig {
                    dev: String::new(),
                    ethertype: ETH_DIX_DEFAULT_ETHERTYPE,
                }),
            ),
            IpcpType::Udp4 => (
                0,
                TypeConfig::Udp4(Udp4Config {
                    ip_addr: 0,
                    port: UDP_DEFAULT_PORT,
                    dns_addr: 0,
                }),
            ),
            IpcpType::Udp6 => (
                0,
                TypeConfig::Udp6(Udp6Config {
                    ip_addr: [0; 16],
                    port: UDP_DEFAULT_PORT,
                    dns_addr: [0; 16],
                }),
            ),
        };
        IpcpConfig {
            layer: LayerInfo {
                name: String::new(),
                dir_hash_algo: hash,
            },
            ipcp_type: t as u32,
            config,
        }
    }
}

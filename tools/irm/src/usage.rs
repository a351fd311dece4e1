//! Usage texts, byte for byte as upstream prints them (all to stdout).

use ouroboros::ipcp::{DhtConfig, DtConfig, LsConfig, ETH_DIX_DEFAULT_ETHERTYPE, UDP_DEFAULT_PORT};
use ouroboros::name::NAME_SIZE;

pub const IRM: &str = "Usage: irm [OPERATION]\n\nwhere OPERATION in { ipcp bind unbind name }\n";

pub const IPCP: &str = "Usage: irm ipcp [OPERATION]\n\n\
where OPERATION in {create destroy\n\
\x20                   bootstrap enroll\n\
\x20                   connect disconnect\n\
\x20                   list\n\
\x20                   help}\n";

pub const BIND: &str =
    "Usage: irm bind [OPERATION]\n\nwhere OPERATION in {program process ipcp help}\n";

pub const UNBIND: &str =
    "Usage: irm unbind [OPERATION]\n\nwhere OPERATION in {program process ipcp help}\n";

pub const NAME: &str = "Usage: irm name [OPERATION]\n\n\
where OPERATION in {create destroy\n\
\x20                   register unregister\n\
\x20                   list\n\
\x20                   help}\n";

const TYPES: &str = "unicast broadcast local udp4 udp6 eth-llc eth-dix";

pub fn ipcp_create() -> String {
    format!(
        "Usage: irm ipcp create\n\
         \x20               name <ipcp name>\n\
         \x20               type [TYPE]\n\n\
         where TYPE in {{{TYPES}}}\n"
    )
}

const ALGOS: &str = "SHA3_224 SHA3_256 SHA3_384 SHA3_512";

/// The bootstrap usage; the defaults come from the configuration defaults.
pub fn ipcp_bootstrap() -> String {
    let dt = DtConfig::default();
    let dht = DhtConfig::standard();
    let ls = LsConfig::standard();
    let hash = "SHA3_256";
    let mut s = format!(
        "Usage: irm ipcp bootstrap\n\
         \x20          name <ipcp name>\n\
         \x20          layer <layer name>\n\
         \x20          [type [TYPE]]\n\
         where TYPE in {{{TYPES}}},\n\n"
    );
    s += &format!(
        "if TYPE == unicast\n\
         \x20       [addr_auth <ADDRESS_POLICY> (default: flat)]\n\
         \x20       [directory <DIRECTORY_POLICY> (default: DHT)]\n\
         \x20       [hash [ALGORITHM] (default: {hash})]\n\
         \x20       [routing <ROUTING_POLICY> (default: link_state)]\n\
         \x20       [congestion <CONG_POLICY> (default: mb-ecn)]\n\
         \x20       [autobind]\n\n\
         where ADDRESS_POLICY in {{flat}}\n\
         \x20   DIRECTORY_POLICY in {{DHT}}\n\
         \x20   ALGORITHM in {{{ALGOS}}}\n\
         \x20   ROUTING_POLICY in {{link_state lfa ecmp}}\n\
         \x20   CONG_POLICY in {{none mb-ecn}}\n\
         \x20   [Data Transfer Constants]\n\
         \x20       [addr <address size> (default: {})]\n\
         \x20       [eid <eid size> (default: {})]\n\
         \x20       [ttl <max time-to-live>, default: {})]\n\n",
        dt.addr_size, dt.eid_size, dt.max_ttl
    );
    s += &format!(
        "if DIRECTORY_POLICY == DHT\n\
         \x20       [dht_alpha <search factor> (default: {})]\n\
         \x20       [dht_k <replication factor> (default: {})]\n\
         \x20       [dht_t_expire <expiration (s)> (default: {})]\n\
         \x20       [dht_t_refresh <contact refresh (s)> (default: {})]\n\
         \x20       [dht_t_replicate <replication (s)> (default: {})]\n\n",
        dht.alpha, dht.k, dht.t_expire, dht.t_refresh, dht.t_replicate
    );
    s += &format!(
        "if ROUTING_POLICY == link_state\n\
         \x20       [ls_t_recalc <pff recalc interval (s)> (default: {})]\n\
         \x20       [ls_t_update <LSA update interval (s)> (default: {})]\n\
         \x20       [ls_t_timeo  <link timeout (s)> (default: {})]\n\n",
        ls.t_recalc, ls.t_update, ls.t_timeo
    );
    s += &format!(
        "if TYPE == udp4\n\
         \x20       ip <IP address in dotted notation>\n\
         \x20       [port <UDP port> (default: {UDP_DEFAULT_PORT})]\n\
         \x20       [dns <DDNS IPv4 address in dotted notation> (default: none)]\n\n\
         if TYPE == udp6\n\
         \x20       ip <IPv6 address>\n\
         \x20       [port <UDP port> (default: {UDP_DEFAULT_PORT})]\n\
         \x20       [dns <DDNS IPv6 address> (default: none)]\n\n"
    );
    s += &format!(
        "if TYPE == eth-llc\n\
         \x20       dev <interface name>\n\
         \x20       [hash [ALGORITHM] (default: {hash})]\n\
         where ALGORITHM in {{{ALGOS}}}\n\n\
         if TYPE == eth-dix\n\
         \x20       dev <interface name>\n\
         \x20       [ethertype <ethertype> (default: 0x{ETH_DIX_DEFAULT_ETHERTYPE:4X})]\n\
         \x20       [hash [ALGORITHM] (default: {hash})]\n\
         where ALGORITHM in {{{ALGOS}}}\n\n\
         if TYPE == local\n\
         \x20       [hash [ALGORITHM] (default: {hash})]\n\
         where ALGORITHM in {{{ALGOS}}}\n\n\
         if TYPE == broadcast\n\
         \x20       [autobind]\n\n"
    );
    s
}

pub const IPCP_ENROLL: &str = "Usage: irm ipcp enroll\n\
\x20               name <ipcp name>\n\
\x20               [layer <layer to enroll with>]\n\
\x20               [dst <destination to enroll with>]\n\
\x20               [type [TYPE], default = unicast]\n\
\x20               [autobind]\n\
where TYPE in {unicast broadcast}\n";

pub const IPCP_CONNECT: &str = "Usage: irm ipcp connect\n\
\x20               name      <ipcp name>\n\
\x20               dst       <name of destination IPCP>\n\
\x20               [component [COMPONENT]]\n\
where COMPONENT in {dt mgmt}\n\n\
if COMPONENT == dt\n\
\x20               [qos       [QOS]\n\
where QOS in {raw, best, voice, video, data}\n";

pub const IPCP_DISCONNECT: &str = "Usage: irm ipcp disconnect\n\
\x20               name      <ipcp name>\n\
\x20               dst       <name of destination IPCP>\n\
\x20               [component [COMPONENT]]\n\n\
where COMPONENT in {dt mgmt}\n";

pub const IPCP_DESTROY: &str = "Usage: irm ipcp destroy\n\
\x20               name <ipcp name>\n";

pub const IPCP_LIST: &str = "Usage: irm ipcp list\n\
\x20               [name  <ipcp name>]\n\
\x20               [layer <layer_name>]\n\n\
\x20               [type [TYPE]]\n\n\
where TYPE = {unicast local udp4 udp6 eth-llc eth-dix}\n";

pub const BIND_PROGRAM: &str = "Usage: irm bind program <program>\n\
\x20          name <name>\n\
\x20          [auto] (instantiate program if not running)\n\
\x20          [-- <application arguments>]\n";

pub const BIND_PROCESS: &str = "Usage: irm bind process <pid> name <name>\n";

pub const BIND_IPCP: &str = "Usage: irm bind ipcp <name> name <name>\n";

pub const UNBIND_PROGRAM: &str = "Usage: irm unbind program <program>\n\
\x20                 [name <name> (default: unbind all names)]\n";

pub const UNBIND_PROCESS: &str = "Usage: irm unbind process <pid>\n\
\x20                 [name <name> (default: unbind all names)]\n";

pub const UNBIND_IPCP: &str = "Usage: irm unbind ipcp <name>\n\
\x20                 [name <name> (default: remove all IPCP info)]\n";

pub fn name_create() -> String {
    let paths = [
        ("sencpath", "server", "enc.conf"),
        ("scrtpath", "server", "crt.pem"),
        ("skeypath", "server", "key.pem"),
        ("cencpath", "client", "enc.conf"),
        ("ccrtpath", "client", "crt.pem"),
        ("ckeypath", "client", "key.pem"),
    ];
    let mut s = format!(
        "Usage: irm name create\n\
         \x20               <name>. max {NAME_SIZE} chars.\n\
         \x20               [lb LB_POLICY], default: round-robin\n"
    );
    for (kw, side, file) in paths {
        s += &format!(
            "                [{kw} <path>, default: <security_dir>/{side}/<name>/{file}]\n"
        );
    }
    s + "\nwhere LB_POLICY in {round-robin spillover}\n"
}

pub const NAME_DESTROY: &str = "Usage: irm name destroy <name>\n";

/// Most `ipcp`/`layer` entries accepted by `name register|unregister`.
pub const MAX_TARGETS: usize = 128;

pub fn name_register() -> String {
    format!(
        "Usage: irm name register <name>\n\
         \x20          ipcp <ipcp to register with>\n\
         \x20          [ipcp <ipcp to register with>]\n\
         \x20          [... (maximum {MAX_TARGETS} ipcps)]\n\
         \x20          layer <layer to register with>\n\
         \x20          [layer <layer to register with>]\n\
         \x20          [... (maximum {MAX_TARGETS} layers)]\n"
    )
}

pub fn name_unregister() -> String {
    format!(
        "Usage: irm name unregister <name>\n\
         \x20          ipcp <ipcp to register with>\n\
         \x20          [ipcp <ipcp to register with>]\n\
         \x20          [... (maximum {MAX_TARGETS} ipcps)]\n\
         \x20          layer <layer to unregister from>\n\
         \x20          [layer <layer to unregister from>]\n\
         \x20          [... (maximum {MAX_TARGETS} layers)]\n"
    )
}

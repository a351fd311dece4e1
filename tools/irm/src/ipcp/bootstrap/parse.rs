//! Command line of `irm ipcp bootstrap`: keywords, values and defaults.

use crate::util;
use ouroboros::hash::HashAlgo;
use ouroboros::ipcp::{
    DhtConfig, DtConfig, IpcpType, LsConfig, ADDR_AUTH_FLAT_RANDOM, CA_MB_ECN, CA_NONE,
    ETH_DIX_DEFAULT_ETHERTYPE, LS_ECMP, LS_LFA, LS_SIMPLE, UDP_DEFAULT_PORT,
};
use tools_common::cnum::{atoi, strtol_radix};

/// Keywords in the order abbreviations are resolved.
pub const KEYWORDS: [&str; 25] = [
    "type",
    "layer",
    "name",
    "hash",
    "ip",
    "dns",
    "device",
    "ethertype",
    "addr",
    "eid",
    "ttl",
    "port",
    "autobind",
    "addr_auth",
    "directory",
    "dht_alpha",
    "dht_k",
    "dht_t_expire",
    "dht_t_refresh",
    "dht_t_replicate",
    "routing",
    "ls_t_timeo",
    "ls_t_update",
    "ls_t_recalc",
    "congestion",
];

/// Type names in the order a (prefix) `type` value is resolved.
pub const TYPE_ORDER: [IpcpType; 7] = [
    IpcpType::Unicast,
    IpcpType::Broadcast,
    IpcpType::Udp4,
    IpcpType::Udp6,
    IpcpType::EthDix,
    IpcpType::EthLlc,
    IpcpType::Local,
];

/// Everything the command line can set.
#[derive(Debug)]
pub struct Opts<'a> {
    pub ipcp: Option<&'a str>,
    pub layer: Option<&'a str>,
    pub type_word: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub dns: Option<&'a str>,
    pub dev: Option<&'a str>,
    pub hash: HashAlgo,
    pub ethertype: u16,
    pub addr_size: u8,
    pub eid_size: u8,
    pub max_ttl: u8,
    pub port: i32,
    pub autobind: bool,
    pub addr_auth: u32,
    pub dht: DhtConfig,
    pub ls: LsConfig,
    pub cong_avoid: u32,
}

impl Default for Opts<'_> {
    fn default() -> Self {
        let dt = DtConfig::default();
        Opts {
            ipcp: None,
            layer: None,
            type_word: None,
            ip: None,
            dns: None,
            dev: None,
            hash: HashAlgo::Sha3_256,
            ethertype: ETH_DIX_DEFAULT_ETHERTYPE as u16,
            addr_size: dt.addr_size as u8,
            eid_size: dt.eid_size as u8,
            max_ttl: dt.max_ttl as u8,
            port: UDP_DEFAULT_PORT as i32,
            autobind: false,
            addr_auth: ADDR_AUTH_FLAT_RANDOM,
            dht: DhtConfig::standard(),
            ls: LsConfig::standard(),
            cong_avoid: CA_MB_ECN,
        }
    }
}

/// Why parsing stopped; the caller prints the matching text.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError<'a> {
    /// `Unknown option: "<word>".`
    UnknownOption(&'a str),
    /// `Unknown parameter for <keyword>: "<value>".`
    BadValue(&'a str, &'a str),
    /// `Invalid Ethertype: "<value>".` (+ recommended range).
    BadEthertype(&'a str),
    /// A keyword whose value upstream dereferences is the last argument.
    MissingValue,
}

fn hash_by_name(v: &str) -> Option<HashAlgo> {
    Some(match v {
        "SHA3_224" => HashAlgo::Sha3_224,
        "SHA3_256" => HashAlgo::Sha3_256,
        "SHA3_384" => HashAlgo::Sha3_384,
        "SHA3_512" => HashAlgo::Sha3_512,
        _ => return None,
    })
}

/// Ethertype value: hexadecimal with an optional `0x`, kept modulo 2^16
/// like a C `uint16_t`; valid from 0x0600 up to (not including) 0xFFFF.
pub fn parse_ethertype(v: &str) -> Option<u16> {
    let e = strtol_radix(v, 16).0 as u16;
    (0x0600..0xFFFF).contains(&e).then_some(e)
}

/// Reads the arguments; later occurrences of a keyword override earlier ones.
pub fn parse(args: &[String]) -> Result<Opts<'_>, ParseError<'_>> {
    let mut o = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let word = args[i].as_str();
        let value = util::next(args, i);
        let Some(kw) = util::pick(word, &KEYWORDS) else {
            return Err(ParseError::UnknownOption(word));
        };
        let mut step = 2;
        match kw {
            "type" => o.type_word = value,
            "layer" => o.layer = value,
            "name" => o.ipcp = value,
            "ip" => o.ip = value,
            "dns" => o.dns = value,
            "device" => o.dev = value,
            "autobind" => {
                o.autobind = true;
                step = 1;
            }
            _ => {
                let v = value.ok_or(ParseError::MissingValue)?;
                let bad = ParseError::BadValue(word, v);
                match kw {
                    "hash" => o.hash = hash_by_name(v).ok_or(bad)?,
                    "ethertype" => {
                        o.ethertype = parse_ethertype(v).ok_or(ParseError::BadEthertype(v))?
                    }
                    "addr" => o.addr_size = atoi(v) as u8,
                    "eid" => o.eid_size = atoi(v) as u8,
                    "ttl" => o.max_ttl = atoi(v) as u8,
                    "port" => o.port = atoi(v),
                    "addr_auth" if v == "flat" => o.addr_auth = ADDR_AUTH_FLAT_RANDOM,
                    "directory" if v == "DHT" => {}
                    "dht_alpha" => o.dht.alpha = atoi(v) as u32,
                    "dht_k" => o.dht.k = atoi(v) as u32,
                    "dht_t_expire" => o.dht.t_expire = atoi(v) as u32,
                    "dht_t_refresh" => o.dht.t_refresh = atoi(v) as u32,
                    "dht_t_replicate" => o.dht.t_replicate = atoi(v) as u32,
                    "routing" => {
                        o.ls.pol = match v {
                            "link_state" => LS_SIMPLE,
                            "lfa" => LS_LFA,
                            "ecmp" => LS_ECMP,
                            _ => return Err(bad),
                        }
                    }
                    "ls_t_timeo" => o.ls.t_timeo = atoi(v) as u32,
                    "ls_t_update" => o.ls.t_update = atoi(v) as u32,
                    "ls_t_recalc" => o.ls.t_recalc = atoi(v) as u32,
                    "congestion" if v == "none" => o.cong_avoid = CA_NONE,
                    "congestion" if v == "mb-ecn" => o.cong_avoid = CA_MB_ECN,
                    _ => return Err(bad),
                }
            }
        }
        i += step;
    }
    Ok(o)
}

/// Resolves an abbreviated type word.
pub fn type_by_prefix(word: &str) -> Option<IpcpType> {
    TYPE_ORDER
        .into_iter()
        .find(|t| util::is_prefix(word, t.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn keyword_abbreviations() {
        let cases = [
            ("t", "type"),
            ("l", "layer"),
            ("n", "name"),
            ("h", "hash"),
            ("i", "ip"),
            ("d", "dns"),
            ("dev", "device"),
            ("e", "ethertype"),
            ("a", "addr"),
            ("ad", "addr"),
            ("addr_", "addr_auth"),
            ("p", "port"),
            ("au", "autobind"),
            ("di", "directory"),
            ("dht", "dht_alpha"),
            ("dht_t", "dht_t_expire"),
            ("dht_t_re", "dht_t_refresh"),
            ("dht_t_rep", "dht_t_replicate"),
            ("r", "routing"),
            ("ls", "ls_t_timeo"),
            ("ls_t_u", "ls_t_update"),
            ("ls_t_r", "ls_t_recalc"),
            ("c", "congestion"),
            ("", "type"),
        ];
        for (word, kw) in cases {
            assert_eq!(util::pick(word, &KEYWORDS), Some(kw), "{word}");
        }
        assert_eq!(util::pick("if", &KEYWORDS), None);
        assert_eq!(util::pick("types", &KEYWORDS), None);
    }

    #[test]
    fn type_abbreviations() {
        assert_eq!(type_by_prefix("u"), Some(IpcpType::Unicast));
        assert_eq!(type_by_prefix(""), Some(IpcpType::Unicast));
        assert_eq!(type_by_prefix("udp"), Some(IpcpType::Udp4));
        assert_eq!(type_by_prefix("udp6"), Some(IpcpType::Udp6));
        assert_eq!(type_by_prefix("e"), Some(IpcpType::EthDix));
        assert_eq!(type_by_prefix("eth-l"), Some(IpcpType::EthLlc));
        assert_eq!(type_by_prefix("l"), Some(IpcpType::Local));
        assert_eq!(type_by_prefix("b"), Some(IpcpType::Broadcast));
        assert_eq!(type_by_prefix("x"), None);
        assert_eq!(type_by_prefix("unicastx"), None);
    }

    #[test]
    fn ethertype_values() {
        assert_eq!(parse_ethertype("0xA000"), Some(0xA000));
        assert_eq!(parse_ethertype("a000"), Some(0xA000));
        assert_eq!(parse_ethertype("0600"), Some(0x0600));
        assert_eq!(parse_ethertype("0x0600"), Some(0x0600));
        assert_eq!(parse_ethertype("FFFE"), Some(0xFFFE));
        assert_eq!(parse_ethertype("FFFF"), None);
        assert_eq!(parse_ethertype("05FF"), None);
        assert_eq!(parse_ethertype("0x"), None);
        assert_eq!(parse_ethertype("zz"), None);
        // Truncated to 16 bits, as a C uint16_t.
        assert_eq!(parse_ethertype("1A000"), Some(0xA000));
        assert_eq!(parse_ethertype("-1"), None);
        assert_eq!(parse_ethertype("A000junk"), Some(0xA000));
    }

    #[test]
    fn parse_values_and_errors() {
        let a = args("n x l y addr 300 eid 8 ttl -1 port 70000 h SHA3_512 r lfa c none dht_k 5 autobind ls_t_recalc 2");
        let o = parse(&a).unwrap();
        assert_eq!((o.ipcp, o.layer), (Some("x"), Some("y")));
        assert_eq!((o.addr_size, o.eid_size, o.max_ttl), (44, 8, 255));
        assert_eq!(o.port as u16, 4464);
        assert_eq!(o.hash, HashAlgo::Sha3_512);
        assert_eq!(
            (o.ls.pol, o.cong_avoid, o.dht.k, o.ls.t_recalc),
            (LS_LFA, CA_NONE, 5, 2)
        );
        assert!(o.autobind);

        let a = args("name x hash sha3_256");
        assert_eq!(
            parse(&a).unwrap_err(),
            ParseError::BadValue("hash", "sha3_256")
        );
        let a = args("name x rout foo");
        assert_eq!(parse(&a).unwrap_err(), ParseError::BadValue("rout", "foo"));
        let a = args("name x if eth0");
        assert_eq!(parse(&a).unwrap_err(), ParseError::UnknownOption("if"));
        let a = args("e 0x0500 bogus");
        assert_eq!(parse(&a).unwrap_err(), ParseError::BadEthertype("0x0500"));
        let a = args("name x hash");
        assert_eq!(parse(&a).unwrap_err(), ParseError::MissingValue);
        let a = args("name x layer");
        assert_eq!(parse(&a).unwrap().layer, None);
    }

    #[test]
    fn defaults() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.hash, HashAlgo::Sha3_256);
        assert_eq!(
            (o.addr_size, o.eid_size, o.max_ttl, o.port),
            (4, 8, 60, 3435)
        );
        assert_eq!(o.ethertype, 0xA000);
        assert_eq!(o.cong_avoid, CA_MB_ECN);
        assert_eq!(o.ls, LsConfig::standard());
        assert_eq!(o.dht, DhtConfig::standard());
    }
}

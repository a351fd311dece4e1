//! ipcpd-udp4 / ipcpd-udp6: a shim layer over one UDP socket. Flow
//! requests and replies are management datagrams (endpoint id 0); data
//! datagrams carry the receiver's fd as endpoint id. Names resolve through
//! the system resolver (the lowercase hex MD5 of the name as host name).

mod io;
pub mod wire;

use crate::ops::IpcpOps;
use crate::runtime::spawn;
use crate::runtime::Ipcp;
use crate::shim_dir::ShimDir;
use ouroboros::dev::fqueue::FSet;
use ouroboros::dev::np1;
use ouroboros::hash::hex;
use ouroboros::ipcp::{IpcpConfig, TypeConfig};
use ouroboros::qos::QosSpec;
use ouroboros::{log_err, log_warn};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use wire::Mgmt;

const PREFIX: &str = "ipcpd/udp";
/// Maximum packet lifetime reported with new flows (ms).
const UDP_MPL: u32 = 5000;
/// One reader and one writer keep each flow's packets in order (upstream
/// runs three of each, which can reorder them); neither ever blocks on a
/// flow, so one is enough.
const READERS: usize = 1;
const WRITERS: usize = 1;

/// IPv4 or IPv6: the address family and its datagram limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    /// Largest datagram read or sent, endpoint id included.
    pub fn max_packet(self) -> usize {
        match self {
            Family::V4 => 8980,
            Family::V6 => 8952,
        }
    }

    fn matches(self, ip: &IpAddr) -> bool {
        matches!(
            (self, ip),
            (Family::V4, IpAddr::V4(_)) | (Family::V6, IpAddr::V6(_))
        )
    }
}

/// The remote end of one of our flows.
#[derive(Clone, Copy, Debug)]
struct Peer {
    addr: SocketAddr,
    /// The peer's fd, which our data datagrams carry (-1: not known yet).
    d_eid: i32,
}

/// State shared by the IPCP's threads once bootstrapped.
struct Net {
    family: Family,
    sock: UdpSocket,
    port: u16,
    flows: Mutex<HashMap<i32, Peer>>,
    set: FSet,
    /// Management datagrams waiting for the handler.
    mgmt: Mutex<VecDeque<(SocketAddr, Vec<u8>)>>,
    mgmt_cond: Condvar,
}

pub struct Udp {
    family: Family,
    names: ShimDir<IpAddr>,
    net: OnceLock<Arc<Net>>,
}

impl Udp {
    pub fn new(family: Family) -> Udp {
        Udp {
            family,
            names: ShimDir::default(),
            net: OnceLock::new(),
        }
    }

    fn net(&self) -> Option<&Arc<Net>> {
        self.net.get()
    }

    /// The bound address and DNS server of a bootstrap configuration.
    fn addresses(&self, conf: &IpcpConfig) -> Option<(SocketAddr, IpAddr)> {
        match (&conf.config, self.family) {
            (TypeConfig::Udp4(u), Family::V4) => Some((
                SocketAddr::new(
                    IpAddr::V4(Ipv4Addr::from(u.ip_addr.to_ne_bytes())),
                    u.port as u16,
                ),
                IpAddr::V4(Ipv4Addr::from(u.dns_addr.to_ne_bytes())),
            )),
            (TypeConfig::Udp6(u), Family::V6) => Some((
                SocketAddr::new(IpAddr::V6(Ipv6Addr::from(u.ip_addr)), u.port as u16),
                IpAddr::V6(Ipv6Addr::from(u.dns_addr)),
            )),
            _ => None,
        }
    }
}

impl IpcpOps for Udp {
    fn bootstrap(&self, conf: &IpcpConfig) -> Option<i32> {
        let Some((addr, dns)) = self.addresses(conf) else {
            log_err!(PREFIX, "Failed to convert IP address.");
            return Some(-1);
        };
        if addr.ip().is_unspecified() {
            log_err!(PREFIX, "Failed to convert IP address.");
            return Some(-1);
        }
        if !dns.is_unspecified() {
            // no nsupdate/nslookup support, as upstream's reference build
            log_warn!(PREFIX, "DNS disabled at compile time, address ignored.");
        }
        let sock = match UdpSocket::bind(addr) {
            Ok(s) => s,
            Err(e) => {
                log_err!(
                    PREFIX,
                    "Couldn't bind to {}:{}. {}.",
                    addr.ip(),
                    addr.port(),
                    e
                );
                return Some(-1);
            }
        };
        let Some(set) = FSet::create() else {
            log_err!(PREFIX, "Failed to create the flow set.");
            return Some(-1);
        };
        let net = Arc::new(Net {
            family: self.family,
            sock,
            port: addr.port(),
            flows: Mutex::new(HashMap::new()),
            set,
            mgmt: Mutex::new(VecDeque::new()),
            mgmt_cond: Condvar::new(),
        });
        let mut ok = {
            let n = net.clone();
            spawn("udp-mgmt", move || io::mgmt_handler(&n))
        };
        for i in 0..READERS {
            let n = net.clone();
            ok &= spawn(&format!("udp-reader-{i}"), move || io::reader(&n));
        }
        for i in 0..WRITERS {
            let n = net.clone();
            ok &= spawn(&format!("udp-writer-{i}"), move || io::writer(&n));
        }
        if !ok {
            log_err!(PREFIX, "Failed to create reader thread.");
            return Some(-1);
        }
        if self.net.set(net).is_err() {
            return Some(-1);
        }
        Some(0)
    }

    fn reg(&self, hash: &[u8]) -> Option<i32> {
        self.names.reg_add(hash);
        Some(0)
    }

    fn unreg(&self, hash: &[u8]) -> Option<i32> {
        self.names.reg_del(hash);
        Some(0)
    }

    fn query(&self, hash: &[u8]) -> Option<i32> {
        if self.names.dir_get(hash).is_some() {
            return Some(0);
        }
        let host = hex(hash);
        let found = (host.as_str(), 0u16)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.find(|a| self.family.matches(&a.ip())));
        match found {
            Some(a) => {
                self.names.dir_add(hash, a.ip());
                Some(0)
            }
            None => {
                log_err!(PREFIX, "Could not resolve {}.", host);
                Some(-1)
            }
        }
    }

    fn flow_alloc(
        &self,
        _ipcp: &Ipcp,
        fd: i32,
        hash: &[u8],
        qs: &QosSpec,
        pk: &[u8],
    ) -> Option<i32> {
        let Some(net) = self.net() else {
            return Some(-1);
        };
        let Some(ip) = self.names.dir_get(hash) else {
            log_err!(PREFIX, "Could not resolve destination.");
            return Some(-1);
        };
        let addr = SocketAddr::new(ip, net.port);
        // known before the request leaves: the reply may be quick
        net.set_peer(fd, Peer { addr, d_eid: -1 });
        let req = Mgmt::Req {
            s_eid: fd as u32,
            qos: *qs,
            hash: hash.to_vec(),
            data: pk.to_vec(),
        };
        if let Err(e) = net.send_mgmt(&req, addr) {
            log_err!(PREFIX, "Failed to send flow allocation request: {}.", e);
            log_err!(PREFIX, "Could not allocate port.");
            net.forget(fd);
            return Some(-1);
        }
        let _ = net.set.add(fd);
        Some(0)
    }

    fn flow_alloc_resp(&self, ipcp: &Ipcp, fd: i32, response: i32, pk: &[u8]) -> Option<i32> {
        let Some(net) = self.net() else {
            return Some(-1);
        };
        if ipcp.wait_flow_resp(fd) < 0 {
            log_err!(PREFIX, "Failed to wait for flow response.");
            return Some(-1);
        }
        let Some(peer) = net.peer(fd) else {
            log_err!(PREFIX, "Failed to respond to flow request.");
            return Some(-1);
        };
        let reply = Mgmt::Reply {
            s_eid: peer.d_eid as u32,
            d_eid: fd as u32,
            response,
            data: pk.to_vec(),
        };
        if net.send_mgmt(&reply, peer.addr).is_err() {
            net.set.del(fd);
            log_err!(PREFIX, "Failed to respond to flow request.");
            return Some(-1);
        }
        let _ = net.set.add(fd);
        Some(0)
    }

    fn flow_dealloc(&self, _ipcp: &Ipcp, fd: i32) -> Option<i32> {
        let _ = np1::ipcp_flow_fini(fd);
        if let Some(net) = self.net() {
            net.set.del(fd);
            net.forget(fd);
        }
        let _ = np1::ipcp_flow_dealloc(fd);
        Some(0)
    }
}

impl Net {
    fn set_peer(&self, fd: i32, p: Peer) {
        self.flows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(fd, p);
    }

    fn peer(&self, fd: i32) -> Option<Peer> {
        self.flows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&fd)
            .copied()
    }

    fn forget(&self, fd: i32) {
        self.flows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&fd);
    }

    fn send_mgmt(&self, m: &Mgmt, to: SocketAddr) -> std::io::Result<()> {
        let b = wire::encode(m);
        if b.len() > wire::MGMT_SEND_MAX {
            return Err(std::io::Error::from_raw_os_error(libc::EMSGSIZE));
        }
        io::send(&self.sock, &b, to)
    }
}

/// Runs `ipcpd-udp4` or `ipcpd-udp6`.
pub fn main(family: Family) {
    let ty = match family {
        Family::V4 => ouroboros::ipcp::IpcpType::Udp4,
        Family::V6 => ouroboros::ipcp::IpcpType::Udp6,
    };
    crate::run(ty, Box::new(Udp::new(family)));
}

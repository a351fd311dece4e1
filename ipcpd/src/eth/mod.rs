//! ipcpd-eth-dix / ipcpd-eth-llc: shim layers over one Ethernet
//! interface. Management frames (endpoint 0 for DIX, SAP 1 both ways for
//! LLC) carry name queries (broadcast, answered only for registered
//! names) and flow requests and replies; data frames carry the
//! receiver's fd (DIX) or a SAP pair (LLC).
//!
//! As upstream's, a netlink thread marks every flow down while the
//! interface is down (`link`).

pub mod frame;
mod io;
pub mod link;
pub mod mgmt;
mod raw;
pub mod table;

use crate::ops::IpcpOps;
use crate::runtime::spawn;
use crate::runtime::Ipcp;
use crate::server::h32;
use crate::shim_dir::ShimDir;
use frame::{Framing, Mac, BROADCAST};
use mgmt::Msg;
use ouroboros::c_api::fccntl::FLOWFDOWN;
use ouroboros::dev::fccntl::{fccntl, Cmd};
use ouroboros::dev::fqueue::FSet;
use ouroboros::dev::np1;
use ouroboros::ipcp::{IpcpConfig, IpcpType, TypeConfig};
use ouroboros::qos::QosSpec;
use ouroboros::{log_err, log_info};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};
use table::{Ef, Table};

/// Maximum packet lifetime reported with new flows (ms).
const ETH_MPL: u32 = 100;
/// How long a name query waits for an answer.
const NAME_QUERY_TIMEO: Duration = Duration::from_millis(2000);
/// Management payloads longer than this are dropped on receipt.
const MGMT_FRAME_SIZE: usize = 9000;
/// The MTU used on interfaces whose name starts with "lo".
const LO_MTU: usize = 9000;
/// Flow requests and replies waiting for the handler beyond this many
/// are dropped (a flood cannot eat the memory).
const MGMT_QUEUE_MAX: usize = 1024;

/// Which of the two shims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dix,
    Llc,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Dix => "ipcpd/eth-dix",
            Kind::Llc => "ipcpd/eth-llc",
        }
    }

    fn ipcp_type(self) -> IpcpType {
        match self {
            Kind::Dix => IpcpType::EthDix,
            Kind::Llc => IpcpType::EthLlc,
        }
    }
}

/// State shared by the IPCP's threads once bootstrapped.
struct Net {
    kind: Kind,
    prefix: &'static str,
    framing: Framing,
    sock: raw::RawSock,
    mac: Mac,
    /// The interface's index (for the link monitor).
    ifindex: i32,
    /// The layer MTU: the largest shim payload is `mtu - overhead`.
    mtu: usize,
    hash_len: usize,
    names: Arc<ShimDir<Mac>>,
    flows: Mutex<Table>,
    set: FSet,
    /// Flow requests and replies waiting for the handler.
    mgmt: Mutex<VecDeque<(Mac, Msg)>>,
    mgmt_cond: Condvar,
    /// Signalled whenever a name query reply was taken.
    answers: Mutex<()>,
    answer_cond: Condvar,
}

pub struct Eth {
    kind: Kind,
    names: Arc<ShimDir<Mac>>,
    net: OnceLock<Arc<Net>>,
}

impl Net {
    /// The link monitor thread (upstream's `eth_ipcp_if_monitor`).
    fn monitor_link(&self) {
        let r = link::run(self.ifindex, |up| self.change_flows_state(up));
        if let Err(e) = r {
            log_err!(self.prefix, "Failed to open socket: {}.", e);
        }
    }

    /// Marks every flow with a peer (DIX) or a SAP (LLC) up or down.
    fn change_flows_state(&self, up: bool) {
        let flows = self.flows.lock().unwrap_or_else(|e| e.into_inner());
        for fd in flows.fds() {
            let Some(ef) = flows.get(fd) else { continue };
            let live = match self.kind {
                Kind::Dix => ef.r_ep.is_some(),
                Kind::Llc => ef.sap.is_some(),
            };
            if !live {
                continue;
            }
            let mut flags = 0;
            if fccntl(fd, Cmd::GetFlags(Some(&mut flags))).is_err() {
                continue;
            }
            let flags = if up {
                flags & !FLOWFDOWN
            } else {
                flags | FLOWFDOWN
            };
            let _ = fccntl(fd, Cmd::SetFlags(flags));
        }
    }
}

/// The layer MTU of `dev` given its interface MTU.
fn layer_mtu(framing: Framing, dev: &str, if_mtu: usize) -> usize {
    let mtu = if_mtu.min(framing.mtu_max());
    if dev.starts_with("lo") {
        mtu.min(LO_MTU)
    } else {
        mtu
    }
}

impl Eth {
    pub fn new(kind: Kind) -> Eth {
        Eth {
            kind,
            names: Arc::new(ShimDir::default()),
            net: OnceLock::new(),
        }
    }

    fn net(&self) -> Option<&Arc<Net>> {
        self.net.get()
    }

    /// The framing, socket and addresses of a configuration; Err(()) after
    /// logging why not.
    #[allow(clippy::type_complexity)]
    fn open(&self, conf: &IpcpConfig) -> Result<(Framing, raw::RawSock, Mac, usize, i32), ()> {
        let p = self.kind.prefix();
        let TypeConfig::Eth(e) = &conf.config else {
            log_err!(p, "Failed to bootstrap: no Ethernet configuration.");
            return Err(());
        };
        if e.dev.len() >= libc::IFNAMSIZ || e.dev.is_empty() {
            log_err!(p, "Invalid device name: {}.", e.dev);
            return Err(());
        }
        let framing = match self.kind {
            Kind::Dix => {
                if !(0x0600..0xffff).contains(&e.ethertype) {
                    log_err!(p, "Invalid Ethertype: {}.", e.ethertype);
                    return Err(());
                }
                Framing::Dix {
                    ethertype: e.ethertype as u16,
                }
            }
            Kind::Llc => Framing::Llc,
        };
        let Ok(if_mtu) = raw::mtu(&e.dev) else {
            log_err!(p, "Failed to get interface MTU.");
            log_err!(p, "Failed to set MTU.");
            return Err(());
        };
        let mtu = layer_mtu(framing, &e.dev, if_mtu);
        let Ok(mac) = raw::hw_addr(&e.dev) else {
            log_err!(p, "Failed to get hwaddr.");
            log_err!(p, "Failed to get hardware addr.");
            return Err(());
        };
        let idx = match raw::if_index(&e.dev) {
            Ok(i) if i > 0 => i,
            _ => {
                log_err!(p, "Failed to retrieve interface index.");
                log_err!(p, "Failed to initialize raw socket device.");
                return Err(());
            }
        };
        let protocol = match framing {
            Framing::Dix { ethertype } => ethertype,
            Framing::Llc => libc::ETH_P_802_2 as u16,
        };
        match raw::RawSock::open(idx, protocol) {
            Ok(s) => {
                log_info!(p, "Using raw socket device.");
                Ok((framing, s, mac, mtu, idx as i32))
            }
            Err(err) => {
                log_err!(p, "Failed to create socket: {}.", err);
                log_err!(p, "Failed to initialize raw socket device.");
                Err(())
            }
        }
    }
}

impl IpcpOps for Eth {
    fn bootstrap(&self, conf: &IpcpConfig) -> Option<i32> {
        let p = self.kind.prefix();
        let Some(algo) = conf.layer.hash_algo() else {
            return Some(-1);
        };
        let Ok((framing, sock, mac, mtu, ifindex)) = self.open(conf) else {
            return Some(-1);
        };
        let Some(set) = FSet::create() else {
            log_err!(p, "Failed to create the flow set.");
            return Some(-1);
        };
        let net = Arc::new(Net {
            kind: self.kind,
            prefix: p,
            framing,
            sock,
            mac,
            ifindex,
            mtu,
            hash_len: algo.digest_len(),
            names: self.names.clone(),
            flows: Mutex::new(Table::default()),
            set,
            mgmt: Mutex::new(VecDeque::new()),
            mgmt_cond: Condvar::new(),
            answers: Mutex::new(()),
            answer_cond: Condvar::new(),
        });
        let (n1, n2, n3, n4) = (net.clone(), net.clone(), net.clone(), net.clone());
        if !spawn("eth-link", move || n4.monitor_link()) {
            log_err!(p, "Failed to create monitor thread.");
            return Some(-1);
        }
        if !spawn("eth-mgmt", move || io::mgmt_handler(&n1)) {
            log_err!(p, "Failed to create mgmt handler thread.");
            return Some(-1);
        }
        if !spawn("eth-reader", move || io::reader(&n2)) {
            log_err!(p, "Failed to create packet reader thread.");
            return Some(-1);
        }
        if !spawn("eth-writer", move || io::writer(&n3)) {
            log_err!(p, "Failed to create packet writer thread.");
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
        let Some(net) = self.net() else {
            return Some(-1);
        };
        // taken before the question goes out: no answer slips past
        let mut guard = net.answers.lock().unwrap_or_else(|e| e.into_inner());
        let q = Msg::QueryReq {
            hash: hash.to_vec(),
        };
        if net.send_mgmt(&BROADCAST, &q).is_err() {
            log_err!(net.prefix, "Failed to send management frame.");
            return Some(-1);
        }
        let end = Instant::now() + NAME_QUERY_TIMEO;
        loop {
            if self.names.dir_get(hash).is_some() {
                return Some(0);
            }
            let now = Instant::now();
            if now >= end {
                return Some(-libc::ETIMEDOUT);
            }
            guard = net
                .answer_cond
                .wait_timeout(guard, end - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
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
        let p = net.prefix;
        let Some(r_addr) = self.names.dir_get(hash) else {
            log_err!(p, "Destination {} unreachable.", h32(hash));
            return Some(-1);
        };
        let Ok(eid) = u16::try_from(fd) else {
            return Some(-1);
        };
        let s_ep = {
            let mut t = net.table();
            match net.kind {
                Kind::Dix => {
                    t.insert(fd, Ef::requested(r_addr, None));
                    eid
                }
                Kind::Llc => {
                    let Some(sap) = t.free_sap() else {
                        log_err!(p, "Failed to allocate SSAP.");
                        return Some(-1);
                    };
                    t.insert(fd, Ef::requested(r_addr, Some(sap)));
                    u16::from(sap)
                }
            }
        };
        let req = Msg::FlowReq {
            s_ep,
            qos: *qs,
            hash: hash.to_vec(),
            data: pk.to_vec(),
        };
        if net.send_mgmt(&r_addr, &req).is_err() {
            net.table().remove(fd);
            log_err!(p, "Failed to allocate with peer.");
            return Some(-1);
        }
        let _ = net.set.add(fd);
        Some(0)
    }

    fn flow_alloc_resp(&self, ipcp: &Ipcp, fd: i32, response: i32, pk: &[u8]) -> Option<i32> {
        let Some(net) = self.net() else {
            return Some(-1);
        };
        let p = net.prefix;
        if ipcp.wait_flow_resp(fd) < 0 {
            log_err!(p, "Failed to wait for flow response.");
            return Some(-1);
        }
        let (ef, s_ep) = {
            let mut t = net.table();
            let Some(ef) = t.get(fd) else {
                log_err!(p, "Failed to respond to flow request.");
                return Some(-1);
            };
            let s_ep = match net.kind {
                Kind::Dix => fd as u16,
                Kind::Llc => match t.assign_sap(fd) {
                    Some(sap) => u16::from(sap),
                    None => {
                        log_err!(p, "Failed to allocate SSAP.");
                        return Some(-1);
                    }
                },
            };
            (ef, s_ep)
        };
        let reply = Msg::FlowReply {
            s_ep,
            d_ep: ef.r_ep.unwrap_or(0),
            response,
            data: pk.to_vec(),
        };
        if net.send_mgmt(&ef.r_addr, &reply).is_err() {
            net.table().release_sap(fd);
            log_err!(p, "Failed to respond to peer.");
            return Some(-1);
        }
        let _ = net.set.add(fd);
        Some(0)
    }

    fn flow_dealloc(&self, _ipcp: &Ipcp, fd: i32) -> Option<i32> {
        let _ = np1::ipcp_flow_fini(fd);
        if let Some(net) = self.net() {
            net.set.del(fd);
            net.table().remove(fd);
        }
        let _ = np1::ipcp_flow_dealloc(fd);
        Some(0)
    }
}

impl Net {
    fn table(&self) -> MutexGuard<'_, Table> {
        self.flows.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The largest payload (SDU or management message) a frame carries.
    fn max_payload(&self) -> usize {
        self.mtu.saturating_sub(self.framing.overhead())
    }

    /// Sends `payload` to `dst` at endpoint `ep`; payloads over the
    /// layer's limit are refused.
    fn send_frame(&self, out: &mut Vec<u8>, dst: &Mac, ep: frame::Ep, payload: &[u8]) -> bool {
        if payload.len() > self.max_payload() {
            return false;
        }
        self.framing.encode(out, dst, &self.mac, ep, payload);
        self.sock.send(out).is_ok()
    }

    fn send_mgmt(&self, dst: &Mac, m: &Msg) -> Result<(), ()> {
        let payload = mgmt::encode(self.kind, m);
        let mut out = Vec::with_capacity(self.framing.header_len() + payload.len());
        if self.send_frame(&mut out, dst, self.framing.mgmt(), &payload) {
            Ok(())
        } else {
            Err(())
        }
    }
}

/// Runs `ipcpd-eth-dix` or `ipcpd-eth-llc`.
pub fn main(kind: Kind) {
    crate::run(kind.ipcp_type(), Box::new(Eth::new(kind)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mtu_rules() {
        let dix = Framing::Dix { ethertype: 0xa000 };
        assert_eq!(layer_mtu(dix, "veth0", 1500), 1500);
        assert_eq!(layer_mtu(dix, "eth0", 70000), 65535);
        assert_eq!(layer_mtu(dix, "lo", 65536), 9000);
        assert_eq!(layer_mtu(Framing::Llc, "eth0", 9000), 1500);
        assert_eq!(layer_mtu(Framing::Llc, "lo", 65536), 1500);
        assert_eq!(layer_mtu(Framing::Llc, "eth0", 1400), 1400);
    }
}

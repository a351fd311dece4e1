//! ipcpd-unicast's operations: bootstrap and enrollment (spec §5.10),
//! connections, the directory and flow allocation towards the IRMd.

use super::dt::Kind;
use super::node::{Comp, Node};
use crate::common::cep::{ConnInfo, PROTO_FIXED, PROTO_GPB};
use crate::common::connmgr::{CompId, ConnMgr};
use crate::common::enroll::{self, Enrollment};
use crate::ops::IpcpOps;
use crate::runtime::Ipcp;
use ouroboros::dev::np1;
use ouroboros::ipcp::{IpcpConfig, IpcpType, LayerInfo, TypeConfig, DT_COMP, MGMT_COMP};
use ouroboros::qos::QosSpec;
use ouroboros::{log_err, log_info};
use std::sync::{Arc, OnceLock};

const PREFIX: &str = "unicast-ipcp";

/// What the DT component announces in CACEP.
pub fn dt_info(addr: u64) -> ConnInfo {
    ConnInfo::new(DT_COMP, "dtp", 1, PROTO_FIXED, addr)
}

/// What the Management (link-state) component announces.
pub fn mgmt_info(addr: u64) -> ConnInfo {
    ConnInfo::new(MGMT_COMP, "LSP", 1, PROTO_GPB, addr)
}

pub struct Unicast {
    cm: Arc<ConnMgr>,
    enroll: Arc<Enrollment>,
    node: OnceLock<Arc<Node>>,
}

impl Default for Unicast {
    fn default() -> Self {
        let cm = ConnMgr::new();
        let enroll = Enrollment::new(&cm);
        Unicast {
            cm,
            enroll,
            node: OnceLock::new(),
        }
    }
}

impl Unicast {
    fn node(&self) -> Option<&Arc<Node>> {
        self.node.get()
    }

    /// Initialises and starts the components for `conf` (`peer`: the
    /// DHT's bootstrap peer, 0 for the first node). The stored
    /// configuration handed to enrollees gets our address as `peer`.
    fn init(&self, conf: &IpcpConfig, peer: u64) -> Result<(), ()> {
        if self.node.get().is_some() {
            return Err(());
        }
        let TypeConfig::Unicast(uc) = &conf.config else {
            log_err!(PREFIX, "Not a unicast configuration.");
            return Err(());
        };
        let Some(algo) = conf.layer.hash_algo() else {
            log_err!(PREFIX, "Unknown hash algorithm.");
            return Err(());
        };
        let addr = match super::addr::random(uc.addr_auth_type, uc.dt.addr_size) {
            Ok(a) => a,
            Err(e) => {
                log_err!(PREFIX, "Failed to initialize address authority: {}.", e);
                return Err(());
            }
        };
        let node = match Node::new(addr, uc, algo.digest_len(), peer) {
            Ok(n) => n,
            Err(e) => {
                log_err!(PREFIX, "Failed to initialize components: {}.", e);
                return Err(());
            }
        };
        log_info!(PREFIX, "IPCP got address {}.", super::addr::Display(addr));
        let mut stored = conf.clone();
        if let TypeConfig::Unicast(u) = &mut stored.config {
            u.dir.dht.peer = addr;
        }
        self.enroll.bootstrap(&stored);
        self.cm.register(
            CompId::Dt,
            dt_info(addr),
            Arc::new(Comp {
                node: node.clone(),
                kind: Kind::Dt,
            }),
        );
        self.cm.register(
            CompId::Mgmt,
            mgmt_info(addr),
            Arc::new(Comp {
                node: node.clone(),
                kind: Kind::Mgmt,
            }),
        );
        if !node.start() {
            log_err!(PREFIX, "Failed to start components.");
            return Err(());
        }
        let _ = self.node.set(node);
        if !self.cm.start() {
            log_err!(PREFIX, "Failed to start AP connection manager.");
            return Err(());
        }
        if !self.enroll.start() {
            log_err!(PREFIX, "Failed to start enrollment.");
            return Err(());
        }
        Ok(())
    }
}

impl IpcpOps for Unicast {
    fn bootstrap(&self, conf: &IpcpConfig) -> Option<i32> {
        if self.init(conf, 0).is_err() {
            log_err!(PREFIX, "Failed to init IPCP components.");
            return Some(-1);
        }
        Some(0)
    }

    fn enrolls(&self) -> bool {
        true
    }

    fn enroll(&self, dst: &str) -> Result<LayerInfo, i32> {
        let init = |conf: &IpcpConfig| {
            // the enroller's address, where our DHT node joins
            let peer = match &conf.config {
                TypeConfig::Unicast(u) => u.dir.dht.peer,
                _ => 0,
            };
            self.init(conf, peer)
        };
        let conf = enroll::enrollee(PREFIX, &self.cm, &self.enroll, dst, IpcpType::Unicast, init)?;
        Ok(conf.layer)
    }

    fn connect(&self, dst: &str, comp: &str) -> Option<i32> {
        Some(self.cm.connect(dst, comp, None))
    }

    fn disconnect(&self, dst: &str, comp: &str) -> Option<i32> {
        Some(self.cm.disconnect(dst, comp))
    }

    fn reg(&self, hash: &[u8]) -> Option<i32> {
        Some(self.node().map_or(-1, |n| super::dir::reg(n, hash)))
    }

    fn unreg(&self, hash: &[u8]) -> Option<i32> {
        Some(self.node().map_or(-1, |n| super::dir::unreg(n, hash)))
    }

    fn query(&self, hash: &[u8]) -> Option<i32> {
        let found = self
            .node()
            .and_then(|n| super::dir::query(n, hash))
            .is_some();
        Some(if found { 0 } else { -1 })
    }

    fn flow_alloc(
        &self,
        _ipcp: &Ipcp,
        fd: i32,
        hash: &[u8],
        qs: &QosSpec,
        pk: &[u8],
    ) -> Option<i32> {
        Some(self.node().map_or(-1, |n| n.flow_alloc(fd, hash, qs, pk)))
    }

    fn flow_alloc_resp(&self, ipcp: &Ipcp, fd: i32, response: i32, pk: &[u8]) -> Option<i32> {
        let Some(node) = self.node() else {
            return Some(-1);
        };
        if ipcp.wait_flow_resp(fd) < 0 {
            log_err!(PREFIX, "Failed to wait for flow response.");
            return Some(-1);
        }
        Some(node.flow_alloc_resp(fd, response, pk))
    }

    fn flow_dealloc(&self, _ipcp: &Ipcp, fd: i32) -> Option<i32> {
        let _ = np1::ipcp_flow_fini(fd);
        if let Some(n) = self.node() {
            n.flow_dealloc(fd);
        }
        let _ = np1::ipcp_flow_dealloc(fd);
        Some(0)
    }
}

/// The process: `ipcpd-unicast <irmd pid> <name> [syslog]`.
pub fn main() -> ! {
    crate::run(IpcpType::Unicast, Box::<Unicast>::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cep_rows() {
        // spec §2.5: exact bytes with a 5-byte varint address
        let m = mgmt_info(0xfa48_88cc).encode();
        assert_eq!(m.len(), 27);
        assert_eq!(&m[..2], &[0x0a, 0x0a]);
        let d = dt_info(0xfa48_88cc).encode();
        assert_eq!(d.len(), 30);
        assert_eq!(&d[20..24], &[0x18, 0x01, 0x28, 0x02]);
    }
}

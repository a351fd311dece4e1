//! ipcpd-broadcast: a layer that floods every SDU to all members. Members
//! enroll with OEP, connect their data-transfer components over N-1
//! flows, and applications join with the layer's name.

pub mod fwd;

use crate::common::cep::{ConnInfo, PROTO_GPB};
use crate::common::connmgr::{CompId, ConnMgr};
use crate::common::enroll::{self, Enrollment};
use crate::ops::IpcpOps;
use crate::runtime::Ipcp;
use fwd::{Fwd, Nb};
use ouroboros::dev::np1;
use ouroboros::hash::HashAlgo;
use ouroboros::ipcp::{IpcpConfig, IpcpType, LayerInfo, DT_COMP};
use ouroboros::{log_err, log_warn};
use std::sync::{Arc, Mutex};

const PREFIX: &str = "broadcast-ipcp";
/// Maximum packet lifetime reported for joined flows (ms).
const BROADCAST_MPL: u32 = 100;

/// What the data-transfer component announces in CACEP.
pub fn dt_info() -> ConnInfo {
    ConnInfo::new(DT_COMP, "", 0, PROTO_GPB, 0)
}

pub struct Broadcast {
    cm: Arc<ConnMgr>,
    enroll: Arc<Enrollment>,
    fwd: Mutex<Option<Arc<Fwd>>>,
}

impl Default for Broadcast {
    fn default() -> Self {
        let cm = ConnMgr::new();
        let enroll = Enrollment::new(&cm);
        Broadcast {
            cm,
            enroll,
            fwd: Mutex::new(None),
        }
    }
}

impl Broadcast {
    fn fwd(&self) -> Option<Arc<Fwd>> {
        self.fwd.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The forwarder with its reader, registered as the DT component.
    fn init_components(&self) -> Result<(), ()> {
        let mut slot = self.fwd.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_some() {
            return Ok(());
        }
        let Some(fwd) = Fwd::new() else {
            log_err!(PREFIX, "Failed to initialize forwarding component.");
            return Err(());
        };
        if !fwd.start() {
            log_err!(PREFIX, "Failed to initialize forwarding component.");
            return Err(());
        }
        self.cm.register(CompId::Dt, dt_info(), fwd.clone());
        *slot = Some(fwd);
        Ok(())
    }

    fn start_components(&self) -> Result<(), ()> {
        if !self.enroll.start() {
            log_err!(PREFIX, "Failed to start enrollment.");
            return Err(());
        }
        if !self.cm.start() {
            log_err!(PREFIX, "Failed to start AP connection manager.");
            return Err(());
        }
        Ok(())
    }
}

impl IpcpOps for Broadcast {
    fn bootstrap(&self, conf: &IpcpConfig) -> Option<i32> {
        self.enroll.bootstrap(conf);
        if self.init_components().is_err() || self.start_components().is_err() {
            log_err!(PREFIX, "Failed to init IPCP components.");
            return Some(-1);
        }
        Some(0)
    }

    fn enrolls(&self) -> bool {
        true
    }

    fn enroll(&self, dst: &str) -> Result<LayerInfo, i32> {
        let init = |_: &IpcpConfig| {
            if self.init_components().is_err() || self.start_components().is_err() {
                return Err(());
            }
            Ok(())
        };
        let conf = enroll::enrollee(
            PREFIX,
            &self.cm,
            &self.enroll,
            dst,
            IpcpType::Broadcast,
            init,
        )?;
        Ok(conf.layer)
    }

    fn connect(&self, dst: &str, comp: &str) -> Option<i32> {
        Some(self.cm.connect(dst, comp, None))
    }

    fn disconnect(&self, dst: &str, comp: &str) -> Option<i32> {
        Some(self.cm.disconnect(dst, comp))
    }

    fn flow_join(&self, ipcp: &Ipcp, fd: i32, hash: &[u8]) -> Option<i32> {
        let Some(fwd) = self.fwd() else {
            return Some(-1);
        };
        // Upstream's check lets every hash through; a mismatch is only
        // logged here.
        if let Some((layer, _)) = ipcp.layer() {
            if HashAlgo::Sha3_256.digest(layer.as_bytes()) != hash {
                log_warn!(PREFIX, "Hash mismatch for layer {}.", layer);
            }
        }
        fwd.add_nb(Nb::Joined(fd));
        if np1::ipcp_flow_alloc_reply(fd, 0, BROADCAST_MPL, &[]).is_err() {
            log_err!(PREFIX, "Failed to reply to join on fd {}.", fd);
            fwd.del_nb(fd);
            return Some(-1);
        }
        Some(0)
    }

    fn flow_dealloc(&self, _ipcp: &Ipcp, fd: i32) -> Option<i32> {
        if let Some(fwd) = self.fwd() {
            fwd.del_nb(fd);
        }
        let _ = np1::ipcp_flow_fini(fd);
        let _ = np1::ipcp_flow_dealloc(fd);
        Some(0)
    }
}

/// The process: `ipcpd-broadcast <irmd pid> <name> [syslog]`.
pub fn main() -> ! {
    crate::run(IpcpType::Broadcast, Box::<Broadcast>::default())
}

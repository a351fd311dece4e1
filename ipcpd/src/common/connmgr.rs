//! The connection manager: the components of a normal IPCP (data
//! transfer, enrollment, management), connections made to a peer on
//! request (`irm ipcp connect`) and the acceptor thread that answers
//! incoming ones. Every connection is one N-1 flow that starts with the
//! CACEP exchange.

use super::cep::{self, ConnInfo};
use ouroboros::c_api::fccntl::{FLOWFDEFAULT, FLOWFRNOPART};
use ouroboros::dev::fccntl::{fccntl, Cmd};
use ouroboros::dev::Flow;
use ouroboros::errno::Error;
use ouroboros::qos::QosSpec;
use ouroboros::{log_err, log_info, log_warn};
use std::sync::{Arc, RwLock};
use std::time::Duration;

const PREFIX: &str = "connection-manager";
/// Pause after a failed accept, so a missing IRMd is not polled hot.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// `enum comp_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompId {
    Dt = 0,
    Enroll = 1,
    Mgmt = 2,
}

const COMPS: usize = 3;

/// One established connection: its flow and what the peer announced.
#[derive(Debug)]
pub struct Conn {
    pub flow: Flow,
    pub peer: ConnInfo,
    /// The name connected to (empty for incoming connections).
    pub dst: String,
    pub qos: QosSpec,
}

/// What a component does with connections.
pub trait Component: Send + Sync {
    /// A connection for the component, incoming or made by `connect`.
    fn add(&self, conn: Conn);

    /// `disconnect`: drops the connection made to `dst` (deallocating
    /// its flow); `None` when there is none.
    fn remove(&self, _dst: &str) -> Option<i32> {
        None
    }
}

struct Slot {
    info: ConnInfo,
    comp: Arc<dyn Component>,
}

#[derive(Default)]
pub struct ConnMgr {
    comps: RwLock<[Option<Arc<Slot>>; COMPS]>,
}

/// Reads whole SDUs only: an SDU longer than a read buffer is refused
/// instead of being split over two reads.
fn whole_sdus(flow: &Flow) {
    let _ = fccntl(flow.fd(), Cmd::SetFlags(FLOWFDEFAULT | FLOWFRNOPART));
}

impl ConnMgr {
    pub fn new() -> Arc<ConnMgr> {
        Arc::new(ConnMgr::default())
    }

    /// Registers component `id` with the `conn_info` it announces.
    pub fn register(&self, id: CompId, info: ConnInfo, comp: Arc<dyn Component>) {
        let mut c = self.comps.write().unwrap_or_else(|e| e.into_inner());
        c[id as usize] = Some(Arc::new(Slot { info, comp }));
    }

    pub fn unregister(&self, id: CompId) {
        self.comps.write().unwrap_or_else(|e| e.into_inner())[id as usize] = None;
    }

    fn slot(&self, id: CompId) -> Option<Arc<Slot>> {
        self.comps.read().unwrap_or_else(|e| e.into_inner())[id as usize].clone()
    }

    /// The component announcing `comp_name` (exact match).
    pub fn find(&self, comp_name: &str) -> Option<CompId> {
        let c = self.comps.read().unwrap_or_else(|e| e.into_inner());
        [CompId::Dt, CompId::Enroll, CompId::Mgmt]
            .into_iter()
            .find(|id| matches!(&c[*id as usize], Some(s) if s.info.comp_name == comp_name))
    }

    /// The acceptor's answer to a received `cep_msg`: the component and
    /// our `conn_info` for it, or `None` and the empty message.
    pub fn answer(&self, rcv: &ConnInfo) -> (Option<CompId>, ConnInfo) {
        match self
            .find(&rcv.comp_name)
            .and_then(|id| Some((id, self.slot(id)?)))
        {
            Some((id, s)) => (Some(id), s.info.clone()),
            None => (None, ConnInfo::default()),
        }
    }

    /// Opens a connection for component `id` to `dst`: a flow (QoS raw
    /// unless given), our `cep_msg`, the peer's, which must speak our
    /// protocol. The flow keeps the 1 s receive timeout.
    pub fn alloc(&self, id: CompId, dst: &str, qos: Option<QosSpec>) -> Result<Conn, i32> {
        let Some(slot) = self.slot(id) else {
            log_err!(PREFIX, "Component {:?} not initialized.", id);
            return Err(-1);
        };
        let qos = qos.unwrap_or(QosSpec::RAW);
        let flow = match Flow::alloc(dst, Some(qos), None) {
            Ok(f) => f,
            Err(e) => {
                log_err!(PREFIX, "Failed to allocate flow to {}.", dst);
                return Err(err_code(e));
            }
        };
        whole_sdus(&flow);
        let _ = flow.set_read_timeout(Some(cep::RCV_TIMEOUT));
        if cep::send(&flow, &slot.info).is_err() {
            log_err!(PREFIX, "Failed to send OCEP info.");
            return Err(-1);
        }
        let peer = match cep::recv(&flow) {
            Ok(p) => p,
            Err(_) => {
                log_err!(PREFIX, "Failed to receive OCEP info.");
                return Err(-1);
            }
        };
        if let Err(why) = slot.info.compatible(&peer) {
            log_err!(
                PREFIX,
                "{} (requested {} v{} syntax {}, got {} v{} syntax {}).",
                why,
                slot.info.protocol,
                slot.info.pref_version,
                slot.info.pref_syntax,
                peer.protocol,
                peer.pref_version,
                peer.pref_syntax
            );
            return Err(-1);
        }
        Ok(Conn {
            flow,
            peer,
            dst: dst.to_string(),
            qos,
        })
    }

    /// `irm ipcp connect`: a connection to `dst` handed to the component
    /// named `comp_name`.
    pub fn connect(&self, dst: &str, comp_name: &str, qos: Option<QosSpec>) -> i32 {
        let Some(id) = self.find(comp_name) else {
            log_err!(PREFIX, "No such component: {}", comp_name);
            return -1;
        };
        let Some(slot) = self.slot(id) else {
            return -1;
        };
        match self.alloc(id, dst, qos) {
            Ok(conn) => {
                slot.comp.add(conn);
                0
            }
            Err(_) => {
                log_err!(PREFIX, "Failed to allocate flow.");
                -1
            }
        }
    }

    /// `irm ipcp disconnect`: the connection to `dst` goes (0 when there
    /// was none, as upstream).
    pub fn disconnect(&self, dst: &str, comp_name: &str) -> i32 {
        let Some(slot) = self.find(comp_name).and_then(|id| self.slot(id)) else {
            log_err!(PREFIX, "No such component: {}.", comp_name);
            return -1;
        };
        slot.comp.remove(dst).unwrap_or(0)
    }

    /// Starts the acceptor thread.
    pub fn start(self: &Arc<Self>) -> bool {
        let me = self.clone();
        std::thread::Builder::new()
            .name("connmgr-acceptor".into())
            .spawn(move || me.acceptor())
            .is_ok()
    }

    fn acceptor(&self) {
        loop {
            match Flow::accept(None) {
                Ok(flow) => self.incoming(flow),
                Err(e) => {
                    if e != Error::Irmd {
                        log_err!(PREFIX, "Flow accept failed: {}", err_code(e));
                    }
                    std::thread::sleep(ACCEPT_RETRY);
                }
            }
        }
    }

    /// The acceptor's side of CACEP on one new flow.
    pub fn incoming(&self, flow: Flow) {
        let fd = flow.fd();
        log_info!(PREFIX, "Handling incoming flow {}.", fd);
        whole_sdus(&flow);
        let _ = flow.set_read_timeout(Some(cep::RCV_TIMEOUT));
        let rcv = match cep::recv(&flow) {
            Ok(r) => r,
            Err(e) => {
                log_err!(PREFIX, "Error receiving OCEP info: {:?}.", e);
                return;
            }
        };
        log_info!(PREFIX, "Request to connect to {}.", rcv.comp_name);
        let (id, reply) = self.answer(&rcv);
        let Some(slot) = id.and_then(|id| self.slot(id)) else {
            log_err!(
                PREFIX,
                "Connection request for unknown component {}.",
                rcv.comp_name
            );
            let _ = cep::send(&flow, &reply);
            return;
        };
        if cep::send(&flow, &reply).is_err() {
            log_err!(PREFIX, "Failed responding to OCEP request.");
            return;
        }
        let _ = flow.set_read_timeout(None);
        let qos = flow.qos().unwrap_or(QosSpec::RAW);
        slot.comp.add(Conn {
            flow,
            peer: rcv.clone(),
            dst: String::new(),
            qos,
        });
        log_info!(
            PREFIX,
            "Finished handling incoming flow {} for {}.",
            fd,
            rcv.comp_name
        );
    }
}

fn err_code(e: Error) -> i32 {
    -e.errno()
}

/// Deallocates a connection's flow: 0, or -1 when the IRMd refused.
pub fn dealloc(conn: Conn) -> i32 {
    match conn.flow.dealloc() {
        Ok(()) => 0,
        Err(_) => {
            log_warn!(PREFIX, "Failed to deallocate flow to {}.", conn.dst);
            -1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sink;
    impl Component for Sink {
        fn add(&self, _conn: Conn) {}
    }

    #[test]
    fn answers_by_exact_component_name() {
        let cm = ConnMgr::new();
        let dt = ConnInfo::new("Data Transfer", "", 0, 0, 0);
        let en = ConnInfo::new("Enrollment", "OEP", 1, 0, 0);
        cm.register(CompId::Dt, dt.clone(), Arc::new(Sink));
        cm.register(CompId::Enroll, en.clone(), Arc::new(Sink));
        let ask = |name: &str| cm.answer(&ConnInfo::new(name, "x", 9, 9, 9));
        assert_eq!(ask("Data Transfer"), (Some(CompId::Dt), dt));
        assert_eq!(ask("Enrollment"), (Some(CompId::Enroll), en));
        // unknown, not registered, different case: the empty answer
        for name in ["Management", "enrollment", "", "Enrollment "] {
            assert_eq!(ask(name), (None, ConnInfo::default()), "{name:?}");
        }
        assert_eq!(
            ConnInfo::default().encode(),
            [0x0a, 0x00, 0x12, 0x00, 0x18, 0x00, 0x28, 0x00, 0x40, 0x00]
        );
        cm.unregister(CompId::Dt);
        assert_eq!(ask("Data Transfer").0, None);
        assert_eq!(cm.connect("peer", "Management", None), -1);
        assert_eq!(cm.disconnect("peer", "Management"), -1);
        assert_eq!(cm.disconnect("nobody", "Enrollment"), 0);
    }
}

//! Enrollment: the enrollee asks a member of the layer for its
//! configuration; the enroller (one thread, one enrollment at a time)
//! answers every request with the configuration it was bootstrapped or
//! enrolled with.

use super::cep::{ConnInfo, PROTO_GPB};
use super::connmgr::{self, CompId, Component, Conn, ConnMgr};
use super::oep::{EnrollAck, EnrollId, EnrollReq, EnrollResp, ENROLL_ID_LEN};
use ouroboros::hash::hex;
use ouroboros::ipcp::IpcpConfig;
use ouroboros::pb::msg::IpcpConfigMsg;
use ouroboros::{log_err, log_info, log_warn};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const PREFIX: &str = "enrollment";
pub const ENROLL_COMP: &str = "Enrollment";
pub const ENROLL_PROTO: &str = "OEP";
/// Every OEP message fits this read buffer.
pub const ENROLL_BUF_LEN: usize = 1024;
/// Clock offset to the enroller above which the enrollee warns (ms).
const WARN_TIME_OFFSET: i64 = 20;
/// How long the enroller waits for each of the enrollee's messages.
/// Upstream waits forever, so one stalled enrollee blocks every later
/// one; a bound keeps the layer open to new members.
const ENROLLER_TIMEOUT: Duration = Duration::from_secs(3);
/// The ack's result while no ack arrived.
const NO_ACK: i32 = -100;

/// What the enrollment component announces in CACEP.
pub fn conn_info() -> ConnInfo {
    ConnInfo::new(ENROLL_COMP, ENROLL_PROTO, 1, PROTO_GPB, 0)
}

/// An enrollment id as upstream logs it.
fn id_str(id: &[u8]) -> String {
    format!("[{}]", hex(&id[..id.len().min(ENROLL_ID_LEN)]))
}

/// A fresh random enrollment id.
pub fn new_id() -> Option<EnrollId> {
    let mut id = [0u8; ENROLL_ID_LEN];
    ouroboros::oap::os_random(&mut id).ok()?;
    Some(id)
}

fn realtime() -> (i64, i32) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs() as i64, d.subsec_nanos() as i32)
}

fn realtime_ms() -> i64 {
    let (s, ns) = realtime();
    s * 1000 + i64::from(ns) / 1_000_000
}

/// Why an enrollee refuses a response.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    IdMismatch,
    Denied(i32),
    WrongType(u32),
    BadConf,
}

/// The enrollee's checks on a decoded response: the configuration to
/// adopt.
pub fn check_resp(resp: &EnrollResp, id: &EnrollId, ipcp_type: u32) -> Result<IpcpConfig, Refused> {
    if resp.id != id {
        return Err(Refused::IdMismatch);
    }
    if resp.response < 0 {
        return Err(Refused::Denied(resp.response));
    }
    let conf = resp.conf.as_ref().ok_or(Refused::BadConf)?;
    if conf.ipcp_type != ipcp_type {
        return Err(Refused::WrongType(conf.ipcp_type));
    }
    IpcpConfig::from_msg(conf).ok_or(Refused::BadConf)
}

/// The enrollment component of one IPCP.
pub struct Enrollment {
    /// The configuration sent to enrollees.
    conf: Mutex<Option<IpcpConfigMsg>>,
    pending: Mutex<VecDeque<Conn>>,
    arrived: Condvar,
}

impl Component for Enrollment {
    fn add(&self, conn: Conn) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(conn);
        self.arrived.notify_one();
    }
}

impl Enrollment {
    /// A new component, registered with `cm` (`enroll_init`).
    pub fn new(cm: &ConnMgr) -> Arc<Enrollment> {
        let e = Arc::new(Enrollment {
            conf: Mutex::new(None),
            pending: Mutex::new(VecDeque::new()),
            arrived: Condvar::new(),
        });
        cm.register(CompId::Enroll, conn_info(), e.clone());
        e
    }

    /// Keeps the bootstrap configuration to hand out.
    pub fn bootstrap(&self, conf: &IpcpConfig) {
        *self.conf.lock().unwrap_or_else(|e| e.into_inner()) = Some(conf.into());
    }

    pub fn conf(&self) -> Option<IpcpConfigMsg> {
        self.conf.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The enrollee's exchange on `conn` (`enroll_boot`): request,
    /// response, checks. The configuration is adopted and returned.
    pub fn boot(&self, conn: &Conn, id: &EnrollId, ipcp_type: u32) -> Option<IpcpConfig> {
        let ids = id_str(id);
        let t0 = realtime_ms();
        if conn.flow.write(&EnrollReq { id: *id }.encode()).is_err() {
            log_err!(PREFIX, "{} Failed to send request message.", ids);
            return None;
        }
        let mut buf = vec![0u8; ENROLL_BUF_LEN];
        let Ok(n) = conn.flow.read(&mut buf) else {
            log_err!(PREFIX, "{} No reply received.", ids);
            return None;
        };
        let Ok(resp) = EnrollResp::decode(&buf[..n]) else {
            log_err!(PREFIX, "{} Failed to unpack response message.", ids);
            return None;
        };
        let conf = match check_resp(&resp, id, ipcp_type) {
            Ok(c) => c,
            Err(Refused::IdMismatch) => {
                log_err!(PREFIX, "{} Enrollment ID mismatch.", ids);
                return None;
            }
            Err(Refused::Denied(r)) => {
                log_warn!(PREFIX, "{} Remote denied request: {}.", ids, r);
                return None;
            }
            Err(Refused::WrongType(t)) => {
                log_err!(
                    PREFIX,
                    "{} Wrong type in enrollment response {} ({}).",
                    ids,
                    t,
                    ipcp_type
                );
                return None;
            }
            Err(Refused::BadConf) => {
                log_err!(PREFIX, "{} Incomplete configuration in response.", ids);
                return None;
            }
        };
        let t1 = realtime_ms();
        let remote = resp.t_sec.saturating_mul(1000) + i64::from(resp.t_nsec) / 1_000_000;
        if (remote - t0).abs() - (t1 - t0) > WARN_TIME_OFFSET {
            log_warn!(PREFIX, "{} Clock offset above threshold.", ids);
        }
        *self.conf.lock().unwrap_or_else(|e| e.into_inner()) = resp.conf;
        Some(conf)
    }

    /// The enrollee's acknowledgement; false when it could not be sent.
    pub fn ack(conn: &Conn, id: &EnrollId, result: i32) -> bool {
        let ack = EnrollAck {
            id: id.to_vec(),
            result,
        };
        let sent = conn.flow.write(&ack.encode()).is_ok();
        if !sent {
            log_err!(PREFIX, "{} Failed to send acknowledgment.", id_str(id));
        }
        sent
    }

    /// Starts the enroller thread.
    pub fn start(self: &Arc<Self>) -> bool {
        let me = self.clone();
        std::thread::Builder::new()
            .name("enroller".into())
            .spawn(move || loop {
                let conn = me.next();
                me.serve(conn);
            })
            .is_ok()
    }

    fn next(&self) -> Conn {
        let mut q = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(c) = q.pop_front() {
                return c;
            }
            q = self.arrived.wait(q).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The enroller's side on one connection; the flow is closed after.
    pub fn serve(&self, conn: Conn) {
        let fd = conn.flow.fd();
        log_info!(PREFIX, "Incoming enrollment connection on flow {}.", fd);
        let _ = conn.flow.set_read_timeout(Some(ENROLLER_TIMEOUT));
        let mut buf = vec![0u8; ENROLL_BUF_LEN];
        match conn.flow.read(&mut buf) {
            Err(_) => log_err!(PREFIX, "Failed to read from flow {}.", fd),
            Ok(n) => match EnrollReq::decode(&buf[..n]) {
                Err(_) => log_err!(PREFIX, "Failed to unpack request message."),
                Ok(req) => {
                    let result = self.answer(&conn, &req, &mut buf);
                    let ids = id_str(&req.id);
                    match result {
                        0 => log_info!(PREFIX, "{} Enrollment completed.", ids),
                        NO_ACK => log_warn!(PREFIX, "{} Enrollment failed.", ids),
                        _ => log_warn!(PREFIX, "{} Enrollment failed at remote.", ids),
                    }
                }
            },
        }
        connmgr::dealloc(conn);
        log_info!(PREFIX, "Enrollment flow {} closed.", fd);
    }

    /// Sends the response to `req` and reads the ack: its result.
    fn answer(&self, conn: &Conn, req: &EnrollReq, buf: &mut [u8]) -> i32 {
        let ids = id_str(&req.id);
        log_info!(PREFIX, "{} Handling incoming enrollment.", ids);
        let (t_sec, t_nsec) = realtime();
        let resp = EnrollResp {
            id: req.id.to_vec(),
            t_sec,
            t_nsec,
            response: 0,
            conf: self.conf(),
        };
        let bytes = resp.encode();
        if resp.conf.is_none() || bytes.len() > ENROLL_BUF_LEN {
            log_err!(PREFIX, "{} Failed to pack reply.", ids);
            return NO_ACK;
        }
        if conn.flow.write(&bytes).is_err() {
            log_err!(PREFIX, "{} Failed to send response.", ids);
            return NO_ACK;
        }
        let started = Instant::now();
        let Ok(n) = conn.flow.read(buf) else {
            log_err!(
                PREFIX,
                "{} Failed to read from flow (after {} ms).",
                ids,
                started.elapsed().as_millis()
            );
            return NO_ACK;
        };
        let Ok(ack) = EnrollAck::decode(&buf[..n]) else {
            log_err!(PREFIX, "{} Failed to unpack ack.", ids);
            return NO_ACK;
        };
        if ack.id != req.id {
            log_warn!(PREFIX, "{} Enrollment ID mismatch.", ids);
        }
        ack.result
    }
}

/// The enrollee's side as every normal IPCP runs it (its log lines under
/// `prefix`): a connection to `dst` for the Enrollment component, the
/// request, the layer's configuration checked for type `ty`, `init` of
/// the IPCP's components with it, the acknowledgement (negative when
/// `init` failed) and the end of the connection. Returns the
/// configuration.
pub fn enrollee(
    prefix: &str,
    cm: &ConnMgr,
    enrollment: &Enrollment,
    dst: &str,
    ty: ouroboros::ipcp::IpcpType,
    init: impl FnOnce(&IpcpConfig) -> Result<(), ()>,
) -> Result<IpcpConfig, i32> {
    let Some(id) = new_id() else {
        log_err!(prefix, "Failed to generate enrollment ID.");
        return Err(-1);
    };
    let ids = format!("[{}]", hex(&id));
    log_info!(prefix, "{} Requesting enrollment.", ids);
    let conn = match cm.alloc(CompId::Enroll, dst, None) {
        Ok(c) => c,
        Err(_) => {
            log_err!(prefix, "{} Failed to get connection.", ids);
            return Err(-1);
        }
    };
    let Some(conf) = enrollment.boot(&conn, &id, ty as u32) else {
        log_err!(prefix, "{} Failed to get boot information.", ids);
        return Err(-1);
    };
    if init(&conf).is_err() {
        log_err!(prefix, "{} Failed to initialize components.", ids);
        let _ = Enrollment::ack(&conn, &id, -1);
        return Err(-1);
    }
    if !Enrollment::ack(&conn, &id, 0) {
        log_err!(prefix, "{} Failed to confirm enrollment.", ids);
    }
    if connmgr::dealloc(conn) < 0 {
        log_warn!(prefix, "{} Failed to dealloc enrollment flow.", ids);
    }
    log_info!(prefix, "{} Enrolled with {}.", ids, dst);
    Ok(conf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ouroboros::ipcp::IpcpType;

    fn resp(id: &EnrollId, response: i32, ty: IpcpType) -> EnrollResp {
        let mut c = IpcpConfig::default_for(ty);
        c.layer.name = "bc".into();
        EnrollResp {
            id: id.to_vec(),
            t_sec: 1,
            t_nsec: 2,
            response,
            conf: Some((&c).into()),
        }
    }

    #[test]
    fn enrollee_checks_the_response() {
        let id = [7u8; 8];
        let bc = IpcpType::Broadcast as u32;
        let ok = check_resp(&resp(&id, 0, IpcpType::Broadcast), &id, bc).unwrap();
        assert_eq!(ok.layer.name, "bc");
        assert_eq!(
            check_resp(&resp(&[8u8; 8], 0, IpcpType::Broadcast), &id, bc),
            Err(Refused::IdMismatch)
        );
        assert_eq!(
            check_resp(&resp(&id, -5, IpcpType::Broadcast), &id, bc),
            Err(Refused::Denied(-5))
        );
        assert_eq!(
            check_resp(&resp(&id, 0, IpcpType::Unicast), &id, bc),
            Err(Refused::WrongType(1))
        );
        // a unicast configuration without its unicast part
        let mut r = resp(&id, 0, IpcpType::Unicast);
        if let Some(c) = r.conf.as_mut() {
            c.unicast = None;
        }
        assert_eq!(
            check_resp(&r, &id, IpcpType::Unicast as u32),
            Err(Refused::BadConf)
        );
        assert_eq!(conn_info().encode().len(), 23);
    }
}

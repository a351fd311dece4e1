//! The IPCP side of flows ("np1" flows towards applications), used by the
//! ipcpd-* daemons: set-up on the IRMd's word, packet transfer between an
//! application's pool and ours, and teardown.

use super::flow::{flow_init, teardown};
use super::io::end_of;
use super::irm;
use super::process::{get, Process};
use crate::errno::{Error, Result};
use crate::pb::msg::FlowInfoMsg;
use crate::pb::{IrmMsg, IrmMsgCode};
use crate::qos::QosSpec;
use crate::ssm::{Pool, ACL_FLOWDOWN, FLOW_DEALLOC, FLOW_PKT};
use crate::time::MonoTime;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn np1_info(id: i32, n_pid: i32, n_1_pid: i32) -> FlowInfoMsg {
    FlowInfoMsg {
        id: id as u32,
        n_pid: n_pid as u32,
        n_1_pid: n_1_pid as u32,
        mpl: 0,
        state: 0,
        qos: (&QosSpec::NP1).into(),
        uid: 0,
    }
}

/// Our end of flow `flow_id` towards application `app` (the IRMd created
/// the rings); returns its fd.
pub fn np1_flow_alloc(app: i32, flow_id: i32) -> Result<i32> {
    let p = get()?;
    flow_init(p, &np1_info(flow_id, p.pid, app), 0)
}

/// Sets the application's pool for an np1 flow (`uid` != 0: its PUP).
pub fn np1_set_pool(fd: i32, uid: u32) -> Result<()> {
    let p = get()?;
    let end = end_of(p, fd)?;
    let pool = if uid == 0 {
        None
    } else {
        Some(Arc::new(Pool::open(uid).map_err(|_| Error::NoMem)?))
    };
    *end.np1_pool.lock().unwrap_or_else(|e| e.into_inner()) = pool;
    Ok(())
}

/// Reports an incoming flow for `hash` to the IRMd; on success sets up our
/// end towards the accepting application and returns its fd.
pub fn ipcp_flow_req_arr(hash: &[u8], qs: &QosSpec, mpl: u32, data: &[u8]) -> Result<i32> {
    let p = get()?;
    let info = FlowInfoMsg {
        id: 0,
        n_pid: 0,
        n_1_pid: p.pid as u32,
        mpl,
        state: 0,
        qos: qs.into(),
        uid: 0,
    };
    let msg = IrmMsg {
        flow_info: Some(info),
        hash: Some(hash.to_vec()),
        pk: Some(data.to_vec()),
        ..IrmMsg::with_code(IrmMsgCode::IpcpFlowReqArr)
    };
    let reply = irm::call(&msg)?;
    irm::result(&reply)?;
    let got = reply.flow_info.ok_or(Error::BadF)?;
    flow_init(p, &np1_info(got.id as i32, p.pid, got.n_pid as i32), 0)
}

/// After the IRMd's response for `flow_id`: with `resp == 0`, waits until
/// our end exists; returns its fd.
pub fn np1_flow_resp(flow_id: i32, resp: i32) -> Result<i32> {
    let p = get()?;
    if resp != 0 {
        return Ok(fd_of(p, flow_id));
    }
    let mut g = p.ids_lock.lock().unwrap_or_else(|e| e.into_inner());
    let deadline = MonoTime::now().after(Duration::from_secs(20));
    loop {
        let fd = fd_of(p, flow_id);
        if fd >= 0 {
            return Ok(fd);
        }
        let now = MonoTime::now();
        if now >= deadline {
            return Err(Error::Perm);
        }
        g = p
            .ids_changed
            .wait_timeout(g, deadline.since(now))
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// The IRMd asked to tear down `flow_id` after `linger` seconds.
pub fn np1_flow_dealloc(flow_id: i32, linger: u32) -> Result<i32> {
    std::thread::sleep(Duration::from_secs(u64::from(linger)));
    let p = get()?;
    Ok(fd_of(p, flow_id))
}

fn fd_of(p: &Process, flow_id: i32) -> i32 {
    p.table
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .fd_of(flow_id)
}

/// Tells the IRMd how the allocation on our flow `fd` ended.
pub fn ipcp_flow_alloc_reply(fd: i32, response: i32, mpl: u32, data: &[u8]) -> Result<()> {
    let p = get()?;
    let end = end_of(p, fd)?;
    let msg = IrmMsg {
        flow_info: Some(FlowInfoMsg {
            id: end.id as u32,
            mpl,
            ..Default::default()
        }),
        response: Some(response),
        pk: Some(data.to_vec()),
        ..IrmMsg::with_code(IrmMsgCode::IpcpFlowAllocReply)
    };
    irm::result(&irm::call(&msg)?)
}

/// Marks our end down, tells the application, and waits (bounded) until
/// it has taken what was queued for us.
pub fn ipcp_flow_fini(fd: i32) -> Result<()> {
    let p = get()?;
    let end = end_of(p, fd)?;
    end.rx.set_acl(ACL_FLOWDOWN);
    end.tx.set_acl(ACL_FLOWDOWN);
    end.peer.notify(end.id, FLOW_DEALLOC);
    // drop what the application still sent us
    while let Ok(off) = end.rx.read() {
        free_in(p, &end, off);
    }
    Ok(())
}

/// Tells the IRMd our end of `fd` is gone, then tears it down.
pub fn ipcp_flow_dealloc(fd: i32) -> Result<()> {
    let p = get()?;
    let end = end_of(p, fd)?;
    let msg = IrmMsg {
        flow_info: Some(FlowInfoMsg {
            id: end.id as u32,
            n_1_pid: end.n_1_pid as u32,
            ..Default::default()
        }),
        ..IrmMsg::with_code(IrmMsgCode::IpcpFlowDealloc)
    };
    // The IRMd frees the id on this message and may hand it to a new flow
    // whose response reaches us before our teardown below: np1_flow_resp
    // must not find this end under it (upstream has that race).
    p.table
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .unmap(end.id, fd);
    let reply = irm::call(&msg)?;
    teardown(p, fd);
    irm::result(&reply)
}

/// Frees a block the application put in our ring (its pool, or ours).
pub(super) fn free_in(p: &Process, end: &super::table::FlowEnd, off: usize) {
    let pool = end.app_pool();
    let _ = pool.as_deref().unwrap_or(&p.pool).remove(off);
}

/// Moves one packet from `src`'s ring to `dst`'s peer: zero-copy between
/// flows in our pool, one copy when the pools differ. True when the
/// packet's event reached the receiver (false: its flow was in no event
/// set yet, see [`reannounce`]).
pub fn local_flow_transfer(src: i32, dst: i32) -> Result<bool> {
    let p = get()?;
    let s = end_of(p, src)?;
    let off = s.rx.read()?;
    s.touch_rcv(MonoTime::now());
    let Ok(d) = end_of(p, dst) else {
        free_in(p, &s, off);
        return Err(Error::NotAlloc);
    };
    let (sp, dp) = (s.app_pool(), d.app_pool());
    let same = match (&sp, &dp) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    };
    let out = if same {
        off
    } else {
        let src_pool: &Pool = sp.as_deref().unwrap_or(&p.pool);
        let dst_pool: &Pool = dp.as_deref().unwrap_or(&p.pool);
        let Some(b) = src_pool.get(off) else {
            return Err(Error::Again);
        };
        let bytes = b.to_vec();
        let _ = src_pool.remove(off);
        let nb = dst_pool.alloc(bytes.len()).map_err(|_| Error::NoMem)?;
        nb.write(0, &bytes)?;
        nb.off()
    };
    d.touch_snd(MonoTime::now());
    match d.tx.write_b(out, None) {
        Ok(()) => Ok(d.peer.notify_attached(d.id, FLOW_PKT)),
        Err(e) => {
            free_in(p, &d, out);
            Err(e)
        }
    }
}

/// How long a receiver's ring must stand still before [`reannounce`]
/// takes its packets for stranded.
const STRANDED_AFTER: Duration = Duration::from_millis(500);

/// What [`reannounce`] knows of one receiving flow.
#[derive(Debug, Default)]
pub struct RingMark {
    /// A packet reached the ring while the flow was in no event set.
    missed: bool,
    /// The ring's read count and fill, and since when they are so.
    seen: Option<(usize, usize, Instant)>,
}

impl RingMark {
    /// Notes the result of a [`local_flow_transfer`] to this flow.
    pub fn transferred(&mut self, announced: bool) {
        self.missed |= !announced;
    }
}

/// Announces again packets that wait in the application's ring of `fd`
/// with no event left for them, one event each. They arise when packets
/// arrive before the application attaches the flow to an event set:
/// upstream's `fset_add` announces one however many wait, and programs
/// that read one packet per event then leave the rest in the ring for
/// good. Only for a flow that got packets while in no set (`mark`), and
/// only once its ring holds packets, has no event pending and has not
/// moved for `STRANDED_AFTER`: a reader that is merely slow gets no
/// spurious event. Call it periodically.
pub fn reannounce(fd: i32, mark: &mut RingMark) {
    if !mark.missed {
        return;
    }
    let Ok(p) = get() else { return };
    let Ok(end) = end_of(p, fd) else { return };
    let Some(pending) = end.peer.pending(end.id) else {
        return; // still in no set: its fset_add will announce
    };
    let state = (end.tx.read_count(), end.tx.queued());
    if state.1 == 0 {
        // all read since it joined a set: nothing can be stranded
        *mark = RingMark::default();
        return;
    }
    let since = match mark.seen {
        Some((r, q, t)) if (r, q) == state => t,
        _ => {
            mark.seen = Some((state.0, state.1, Instant::now()));
            return;
        }
    };
    if pending > 0 || since.elapsed() < STRANDED_AFTER {
        return;
    }
    for _ in 0..state.1 {
        end.peer.notify(end.id, FLOW_PKT);
    }
    *mark = RingMark::default();
}

/// Takes the next packet the application sent on our flow `fd`, copied
/// into `buf` (which it replaces); the block goes back to its pool.
/// Non-blocking: `Err(Again)` when nothing waits.
pub fn np1_flow_read(fd: i32, buf: &mut Vec<u8>) -> Result<()> {
    let p = get()?;
    let end = end_of(p, fd)?;
    let pool = end.app_pool();
    let pool: &Pool = pool.as_deref().unwrap_or(&p.pool);
    let off = end.rx.read_claimed(&|off| pool.claim(off))?;
    end.touch_rcv(MonoTime::now());
    let Some(b) = pool.get(off) else {
        return Err(Error::Again);
    };
    buf.clear();
    buf.extend_from_slice(&b.to_vec());
    let _ = pool.remove(off);
    Ok(())
}

/// Hands `data` to the application of our flow `fd`, in the
/// application's pool. Never blocks: with its ring full or no block
/// free the packet is dropped (`Err(Again)` / `Err(NoMem)`), as a
/// network would, so one slow reader cannot stall the IPCP's receiver.
pub fn np1_flow_write(fd: i32, data: &[u8]) -> Result<()> {
    let p = get()?;
    let end = end_of(p, fd)?;
    let pool = end.app_pool();
    let pool: &Pool = pool.as_deref().unwrap_or(&p.pool);
    let b = pool.alloc(data.len()).map_err(|_| Error::NoMem)?;
    let off = b.off();
    if let Err(e) = b.write(0, data) {
        let _ = pool.remove(off);
        return Err(e);
    }
    end.touch_snd(MonoTime::now());
    match end.tx.write(off) {
        Ok(()) => {
            end.peer.notify_attached(end.id, FLOW_PKT);
            Ok(())
        }
        Err(e) => {
            let _ = pool.remove(off);
            Err(e)
        }
    }
}

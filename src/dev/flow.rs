//! Getting and releasing flows: `flow_alloc`, `flow_accept`, `flow_join`,
//! `flow_dealloc`, the common `flow_init` and the local teardown.

use super::irm;
use super::process::{get, Process};
use super::table::{flags, FlowEnd, Vars};
use crate::errno::{Error, Result};
use crate::pb::msg::{FlowInfoMsg, TimespecMsg};
use crate::pb::{IrmMsg, IrmMsgCode};
use crate::qos::QosSpec;
use crate::ssm::{FlowSet, Rbuff, ACL_FLOWDOWN, FLOW_DEALLOC};
use crate::time::MonoTime;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the IRMd granted: the flow_info plus the OAP outcome.
pub struct Granted {
    pub info: FlowInfoMsg,
    pub cipher_nid: i32,
}

fn request_info(p: &Process, qs: &QosSpec) -> FlowInfoMsg {
    FlowInfoMsg {
        id: 0,
        n_pid: p.pid as u32,
        n_1_pid: 0,
        mpl: 0,
        state: 0,
        qos: qs.into(),
        uid: 0,
    }
}

fn timespec(d: Duration) -> TimespecMsg {
    TimespecMsg {
        tv_sec: d.as_secs(),
        tv_nsec: d.subsec_nanos(),
    }
}

/// Sends a flow request and decodes a grant.
fn request(msg: &IrmMsg) -> Result<Granted> {
    let reply = irm::call(msg)?;
    irm::result(&reply)?;
    let info = reply.flow_info.ok_or(Error::BadF)?;
    Ok(Granted {
        info,
        cipher_nid: reply.cipher_nid.unwrap_or(0),
    })
}

/// Sets up our end of a granted flow; returns its fd.
pub fn flow_init(p: &Process, info: &FlowInfoMsg, cipher_nid: i32) -> Result<i32> {
    if cipher_nid != 0 {
        // Flow encryption comes with the security milestone; refuse
        // rather than send in the clear what the peer will encrypt.
        return Err(Error::Crypt);
    }
    let (id, n_pid, n_1_pid) = (info.id as i32, info.n_pid as i32, info.n_1_pid as i32);
    let mut table = p.table.write().unwrap_or_else(|e| e.into_inner());
    let fd = table.free_fd().ok_or(Error::BadF)?;
    let rx = Rbuff::open(n_pid, id).map_err(|_| Error::NoMem)?;
    let tx = Rbuff::open(n_1_pid, id).map_err(|_| Error::NoMem)?;
    let peer = FlowSet::open(n_1_pid).map_err(|_| Error::NoMem)?;
    let now = MonoTime::now().nanos();
    let end = FlowEnd {
        fd,
        id,
        n_1_pid,
        rx,
        tx,
        peer,
        qs: QosSpec::from(&info.qos),
        vars: Mutex::new(Vars {
            flags: flags::FLOWFDEFAULT as u16,
            rcv_timeo: None,
            snd_timeo: None,
            part: None,
            part_done: false,
        }),
        rcv_act: AtomicU64::new(now),
        snd_act: AtomicU64::new(now),
        np1_pool: Mutex::new(None),
        frct: (info.qos.in_order != 0)
            .then(|| super::frct::FrctFlow::new(&QosSpec::from(&info.qos), info.mpl)),
    };
    if end.frct.is_some() {
        // FRCT flows report to the library's own event queue
        p.set.add(0, id).map_err(|_| Error::NoMem)?;
        super::frct::ensure_ticker();
    }
    table.insert(end);
    drop(table);
    let _g = p.ids_lock.lock().unwrap_or_else(|e| e.into_inner());
    p.ids_changed.notify_all();
    Ok(fd)
}

/// Forces `ber = 1` (upstream's QOS_DISABLE_CRC build) in the caller's spec.
fn request_qos(qs: Option<&mut QosSpec>) -> QosSpec {
    match qs {
        Some(q) => {
            q.ber = 1;
            *q
        }
        None => QosSpec::RAW,
    }
}

/// `flow_alloc`: a flow to `dst`. On success `*qs` receives the flow's QoS.
pub fn flow_alloc(dst: &str, mut qs: Option<&mut QosSpec>, timeo: Option<Duration>) -> Result<i32> {
    let p = get()?;
    let q = request_qos(qs.as_deref_mut());
    let msg = IrmMsg {
        flow_info: Some(request_info(p, &q)),
        dst: Some(dst.to_string()),
        timeo: timeo.map(timespec),
        ..IrmMsg::with_code(IrmMsgCode::IrmFlowAlloc)
    };
    let g = match request(&msg) {
        Err(Error::Perm) => {
            // upstream prints this on stdout when the IRMd is unreachable;
            // through C's stdio so it stays in order with a C caller's output
            // SAFETY: puts with a NUL-terminated literal.
            unsafe { libc::puts(c"send_recv_msg error -1".as_ptr()) };
            return Err(Error::Perm);
        }
        r => r?,
    };
    // the granted QoS is copied back whatever the set-up gives (upstream)
    if let Some(q) = qs {
        *q = QosSpec::from(&g.info.qos);
    }
    flow_init(p, &g.info, g.cipher_nid)
}

/// `flow_accept`: waits for an incoming flow to any name we are bound to.
pub fn flow_accept(mut qs: Option<&mut QosSpec>, timeo: Option<Duration>) -> Result<i32> {
    let p = get()?;
    let q = request_qos(qs.as_deref_mut());
    let msg = IrmMsg {
        flow_info: Some(request_info(p, &q)),
        timeo: timeo.map(timespec),
        ..IrmMsg::with_code(IrmMsgCode::IrmFlowAccept)
    };
    let g = request(&msg)?;
    if let Some(q) = qs {
        *q = QosSpec::from(&g.info.qos);
    }
    flow_init(p, &g.info, g.cipher_nid)
}

/// `flow_join`: a flow into broadcast layer `dst`.
pub fn flow_join(dst: &str, timeo: Option<Duration>) -> Result<i32> {
    let p = get()?;
    let msg = IrmMsg {
        flow_info: Some(request_info(p, &QosSpec::NP1)),
        dst: Some(dst.to_string()),
        timeo: timeo.map(timespec),
        ..IrmMsg::with_code(IrmMsgCode::IrmFlowJoin)
    };
    let g = request(&msg)?;
    flow_init(p, &g.info, 0)
}

/// How long `flow_dealloc` waits for the peer to drain what we sent.
fn drain_limit(end: &FlowEnd) -> Duration {
    Duration::from_millis(u64::from(end.qs.timeout.max(1000)))
}

/// `flow_dealloc`: drains, tells the IRMd, and releases the fd.
pub fn flow_dealloc(fd: i32) -> Result<()> {
    if !(0..super::SYS_MAX_FLOWS).contains(&fd) {
        return Err(Error::Inval);
    }
    let p = get()?;
    let end = p
        .table
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(fd)
        .ok_or(Error::NotAlloc)?;
    {
        let mut v = end.vars();
        v.flags = (flags::FLOWFDEFAULT | flags::FLOWFRNOPART) as u16;
        v.rcv_timeo = Some(Duration::from_millis(5));
    }
    let mut buf = [0u8; 1];
    let _ = super::io::flow_read(fd, &mut buf);
    let linger = linger(p, &end, fd);
    // Wait for the peer to take what we sent (bounded, unlike upstream,
    // so a dead peer cannot hang us), or until it went down.
    let _ = end.tx.fini(Some(MonoTime::now().after(drain_limit(&end))));
    let msg = IrmMsg {
        flow_info: Some(FlowInfoMsg {
            id: end.id as u32,
            n_pid: p.pid as u32,
            ..Default::default()
        }),
        timeo: Some(TimespecMsg {
            tv_sec: linger,
            tv_nsec: 0,
        }),
        ..IrmMsg::with_code(IrmMsgCode::IrmFlowDealloc)
    };
    let reply = irm::call(&msg)?;
    teardown(p, fd);
    irm::result(&reply)
}

/// FRCT's linger time in whole seconds: keeps reading (5 ms at a time)
/// while unacknowledged data needs it, stopping when the peer is gone.
fn linger(p: &Process, end: &FlowEnd, fd: i32) -> u64 {
    let Some(fr) = end.frct.as_ref() else {
        return 0;
    };
    let mut buf = vec![0u8; 2048];
    loop {
        let (w, transmits) = {
            let mut f = fr.lock();
            (
                f.dealloc(MonoTime::now()),
                super::frct::take_transmits(&mut f),
            )
        };
        super::frct::send_transmits(p, end, transmits);
        if w >= 0 {
            return w as u64;
        }
        if let Err(Error::FlowDown) = super::io::flow_read(fd, &mut buf) {
            return w.unsigned_abs();
        }
    }
}

/// Local teardown of `fd`: flags both rings down, tells the peer, and
/// releases the descriptor. Returns the flow end if there was one.
pub fn teardown(p: &Process, fd: i32) -> Option<Arc<FlowEnd>> {
    let end = p
        .table
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .remove(fd)?;
    {
        let _g = p.ids_lock.lock().unwrap_or_else(|e| e.into_inner());
        p.ids_changed.notify_all();
    }
    if let Some(off) = end.vars().part.take() {
        let _ = p.pool.remove(off);
    }
    if let Some(fr) = end.frct.as_ref() {
        p.set.del(0, end.id);
        let queued: Vec<usize> = fr.lock().drain_queue().collect();
        for off in queued {
            let _ = p.pool.remove(off);
        }
    }
    // Down first: no writer gets in after this. What is still queued for
    // us is ours to free (upstream leaves it in the ring).
    end.rx.set_acl(ACL_FLOWDOWN);
    while let Ok(off) = end.rx.read() {
        super::np1::free_in(p, &end, off);
    }
    end.tx.set_acl(ACL_FLOWDOWN);
    end.peer.notify(end.id, FLOW_DEALLOC);
    Some(end)
}

//! The library's receive thread: it waits on the process's own event
//! queue (index 0) and, every 5 ms without events, runs the keepalives:
//! a zero-length packet after `timeout/4` of silence on our side, and
//! FLOW_PEER when the peer has been silent for `timeout`.

use super::process::{get, Process};
use super::table::FlowEnd;
use crate::ssm::{ACL_FLOWDOWN, ACL_FLOWPEER, FLOW_PEER, FLOW_PKT};
use crate::time::MonoTime;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Period of the rx thread (`TICTIME`).
const TICK: Duration = Duration::from_millis(5);

pub fn rx_loop() {
    let Ok(p) = get() else { return };
    while !p.stop.load(Ordering::SeqCst) {
        match p.set.wait(0, Some(MonoTime::now().after(TICK))) {
            Err(crate::Error::TimedOut) => keepalive(p, MonoTime::now()),
            Err(_) => std::thread::sleep(TICK),
            Ok(events) => {
                for ev in events {
                    frct_event(p, ev);
                }
            }
        }
    }
}

/// A packet arrived on an FRCT flow nobody reads through a user set:
/// FRCT takes it in (ACKs, window updates, the reorder queue).
fn frct_event(p: &Process, ev: crate::ssm::FlowEvent) {
    if ev.event != FLOW_PKT {
        return;
    }
    let end = {
        let table = p.table.read().unwrap_or_else(|e| e.into_inner());
        table.get(table.fd_of(ev.flow_id))
    };
    if let Some(end) = end {
        if let Some(fr) = end.frct.as_ref() {
            // a reader busy on the ring takes this packet itself
            if let Some(g) = fr.try_ring() {
                super::io::pull_locked(p, &end, fr, &g);
            }
        }
    }
}

/// One keepalive pass over every flow.
pub fn keepalive(p: &Process, now: MonoTime) {
    let ends = p.table.read().unwrap_or_else(|e| e.into_inner()).ends();
    for end in ends {
        check(p, &end, now);
    }
}

fn check(p: &Process, end: &FlowEnd, now: MonoTime) {
    let timeout = u64::from(end.qs.timeout) * 1_000_000;
    if timeout == 0 || end.rx.acl() & (ACL_FLOWPEER | ACL_FLOWDOWN) != 0 {
        return;
    }
    let rcv = end.rcv_act.load(Ordering::Relaxed);
    let snd = end.snd_act.load(Ordering::Relaxed);
    if now.nanos().saturating_sub(rcv) > timeout {
        end.rx.set_acl(ACL_FLOWPEER);
        p.set.notify(end.id, FLOW_PEER);
    } else if now.nanos().saturating_sub(snd) > timeout / 4 {
        let Ok(block) = p.pool.alloc(0) else { return };
        end.touch_snd(now);
        let off = block.off();
        match end.tx.write(off) {
            Ok(()) => end.peer.notify(end.id, FLOW_PKT),
            Err(_) => {
                let _ = p.pool.remove(off);
            }
        }
    }
}

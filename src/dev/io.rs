//! `flow_write` and `flow_read`, and the transmit/receive steps the IPCP
//! functions share with them.

use super::crc::{crc32_be, CRCLEN};
use super::frct::FrctFlow;
use super::process::{get, Process};
use super::table::{flags, FlowEnd};
use super::PROG_MAX_FLOWS;
use crate::errno::{Error, Result};
use crate::frct::PCI_LEN;
use crate::ssm::{Block, FLOW_PKT};
use crate::time::MonoTime;
use std::sync::{Arc, MutexGuard};
use std::time::Duration;

/// The flow end at `fd`: `BadF` out of range, `NotAlloc` if free.
pub fn end_of(p: &Process, fd: i32) -> Result<Arc<FlowEnd>> {
    if !(0..PROG_MAX_FLOWS).contains(&fd) {
        return Err(Error::BadF);
    }
    p.table
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(fd)
        .ok_or(Error::NotAlloc)
}

/// `flow_write`: one packet of `buf`; returns its length. As upstream, a
/// full or closed peer ring drops the packet silently.
pub fn flow_write(fd: i32, buf: &[u8]) -> Result<usize> {
    let p = get()?;
    let end = end_of(p, fd)?;
    let now = MonoTime::now();
    let (fl, timeo) = {
        let v = end.vars();
        (u32::from(v.flags), v.snd_timeo)
    };
    if fl & flags::FLOWFACCMODE == flags::FLOWFRDONLY {
        return Err(Error::Perm);
    }
    let deadline = timeo.map(|t| now.after(t));
    let blocking = fl & flags::FLOWFWNOBLOCK == 0;
    if let Some(fr) = end.frct.as_ref() {
        wait_window(p, &end, fr, blocking, deadline)?;
    }
    let block = if blocking {
        p.pool.alloc_b(buf.len(), deadline)?
    } else {
        p.pool.alloc(buf.len())?
    };
    block.write(0, buf)?;
    if let (Some(fr), false) = (end.frct.as_ref(), buf.is_empty()) {
        let (sent, transmits) = {
            let mut f = fr.lock();
            let sent = f.send(MonoTime::now(), buf);
            (sent, super::frct::take_transmits(&mut f))
        };
        if block.head_alloc(PCI_LEN).is_err() || block.write(0, &sent.pci.to_bytes()).is_err() {
            let _ = p.pool.remove(block.off());
            return Err(Error::NoMem);
        }
        super::frct::send_transmits(p, &end, transmits);
    }
    transmit(p, &end, block, blocking, deadline)?;
    Ok(buf.len())
}

/// Waits until FRCT's window lets us send (non-blocking: `Again`).
fn wait_window(
    p: &Process,
    end: &FlowEnd,
    fr: &FrctFlow,
    blocking: bool,
    deadline: Option<MonoTime>,
) -> Result<()> {
    let mut f = fr.lock();
    if !blocking {
        let open = f.poll_window(MonoTime::now());
        let transmits = super::frct::take_transmits(&mut f);
        drop(f);
        super::frct::send_transmits(p, end, transmits);
        return if open { Ok(()) } else { Err(Error::Again) };
    }
    while f.must_wait() {
        let now = MonoTime::now();
        f.begin_wait(now);
        let transmits = super::frct::take_transmits(&mut f);
        if !transmits.is_empty() {
            drop(f);
            super::frct::send_transmits(p, end, transmits);
            f = fr.lock();
            continue;
        }
        // re-check every tick: a window update may come from the rx thread
        let until = match deadline {
            Some(d) if d <= now => return Err(f.wait_timed_out(now)),
            Some(d) => d.since(now).min(Duration::from_millis(5)),
            None => Duration::from_millis(5),
        };
        f = fr
            .window
            .wait_timeout(f, until)
            .unwrap_or_else(|e| e.into_inner())
            .0;
        drop(f);
        pull(p, end, fr);
        f = fr.lock();
    }
    Ok(())
}

/// Feeds FRCT what is queued in our ring (ACKs, window updates, data)
/// without blocking, until an in-order packet is ready (true) or the ring
/// is empty.
pub fn pull(p: &Process, end: &FlowEnd, fr: &FrctFlow) -> bool {
    let g = fr.ring();
    pull_locked(p, end, fr, &g)
}

/// `pull` for a caller that holds the ring already.
pub fn pull_locked(p: &Process, end: &FlowEnd, fr: &FrctFlow, _ring: &MutexGuard<'_, ()>) -> bool {
    loop {
        if fr.lock().has_ready() {
            return true;
        }
        match next_packet(p, end, false, None) {
            Ok(off) => {
                if super::frct::receive(p, end, fr, off) {
                    return true;
                }
            }
            Err(_) => return false,
        }
    }
}

/// After a reader took an FRCT packet: if more are ready, or the ring
/// still holds packets, queue a FLOW_PKT for the flow again. Their own
/// events may be gone already (an event whose packet was read along with
/// an earlier one, or one skipped because a packet was ready), and a
/// reader waiting in `fevent` must not sleep on them. The filter drops
/// the event if it finds nothing ready.
fn rearm(p: &Process, end: &FlowEnd, fr: &FrctFlow) {
    if fr.lock().has_ready() || end.rx.queued() > 0 {
        p.set.notify(end.id, FLOW_PKT);
    }
}

/// Sends a packet already in `block` to the peer: activity stamp, CRC when
/// the flow has `ber = 0`, the ring write and the peer's FLOW_PKT event.
/// Ring failures free the block and count as sent (upstream).
pub fn transmit(
    p: &Process,
    end: &FlowEnd,
    block: Block<'_>,
    blocking: bool,
    deadline: Option<MonoTime>,
) -> Result<()> {
    end.touch_snd(MonoTime::now());
    if !block.is_empty() && end.qs.ber == 0 {
        // SAFETY: we own this freshly allocated packet.
        let crc = crc32_be(unsafe { block.bytes() });
        if block.tail_alloc(CRCLEN).is_err() {
            let _ = p.pool.remove(block.off());
            return Err(Error::NoMem);
        }
        let len = block.len();
        block.write(len - CRCLEN, &crc)?;
    }
    let off = block.off();
    let r = if blocking {
        end.tx.write_b(off, deadline)
    } else {
        end.tx.write(off)
    };
    match r {
        Ok(()) => end.peer.notify(end.id, FLOW_PKT),
        Err(_) => {
            let _ = p.pool.remove(off);
        }
    }
    Ok(())
}

/// Checks a received packet; false means: drop it (keepalive, CRC error).
pub fn accept_packet(end: &FlowEnd, block: &Block<'_>) -> bool {
    if block.is_empty() {
        return false;
    }
    if end.qs.ber == 0 {
        if block.len() < CRCLEN {
            return false;
        }
        // SAFETY: we hold this packet (just taken from our ring).
        let data = unsafe { block.bytes() };
        let (body, crc) = data.split_at(data.len() - CRCLEN);
        if crc32_be(body) != crc {
            return false;
        }
        let _ = block.tail_release(CRCLEN);
    }
    true
}

/// Takes the next valid packet from our ring (blocking or not). Invalid
/// packets are dropped: a blocking read loops, a non-blocking one reports
/// `Again`.
pub fn next_packet(
    p: &Process,
    end: &FlowEnd,
    blocking: bool,
    deadline: Option<MonoTime>,
) -> Result<usize> {
    // the block is ours before it leaves the ring (see Pool::claim)
    let claim = |off| p.pool.claim(off);
    loop {
        let r = if blocking {
            end.rx.read_b_claimed(deadline, &claim)
        } else {
            end.rx.read_claimed(&claim)
        };
        let off = match r {
            Ok(off) => off,
            // a negative slot: garbage from the peer, consumed; like any
            // invalid packet it is dropped
            Err(Error::Inval) => usize::MAX,
            Err(e) => return Err(e),
        };
        end.touch_rcv(MonoTime::now());
        let ok = p.pool.get(off).is_some_and(|b| accept_packet(end, &b));
        if ok {
            return Ok(off);
        }
        if p.pool.get(off).is_some() {
            let _ = p.pool.remove(off);
        }
        if !blocking {
            return Err(Error::Again);
        }
    }
}

/// The next packet to hand to the reader: straight from the ring, or for
/// FRCT flows the next in-order one (feeding FRCT what arrives).
fn next_delivery(
    p: &Process,
    end: &FlowEnd,
    blocking: bool,
    deadline: Option<MonoTime>,
) -> Result<usize> {
    let Some(fr) = end.frct.as_ref() else {
        return next_packet(p, end, blocking, deadline);
    };
    let r = frct_delivery(p, end, fr, blocking, deadline);
    if r.is_ok() {
        rearm(p, end, fr);
    }
    r
}

fn frct_delivery(
    p: &Process,
    end: &FlowEnd,
    fr: &FrctFlow,
    blocking: bool,
    deadline: Option<MonoTime>,
) -> Result<usize> {
    loop {
        let (ready, transmits) = {
            let mut f = fr.lock();
            (
                f.next_ready(MonoTime::now()),
                super::frct::take_transmits(&mut f),
            )
        };
        super::frct::send_transmits(p, end, transmits);
        if let Some(off) = ready {
            return Ok(off);
        }
        // wake up now and then: the rx thread may have queued a packet
        let now = MonoTime::now();
        let step = match deadline {
            Some(d) if d <= now => return Err(Error::TimedOut),
            Some(d) => d.min(now.after(Duration::from_millis(5))),
            None => now.after(Duration::from_millis(5)),
        };
        let ring = fr.ring();
        match next_packet(p, end, blocking, if blocking { Some(step) } else { None }) {
            Ok(off) => {
                super::frct::receive(p, end, fr, off);
                drop(ring);
            }
            Err(Error::TimedOut) if deadline.is_none_or(|d| MonoTime::now() < d) => {}
            Err(e) => return Err(e),
        }
    }
}

/// `flow_read`: copies the next packet (or its first `buf.len()` bytes)
/// into `buf`. Returns 0 after a packet that filled `buf` exactly, with
/// partial reads on (upstream's end-of-packet marker).
pub fn flow_read(fd: i32, buf: &mut [u8]) -> Result<usize> {
    let p = get()?;
    let end = end_of(p, fd)?;
    let (fl, timeo, pending) = {
        let mut v = end.vars();
        if v.part_done {
            v.part_done = false;
            return Ok(0);
        }
        (u32::from(v.flags), v.rcv_timeo, v.part.take())
    };
    let blocking = fl & flags::FLOWFRNOBLOCK == 0;
    let partial = fl & flags::FLOWFRNOPART == 0;
    let deadline = timeo.map(|t| MonoTime::now().after(t));
    let off = match pending {
        Some(off) => off,
        None => next_delivery(p, &end, blocking, deadline)?,
    };
    let Some(block) = p.pool.get(off) else {
        return Err(Error::Again);
    };
    let n = block.len();
    if n <= buf.len() {
        block.read(buf);
        let _ = p.pool.remove(off);
        if partial && n == buf.len() {
            end.vars().part_done = true;
        }
        end.touch_rcv(MonoTime::now());
        return Ok(n);
    }
    if !partial {
        let _ = p.pool.remove(off);
        return Err(Error::MsgSize);
    }
    // Upstream delivers the first part, then 0, and drops the rest.
    let c = block.read(buf);
    let _ = block.head_release(n);
    end.vars().part = Some(off);
    Ok(c)
}

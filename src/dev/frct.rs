//! FRCT on a flow end: the per-flow state machine behind a lock, sending
//! what it asks for (ACKs, window updates, rendezvous, retransmissions),
//! feeding it received packets, and the 5 ms timer thread.

use super::process::{get, Process};
use super::table::FlowEnd;
use crate::frct::{Config, Frct, Pci, Transmit, PCI_LEN};
use crate::qos::QosSpec;
use crate::ssm::{ACL_FLOWDOWN, FLOW_PKT};
use crate::time::MonoTime;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// FRCT of one flow end; the condvar wakes writers waiting for the window.
pub struct FrctFlow {
    m: Mutex<Frct<usize>>,
    pub window: Condvar,
    /// Held by whoever takes packets from the ring and feeds them to FRCT
    /// (readers, the fevent filter, the rx thread), so that FRCT sees them
    /// in ring order: without retransmission a packet that overtakes
    /// another makes FRCT skip the one behind it.
    ring: Mutex<()>,
}

/// Period of the timer thread (`TICTIME`).
const TICK: Duration = Duration::from_millis(5);

fn random_u32() -> u32 {
    let mut b = [0u8; 4];
    // SAFETY: getrandom fills the 4-byte buffer it is given.
    unsafe { libc::getrandom(b.as_mut_ptr().cast(), 4, 0) };
    u32::from_ne_bytes(b)
}

impl FrctFlow {
    pub fn new(qs: &QosSpec, mpl_ms: u32) -> FrctFlow {
        let f = Frct::new(
            Config::for_flow(qs, u64::from(mpl_ms)),
            MonoTime::now(),
            random_u32,
        );
        FrctFlow {
            m: Mutex::new(f),
            window: Condvar::new(),
            ring: Mutex::new(()),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Frct<usize>> {
        self.m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The right to consume the ring (see `ring`); take it before `lock`.
    pub fn ring(&self) -> MutexGuard<'_, ()> {
        self.ring.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The ring, unless someone else consumes it now.
    pub fn try_ring(&self) -> Option<MutexGuard<'_, ()>> {
        match self.ring.try_lock() {
            Ok(g) => Some(g),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }
}

/// Takes what FRCT queued for sending.
pub fn take_transmits(f: &mut Frct<usize>) -> Vec<Transmit> {
    std::iter::from_fn(|| f.poll_transmit()).collect()
}

/// Sends FRCT's own packets: blocking allocation and ring write, no CRC,
/// FLOW_PKT to the peer.
pub fn send_transmits(p: &Process, end: &FlowEnd, list: Vec<Transmit>) {
    for t in list {
        let bytes = t.to_vec();
        let Ok(block) = p.pool.alloc_b(bytes.len(), None) else {
            continue;
        };
        if block.write(0, &bytes).is_err() {
            let _ = p.pool.remove(block.off());
            continue;
        }
        end.touch_snd(MonoTime::now());
        let off = block.off();
        match end.tx.write_b(off, None) {
            Ok(()) => end.peer.notify(end.id, FLOW_PKT),
            Err(_) => {
                let _ = p.pool.remove(off);
            }
        }
    }
}

/// Feeds a received (valid, non-empty) packet at `off` to FRCT. Returns
/// true when an in-order packet is ready for delivery.
pub fn receive(p: &Process, end: &FlowEnd, fr: &FrctFlow, off: usize) -> bool {
    let Some(block) = p.pool.get(off) else {
        return false;
    };
    let mut hdr = [0u8; PCI_LEN];
    let pci = if block.len() >= PCI_LEN && block.read(&mut hdr) == PCI_LEN {
        Pci::parse(&hdr)
    } else {
        None
    };
    let Some(pci) = pci else {
        let _ = p.pool.remove(off);
        return false;
    };
    let _ = block.head_release(PCI_LEN);
    let (ready, transmits, wake, free) = {
        let mut f = fr.lock();
        let r = f.receive(MonoTime::now(), pci, off);
        let mut free: Vec<usize> = r.stale;
        free.extend(r.dropped);
        (f.has_ready(), take_transmits(&mut f), r.window_update, free)
    };
    for off in free {
        let _ = p.pool.remove(off);
    }
    if wake {
        fr.window.notify_all();
    }
    send_transmits(p, end, transmits);
    ready
}

static TICKER: AtomicBool = AtomicBool::new(false);

/// Starts the timer thread with the first FRCT flow.
pub fn ensure_ticker() {
    if TICKER.swap(true, Ordering::SeqCst) {
        return;
    }
    let started = std::thread::Builder::new()
        .name("o7s-frct".into())
        .spawn(ticker);
    if started.is_err() {
        TICKER.store(false, Ordering::SeqCst);
    }
}

fn ticker() {
    let Ok(p) = get() else { return };
    while !p.stop.load(Ordering::SeqCst) {
        std::thread::sleep(TICK);
        let ends = p.table.read().unwrap_or_else(|e| e.into_inner()).ends();
        for end in ends {
            let Some(fr) = end.frct.as_ref() else {
                continue;
            };
            let (down, transmits) = {
                let mut f = fr.lock();
                f.tick(MonoTime::now());
                (f.take_flow_down(), take_transmits(&mut f))
            };
            if down {
                end.rx.set_acl(ACL_FLOWDOWN);
                end.tx.set_acl(ACL_FLOWDOWN);
            }
            send_transmits(p, &end, transmits);
        }
    }
}

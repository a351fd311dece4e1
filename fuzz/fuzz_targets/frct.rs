//! FRCT: the PCI parser and one endpoint's state machine driven by a
//! sequence of received packets, sends, reads and clock ticks.
//!
//! Input: a configuration byte (bit 0: retransmission; bits 1-7: the
//! layer's MPL in ms), then records (see `fuzz_support::Input::record`)
//! whose selector picks the operation:
//! 0 receive the record's bytes as a packet (PCI + payload), as the dev
//! layer does: parse, drop when short, strip, feed; 1 send a payload of
//! the record's length; 2 advance the clock by the record's first four
//! bytes (ns, little-endian, times 256) and tick; 3 read everything
//! ready; 4 change the flags; 5 dealloc; 6 the window calls of the
//! writers.
//!
//! Checked: a parsed PCI emits the bytes it came from; what FRCT sends
//! parses again; `has_ready` means `next_ready` delivers; the reorder
//! queue holds what `queued` says; the outbox stays bounded.

#![no_main]

use fuzz_support::Input;
use libfuzzer_sys::fuzz_target;
use ouroboros::frct::{Config, Frct, Pci, Transmit, PCI_LEN};
use ouroboros::time::MonoTime;

/// Operations per input.
const MAX_OPS: usize = 512;

fn drain(f: &mut Frct<Vec<u8>>) {
    let mut n = 0;
    while let Some(t) = f.poll_transmit() {
        let bytes = t.to_vec();
        let pci = Pci::parse(&bytes).expect("FRCT sends whole PCIs");
        if let Transmit::Control(c) = t {
            assert_eq!(pci, c);
            assert_eq!(bytes.len(), PCI_LEN);
        }
        n += 1;
        assert!(n <= 4 * 1024, "outbox keeps growing");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let cfg_byte = input.u8();
    let cfg = Config {
        mpl_ms: u64::from(cfg_byte >> 1),
        a_secs: ouroboros::frct::DELT_A,
        r_secs: ouroboros::frct::DELT_R,
        rtx: cfg_byte & 1 != 0,
    };
    let mut now = MonoTime(1_000_000_000_000);
    let mut seed = 0x1234_5678u32;
    let mut f: Frct<Vec<u8>> = Frct::new(cfg, now, move || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        seed
    });
    for _ in 0..MAX_OPS {
        if input.is_empty() {
            break;
        }
        let (sel, bytes) = input.record();
        match sel % 7 {
            0 => {
                let Some(pci) = Pci::parse(bytes) else {
                    assert!(bytes.len() < PCI_LEN);
                    continue;
                };
                assert_eq!(&pci.to_bytes()[..], &bytes[..PCI_LEN]);
                let r = f.receive(now, pci, bytes[PCI_LEN..].to_vec());
                drop(r);
            }
            1 => {
                if f.poll_window(now) {
                    let sent = f.send(now, bytes);
                    let _ = sent.pci.to_bytes();
                }
            }
            2 => {
                let mut d = Input::new(bytes);
                let step = u64::from(d.u32()) << 8;
                now = MonoTime(now.0.saturating_add(step));
                f.tick(now);
            }
            3 => loop {
                let ready = f.has_ready();
                match f.next_ready(now) {
                    Some(_) => {}
                    None => {
                        assert!(!ready, "has_ready but nothing delivered");
                        break;
                    }
                }
            },
            4 => {
                let mut d = Input::new(bytes);
                f.set_flags(d.u16());
            }
            5 => {
                let _ = f.dealloc(now);
            }
            _ => {
                if f.must_wait() {
                    f.begin_wait(now);
                    let _ = f.wait_timed_out(now);
                }
                let _ = f.is_window_open();
                let _ = f.take_flow_down();
            }
        }
        drain(&mut f);
        let _ = f.snapshot(now);
    }
    let queued = f.queued();
    assert_eq!(f.drain_queue().count(), queued, "queued() is not the queue");
});

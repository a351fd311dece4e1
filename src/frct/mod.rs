//! FRCT, the flow and retransmission control protocol, as a state machine
//! that reads no clock and touches no shared memory.
//!
//! FRCT runs end to end between the two libraries on flows whose QoS has
//! `in_order != 0` (data-plane spec §7). One [`Frct`] holds both
//! directions of one flow endpoint: the sender (sequence numbers, window,
//! RTT, retransmission timers) and the receiver (reorder queue, ACKs,
//! advertised window). Time is an input ([`MonoTime`]); packets are values:
//! outgoing data gets its 12-byte [`Pci`] from [`Frct::send`], received
//! packets are handed in with [`Frct::receive`] as an opaque handle `P`
//! (a pool block, a `Vec<u8>`, ...) that FRCT either keeps in its reorder
//! queue or hands back to be freed. Everything FRCT wants to send on its
//! own (ACKs, window updates, rendezvous, retransmissions) queues up and is
//! taken with [`Frct::poll_transmit`].
//!
//! How the dev layer drives it (one `Mutex<Frct<_>>` per FRCT flow; after
//! every call below, send what [`Frct::poll_transmit`] yields as 12-byte
//! control packets or retransmissions: encrypted, no CRC, blocking write,
//! FLOW_PKT to the peer):
//!
//! * `flow_write`: window check first — non-blocking writers call
//!   [`Frct::poll_window`] (`false` ⇒ `-EAGAIN`); blocking writers wait
//!   while [`Frct::must_wait`], calling [`Frct::begin_wait`] before each
//!   wait and [`Frct::wait_timed_out`] when their deadline passes (its
//!   error is the write's result). Then [`Frct::send`] with the payload:
//!   prepend the returned header, then encrypt/CRC as usual.
//! * `flow_read`: [`Frct::next_ready`]; when empty read the ring, drop
//!   zero-length packets, decode the header with [`Pci::parse`] (drop when
//!   short), strip it, feed [`Frct::receive`]; free what it hands back,
//!   wake blocked writers when it reports a window update, repeat.
//! * fevent filter: [`Frct::has_ready`], else read one packet, feed it,
//!   and report the event if [`Frct::has_ready`] now holds.
//! * every 5 ms ([`TICTIME`]): [`Frct::tick`], and set both ring ACLs to
//!   FLOWDOWN when [`Frct::take_flow_down`] says so ([`Frct::send`] ticks
//!   too).
//! * `flow_dealloc`: [`Frct::dealloc`] (linger value, may queue a final
//!   ACK), then free [`Frct::drain_queue`].
//! * `fccntl`: [`Frct::flags`] / [`Frct::set_flags`].
//!
//! Packets on the wire are those of upstream 0.23.0. Where upstream is
//! defective this implementation differs (see the data-plane spec §7 and
//! the notes at each place): retransmissions come from a private copy
//! (no reference counting, re-encryptable); a receiver drops packets
//! shorter than 12 bytes, accepts a data run only with DRF (and not
//! merely because ACKs arrived), answers a rendezvous only once it has a
//! window, ignores ACKs for data never sent, and without retransmission
//! delivers every queued packet in order instead of stranding some; a
//! receiver with retransmission also ACKs what its application consumes;
//! the sender's window starts "open" so that rendezvous work from the
//! start; RTT samples and backoffs ignore probes that waited behind a
//! retransmission, and a packet that is not the oldest is not resent
//! while ACKs still move the window.

mod pci;
mod receiver;
mod record;
mod rtt;
mod sender;
mod seq;
mod state;
mod timers;
mod unacked;
mod wheel;

pub use pci::{rebuild_window, set_ackno, Pci, PCI_LEN};
pub use record::{rcv_inactivity, snd_inactivity};
pub use rtt::RttEstimator;
pub use seq::{after, before};
pub use state::{Config, Frct, Received, Sent, SeqnoSource, Snapshot, Stats, Transmit};
pub use wheel::{ack_slot, rxm_place};

/// PCI flag bits (`enum frct_flags`).
pub mod flags {
    pub use super::pci::{ACK, DATA, DRF, FC, FFGM, MFGM, RDVS};
}

use crate::c_api::fccntl;

/// Retransmission (fccntl flag).
pub const FRCTFRTX: u16 = fccntl::FRCTFRTX as u16;
/// Flow control: respect the receiver's window (fccntl flag).
pub const FRCTFRESCNTL: u16 = fccntl::FRCTFRESCNTL as u16;
/// Linger on dealloc until all data is acknowledged (fccntl flag).
pub const FRCTFLINGER: u16 = fccntl::FRCTFLINGER as u16;

/// Reorder queue slots, which is also the receive window.
pub const RQ_SIZE: u32 = 256;
/// Sender window before the receiver's first update.
pub const START_WINDOW: u32 = 64;
/// Lower bound of the retransmission timeout, ns.
pub const RTO_MIN: i64 = 250_000;
/// RTO backoff: `rto += rto >> RTO_DIV` (0 doubles).
pub const RTO_DIV: u32 = 0;
/// RTO = srtt + (mdev << MDEV_MUL).
pub const MDEV_MUL: u32 = 2;
/// Period of the timer tick, ns; also the piggyback window for ACKs.
pub const TICTIME: u64 = 5_000_000;
/// Delta-t A (maximum time to acknowledge), seconds.
pub const DELT_A: u64 = 10;
/// Delta-t R (maximum time to retransmit), seconds.
pub const DELT_R: u64 = 120;
/// Interval between rendezvous while the window stays closed, ns.
pub const DELT_RDV: u64 = 100_000_000;
/// Rendezvous stop (and blocking writes fail) after this long closed, ns.
pub const MAX_RDV: u64 = 1_000_000_000;

/// Nanoseconds per second.
const BILLION: i64 = 1_000_000_000;

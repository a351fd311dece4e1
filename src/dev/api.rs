//! The safe Rust API: flows as owned values with `Read`/`Write`, sets of
//! flows and event queues.

use super::fccntl::{fccntl, Cmd};
use super::fqueue::{FSet, FQ};
use super::table::flags;
use crate::errno::{Error, Result};
use crate::qos::QosSpec;
use std::time::Duration;

/// An allocated flow; deallocated when dropped.
#[derive(Debug)]
pub struct Flow {
    fd: i32,
}

impl Flow {
    /// Allocates a flow to the name `dst` (QoS `raw` when `None`).
    pub fn alloc(dst: &str, qos: Option<QosSpec>, timeout: Option<Duration>) -> Result<Flow> {
        let mut q = qos.unwrap_or(QosSpec::RAW);
        let fd = super::flow_alloc(dst, Some(&mut q), timeout)?;
        Ok(Flow { fd })
    }

    /// Waits for an incoming flow to a name this process is bound to.
    pub fn accept(timeout: Option<Duration>) -> Result<Flow> {
        let fd = super::flow_accept(None, timeout)?;
        Ok(Flow { fd })
    }

    /// Joins the broadcast layer `layer`.
    pub fn join(layer: &str, timeout: Option<Duration>) -> Result<Flow> {
        Ok(Flow {
            fd: super::flow_join(layer, timeout)?,
        })
    }

    /// The flow descriptor (as the C API knows it).
    pub fn fd(&self) -> i32 {
        self.fd
    }

    /// Reads one packet (or its first `buf.len()` bytes).
    pub fn read(&self, buf: &mut [u8]) -> Result<usize> {
        super::flow_read(self.fd, buf)
    }

    /// Writes `buf` as one packet.
    pub fn write(&self, buf: &[u8]) -> Result<usize> {
        super::flow_write(self.fd, buf)
    }

    /// The QoS the flow got.
    pub fn qos(&self) -> Result<QosSpec> {
        let mut q = QosSpec::RAW;
        fccntl(self.fd, Cmd::GetQos(Some(&mut q)))?;
        Ok(q)
    }

    pub fn set_read_timeout(&self, t: Option<Duration>) -> Result<()> {
        fccntl(self.fd, Cmd::SetRcvTimeo(t))
    }

    pub fn set_write_timeout(&self, t: Option<Duration>) -> Result<()> {
        fccntl(self.fd, Cmd::SetSndTimeo(t))
    }

    /// Non-blocking reads and writes when `on`.
    pub fn set_nonblocking(&self, on: bool) -> Result<()> {
        let mut f = 0;
        fccntl(self.fd, Cmd::GetFlags(Some(&mut f)))?;
        let f = if on {
            f | flags::FLOWFNONBLOCK
        } else {
            f & !flags::FLOWFNONBLOCK
        };
        fccntl(self.fd, Cmd::SetFlags(f))
    }

    /// Packets waiting to be read.
    pub fn rx_queued(&self) -> Result<usize> {
        let mut n = 0;
        fccntl(self.fd, Cmd::RxQueueLen(&mut n))?;
        Ok(n)
    }

    /// Deallocates, reporting the IRMd's answer.
    pub fn dealloc(self) -> Result<()> {
        let fd = self.fd;
        std::mem::forget(self);
        super::flow_dealloc(fd)
    }
}

impl Drop for Flow {
    fn drop(&mut self) {
        let _ = super::flow_dealloc(self.fd);
    }
}

fn io_err(e: Error) -> std::io::Error {
    std::io::Error::from_raw_os_error(e.errno())
}

impl std::io::Read for Flow {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Flow::read(self, buf).map_err(io_err)
    }
}

impl std::io::Write for Flow {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Flow::write(self, buf).map_err(io_err)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Events `fevent` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Packet,
    Down,
    Up,
    Alloc,
    Dealloc,
    PeerTimeout,
    Other(i32),
}

impl Event {
    fn from_code(c: i32) -> Event {
        match c {
            1 => Event::Packet,
            2 => Event::Down,
            4 => Event::Up,
            8 => Event::Alloc,
            16 => Event::Dealloc,
            32 => Event::PeerTimeout,
            x => Event::Other(x),
        }
    }
}

/// A set of flows to wait on together.
#[derive(Debug)]
pub struct FlowSet(FSet);

/// The events of one wait.
#[derive(Debug, Default)]
pub struct FQueue(FQ);

impl FlowSet {
    /// `None` when the process has no event queue left.
    pub fn new() -> Option<FlowSet> {
        FSet::create().map(FlowSet)
    }

    pub fn add(&self, flow: &Flow) -> Result<()> {
        self.0.add(flow.fd)
    }

    pub fn remove(&self, flow: &Flow) {
        self.0.del(flow.fd)
    }

    pub fn contains(&self, flow: &Flow) -> bool {
        self.0.has(flow.fd)
    }

    pub fn clear(&self) {
        self.0.zero()
    }

    /// Waits for events (`TimedOut` after `timeout`).
    pub fn wait(&self, q: &mut FQueue, timeout: Option<Duration>) -> Result<()> {
        self.0.wait(&mut q.0, timeout)
    }
}

impl FQueue {
    pub fn new() -> FQueue {
        FQueue(FQ::new())
    }
}

impl Iterator for FQueue {
    /// The fd with an event, and the event.
    type Item = (i32, Event);

    fn next(&mut self) -> Option<(i32, Event)> {
        let fd = self.0.next_fd().ok()?;
        Some((fd, Event::from_code(self.0.event_type().ok()?)))
    }
}

// ---- Added for the tools (operf): `Event` is not re-exported from
// `dev`, so a caller cannot name it; these let it ask anyway. ----

impl Event {
    /// True for "a packet arrived" (`FLOW_PKT`).
    pub fn is_packet(self) -> bool {
        self == Event::Packet
    }
}

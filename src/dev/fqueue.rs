//! Event sets: an `fset` owns one event queue of our flow set; `fevent`
//! waits for events on it and hands them to an `fqueue` to iterate.

use super::process::{get, Process};
use super::SYS_MAX_FLOWS;
use crate::errno::{Error, Result};
use crate::ssm::{FlowEvent, FLOW_PKT};
use crate::time::MonoTime;
use std::time::Duration;

pub const FLOW_PKT_EV: i32 = FLOW_PKT;

/// A set of flows whose events are reported together.
#[derive(Debug)]
pub struct FSet {
    idx: usize,
}

/// A batch of events returned by `fevent`.
#[derive(Debug, Default)]
pub struct FQ {
    events: Vec<FlowEvent>,
    /// Next record to hand out.
    next: usize,
    /// Event type of the record last handed out.
    last: Option<i32>,
}

impl FSet {
    /// A new set; `None` when all event queues are in use.
    pub fn create() -> Option<FSet> {
        let p = get().ok()?;
        Some(FSet {
            idx: p.alloc_fqueue()?,
        })
    }

    pub fn idx(&self) -> usize {
        self.idx
    }

    /// Removes every flow from the set and drops pending events.
    pub fn zero(&self) {
        if let Ok(p) = get() {
            p.set.zero(self.idx);
        }
    }

    /// Adds flow `fd` (`Inval` if it is not allocated, `Perm` if the flow
    /// is in a set already, this one included).
    pub fn add(&self, fd: i32) -> Result<()> {
        let p = get()?;
        let end = flow_of(p, fd).ok_or(Error::Inval)?;
        if end.frct.is_some() {
            // the flow moves from the library's own queue to this set
            p.set.del(0, end.id);
        }
        if let Err(e) = p.set.add(self.idx, end.id) {
            if end.frct.is_some() {
                let _ = p.set.add(0, end.id);
            }
            return Err(e);
        }
        // packets waiting, in the ring or (FRCT) already in the reorder
        // queue, where the rx thread may have moved them before this add:
        // one event for FRCT (its record takes in everything), one per
        // packet otherwise, for programs that read once per event
        // (upstream announces one, and such a program strands the rest)
        let events = match end.frct.as_ref() {
            Some(f) => usize::from(end.rx.queued() > 0 || f.lock().has_ready()),
            None => end.rx.queued(),
        };
        for _ in 0..events {
            p.set.notify(end.id, FLOW_PKT);
        }
        Ok(())
    }

    pub fn del(&self, fd: i32) {
        if let Ok(p) = get() {
            if let Some(end) = flow_of(p, fd) {
                if p.set.has(self.idx, end.id) {
                    p.set.del(self.idx, end.id);
                    if end.frct.is_some() {
                        let _ = p.set.add(0, end.id);
                    }
                }
            }
        }
    }

    pub fn has(&self, fd: i32) -> bool {
        match get() {
            Ok(p) => flow_of(p, fd).is_some_and(|end| p.set.has(self.idx, end.id)),
            Err(_) => false,
        }
    }

    /// Waits until the set has events (or `fq` still holds some):
    /// `TimedOut` when `timeo` passes first.
    pub fn wait(&self, fq: &mut FQ, timeo: Option<Duration>) -> Result<()> {
        if fq.next < fq.events.len() {
            return Ok(());
        }
        let p = get()?;
        let deadline = timeo.map(|t| MonoTime::now().after(t));
        loop {
            let events = p.set.wait(self.idx, deadline)?;
            fq.events = events;
            fq.next = 0;
            fq.last = None;
            if fq.filter(p) {
                return Ok(());
            }
        }
    }
}

impl Drop for FSet {
    fn drop(&mut self) {
        if let Ok(p) = get() {
            p.set.zero(self.idx);
            p.free_fqueue(self.idx);
        }
    }
}

fn flow_of(p: &Process, fd: i32) -> Option<std::sync::Arc<super::table::FlowEnd>> {
    if !(0..SYS_MAX_FLOWS).contains(&fd) {
        return None;
    }
    p.table.read().unwrap_or_else(|e| e.into_inner()).get(fd)
}

impl FQ {
    pub fn new() -> FQ {
        FQ::default()
    }

    /// Skips records that must not surface: flows that are gone, and for
    /// FRCT flows packet events until an in-order packet is ready (feeding
    /// FRCT what arrived). True if a record is left at the current
    /// position. Unlike upstream, which reads one packet per record and
    /// drops the rest of the batch when a read fails, a record takes in
    /// everything queued and an empty ring skips only that record: a
    /// record can stand for several packets (see `io::rearm`), and the
    /// other flows' records are still due.
    fn filter(&mut self, p: &Process) -> bool {
        while let Some(ev) = self.events.get(self.next).copied() {
            let end = {
                let table = p.table.read().unwrap_or_else(|e| e.into_inner());
                let fd = table.fd_of(ev.flow_id);
                table.get(fd)
            };
            let Some(end) = end else {
                self.next += 1;
                continue;
            };
            let Some(fr) = end.frct.as_ref().filter(|_| ev.event == FLOW_PKT) else {
                return true;
            };
            if super::io::pull(p, &end, fr) {
                return true;
            }
            self.next += 1;
        }
        false
    }

    /// The next fd with an event (`Perm` when exhausted).
    pub fn next_fd(&mut self) -> Result<i32> {
        let p = get()?;
        if self.next > 0 && !self.filter(p) {
            return Err(Error::Perm);
        }
        let ev = *self.events.get(self.next).ok_or(Error::Perm)?;
        self.next += 1;
        self.last = Some(ev.event);
        let fd = p
            .table
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .fd_of(ev.flow_id);
        Ok(fd)
    }

    /// Type of the event last returned by `next` (`Perm` if none).
    pub fn event_type(&self) -> Result<i32> {
        self.last.ok_or(Error::Perm)
    }
}

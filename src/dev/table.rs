//! The flow table: flow descriptors (64..4095, lowest free first), their
//! flow ends, and the flow id -> fd map.

use crate::qos::QosSpec;
use crate::ssm::{FlowSet, Pool, Rbuff};
use crate::time::MonoTime;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{PROG_MAX_FLOWS, PROG_RES_FDS, SYS_MAX_FLOWS};

/// Flow flags (fccntl.h).
pub mod flags {
    pub const FLOWFRDONLY: u32 = 0o0;
    pub const FLOWFWRONLY: u32 = 0o1;
    pub const FLOWFRDWR: u32 = 0o2;
    pub const FLOWFACCMODE: u32 = 0o3;
    pub const FLOWFDOWN: u32 = 0o4;
    pub const FLOWFRNOBLOCK: u32 = 0o1000;
    pub const FLOWFWNOBLOCK: u32 = 0o2000;
    pub const FLOWFNONBLOCK: u32 = FLOWFRNOBLOCK | FLOWFWNOBLOCK;
    pub const FLOWFRNOPART: u32 = 0o10000;
    pub const FLOWFWNOPART: u32 = 0o20000;
    pub const FLOWFDEFAULT: u32 = FLOWFRDWR | FLOWFWNOPART;
}

/// The mutable part of a flow end (under its own lock).
pub struct Vars {
    /// Stored as 16 bits, as upstream.
    pub flags: u16,
    pub rcv_timeo: Option<Duration>,
    pub snd_timeo: Option<Duration>,
    /// Pool offset of a partially read packet.
    pub part: Option<usize>,
    /// The last read ended exactly at a packet boundary.
    pub part_done: bool,
}

/// One flow end of this process.
pub struct FlowEnd {
    pub fd: i32,
    pub id: i32,
    pub n_1_pid: i32,
    /// Our receive queue (`rbuff.<n_pid>.<id>`).
    pub rx: Rbuff,
    /// The peer's receive queue (`rbuff.<n_1_pid>.<id>`).
    pub tx: Rbuff,
    /// The peer's flow set, notified after each write.
    pub peer: FlowSet,
    pub qs: QosSpec,
    pub vars: Mutex<Vars>,
    /// CLOCK_MONOTONIC ns of the last receive / send activity.
    pub rcv_act: AtomicU64,
    pub snd_act: AtomicU64,
    /// For an IPCP's np1 flow: the application's per-user pool.
    pub np1_pool: Mutex<Option<Arc<Pool>>>,
    /// FRCT, on flows with in-order delivery.
    pub frct: Option<super::frct::FrctFlow>,
}

impl FlowEnd {
    pub fn touch_rcv(&self, now: MonoTime) {
        self.rcv_act.store(now.nanos(), Ordering::Relaxed);
    }

    pub fn touch_snd(&self, now: MonoTime) {
        self.snd_act.store(now.nanos(), Ordering::Relaxed);
    }

    pub fn vars(&self) -> std::sync::MutexGuard<'_, Vars> {
        self.vars.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// For an IPCP's np1 flow: the application's per-user pool, if it
    /// has one (else the application uses ours).
    pub fn app_pool(&self) -> Option<Arc<Pool>> {
        self.np1_pool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

pub struct Table {
    fds: Vec<Option<Arc<FlowEnd>>>,
    id_to_fd: Vec<i32>,
}

impl Table {
    pub fn new() -> Table {
        Table {
            fds: vec![None; PROG_MAX_FLOWS as usize],
            id_to_fd: vec![-1; SYS_MAX_FLOWS as usize],
        }
    }

    /// The lowest free descriptor.
    pub fn free_fd(&self) -> Option<i32> {
        (PROG_RES_FDS..PROG_MAX_FLOWS).find(|fd| self.fds[*fd as usize].is_none())
    }

    pub fn insert(&mut self, end: FlowEnd) -> Arc<FlowEnd> {
        let (fd, id) = (end.fd, end.id);
        let end = Arc::new(end);
        self.fds[fd as usize] = Some(end.clone());
        if let Some(slot) = usize::try_from(id)
            .ok()
            .and_then(|i| self.id_to_fd.get_mut(i))
        {
            *slot = fd;
        }
        end
    }

    pub fn remove(&mut self, fd: i32) -> Option<Arc<FlowEnd>> {
        let end = self.fds.get_mut(usize::try_from(fd).ok()?)?.take()?;
        // The IRMd may already have given the id to a new flow of ours
        // (it frees an id when told our end is gone, before our teardown,
        // and reuses the lowest free id): that mapping stays.
        self.unmap(end.id, fd);
        Some(end)
    }

    /// Forgets that flow `id` is at `fd` (if it still is), keeping the
    /// descriptor: lookups by id no longer find a flow being torn down.
    pub fn unmap(&mut self, id: i32, fd: i32) {
        if let Some(slot) = usize::try_from(id)
            .ok()
            .and_then(|i| self.id_to_fd.get_mut(i))
            .filter(|slot| **slot == fd)
        {
            *slot = -1;
        }
    }

    /// The flow end at `fd` (None for out-of-range or free fds).
    pub fn get(&self, fd: i32) -> Option<Arc<FlowEnd>> {
        self.fds.get(usize::try_from(fd).ok()?)?.clone()
    }

    pub fn fd_of(&self, id: i32) -> i32 {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.id_to_fd.get(i))
            .copied()
            .unwrap_or(-1)
    }

    /// Every allocated descriptor.
    pub fn fds(&self) -> Vec<i32> {
        self.fds.iter().flatten().map(|f| f.fd).collect()
    }

    pub fn ends(&self) -> Vec<Arc<FlowEnd>> {
        self.fds.iter().flatten().cloned().collect()
    }
}

impl Default for Table {
    fn default() -> Self {
        Table::new()
    }
}

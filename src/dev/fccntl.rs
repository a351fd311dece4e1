//! `fccntl`: per-flow timeouts, flags, QoS and queue lengths.

use super::process::get;
use super::table::flags::*;
use super::SYS_MAX_FLOWS;
use crate::errno::{Error, Result};
use crate::qos::QosSpec;
use crate::ssm::{ACL_FLOWDOWN, ACL_RDONLY, FLOW_DOWN, FLOW_UP};
use std::time::Duration;

pub const FLOWSRCVTIMEO: i32 = 0o1;
pub const FLOWGRCVTIMEO: i32 = 0o2;
pub const FLOWSSNDTIMEO: i32 = 0o3;
pub const FLOWGSNDTIMEO: i32 = 0o4;
pub const FLOWGQOSSPEC: i32 = 0o5;
pub const FLOWSFLAGS: i32 = 0o6;
pub const FLOWGFLAGS: i32 = 0o7;
pub const FLOWGRXQLEN: i32 = 0o10;
pub const FLOWGTXQLEN: i32 = 0o11;
pub const FRCTSFLAGS: i32 = 0o1000;
pub const FRCTGFLAGS: i32 = 0o2000;

pub const FRCTFRTX: u16 = 0o1;
pub const FRCTFRESCNTL: u16 = 0o2;
pub const FRCTFLINGER: u16 = 0o4;

/// One command with its argument, typed.
#[derive(Debug)]
pub enum Cmd<'a> {
    SetRcvTimeo(Option<Duration>),
    GetRcvTimeo(Option<&'a mut Duration>),
    SetSndTimeo(Option<Duration>),
    GetSndTimeo(Option<&'a mut Duration>),
    GetQos(Option<&'a mut QosSpec>),
    SetFlags(u32),
    GetFlags(Option<&'a mut u32>),
    RxQueueLen(&'a mut usize),
    TxQueueLen(&'a mut usize),
    SetFrctFlags(u16),
    GetFrctFlags(Option<&'a mut u16>),
}

/// Runs one command on `fd`.
pub fn fccntl(fd: i32, cmd: Cmd<'_>) -> Result<()> {
    if !(0..SYS_MAX_FLOWS).contains(&fd) {
        return Err(Error::BadF);
    }
    let p = get()?;
    let end = p
        .table
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(fd)
        .ok_or(Error::NotAlloc)?;
    let mut v = end.vars();
    match cmd {
        Cmd::SetRcvTimeo(t) => v.rcv_timeo = t,
        Cmd::SetSndTimeo(t) => v.snd_timeo = t,
        // NULL is checked before "no timeout set" (upstream's order)
        Cmd::GetRcvTimeo(out) => {
            let out = out.ok_or(Error::Inval)?;
            *out = v.rcv_timeo.ok_or(Error::Perm)?;
        }
        Cmd::GetSndTimeo(out) => {
            let out = out.ok_or(Error::Inval)?;
            *out = v.snd_timeo.ok_or(Error::Perm)?;
        }
        Cmd::GetQos(out) => *out.ok_or(Error::Inval)? = end.qs,
        Cmd::GetFlags(out) => *out.ok_or(Error::Inval)? = u32::from(v.flags),
        Cmd::RxQueueLen(out) => *out = end.rx.queued(),
        Cmd::TxQueueLen(out) => *out = end.tx.queued(),
        Cmd::SetFlags(f) => {
            v.flags = f as u16;
            // Upstream reads both new ACLs from the rx ring (sic): the tx
            // ring inherits RDONLY and FLOWPEER from the second call on.
            let mut rx_acl = end.rx.acl();
            let mut tx_acl = end.rx.acl();
            if f & FLOWFWRONLY != 0 {
                rx_acl |= ACL_RDONLY;
            }
            let event = if f & FLOWFDOWN != 0 {
                rx_acl |= ACL_FLOWDOWN;
                tx_acl |= ACL_FLOWDOWN;
                FLOW_DOWN
            } else {
                rx_acl &= !ACL_FLOWDOWN;
                tx_acl &= !ACL_FLOWDOWN;
                FLOW_UP
            };
            end.rx.set_acl(rx_acl);
            end.tx.set_acl(tx_acl);
            // after the rings changed (upstream signals first and a quick
            // peer's reply can be dropped)
            end.peer.notify(end.id, event);
        }
        Cmd::SetFrctFlags(f) => end.frct.as_ref().ok_or(Error::Perm)?.lock().set_flags(f),
        Cmd::GetFrctFlags(out) => {
            let out = out.ok_or(Error::Inval)?;
            *out = end.frct.as_ref().ok_or(Error::Perm)?.lock().flags();
        }
    }
    Ok(())
}

//! The interface monitor (as upstream's, Linux netlink): while the
//! interface is down every flow of the shim is marked down (FLOWFDOWN:
//! its rings refuse writes with -EFLOWDOWN), and marked up when the
//! interface comes back.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Netlink message header and `ifinfomsg` sizes (both 4-byte aligned).
const NLMSG_HDR: usize = 16;
const IFINFO: usize = 16;
const NLMSG_DONE: u16 = 3;
const RTM_NEWLINK: u16 = 16;
const IFF_UP: u32 = 1;

/// A netlink socket subscribed to link changes.
pub struct Monitor {
    fd: OwnedFd,
}

impl Monitor {
    pub fn open() -> io::Result<Monitor> {
        // SAFETY: plain socket(2); the result is checked before use.
        let raw = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a fresh descriptor nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: all-zero is a valid sockaddr_nl.
        let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        sa.nl_family = libc::AF_NETLINK as u16;
        sa.nl_groups = libc::RTMGRP_LINK as u32;
        // SAFETY: `sa` is a sockaddr_nl of the size given.
        let r = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&raw const sa).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Monitor { fd })
    }

    /// Waits for the next batch of messages; their length in `buf`.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        usize::try_from(n).map_err(|_| io::Error::last_os_error())
    }
}

/// Reports every change of interface `ifindex` to `change` (true: up),
/// forever; returns if the socket cannot be opened (logged by the caller).
pub fn run(ifindex: i32, change: impl Fn(bool)) -> io::Result<()> {
    let mon = Monitor::open()?;
    let mut buf = vec![0u8; 8192];
    loop {
        let Ok(n) = mon.recv(&mut buf) else { continue };
        for up in link_states(&buf[..n], ifindex) {
            change(up);
        }
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The up (true) or down states that the netlink messages in `buf`
/// report for interface `ifindex`, in order. Truncated or malformed
/// messages end the walk.
pub fn link_states(buf: &[u8], ifindex: i32) -> Vec<bool> {
    let mut out = Vec::new();
    let mut at = 0;
    while let (Some(len), Some(ty)) = (u32_at(buf, at), u16_at(buf, at + 4)) {
        let len = len as usize;
        if len < NLMSG_HDR || at + len > buf.len() || ty == NLMSG_DONE {
            break;
        }
        if ty == RTM_NEWLINK && len >= NLMSG_HDR + IFINFO {
            let info = at + NLMSG_HDR;
            let index = u32_at(buf, info + 4).map(|i| i as i32);
            let flags = u32_at(buf, info + 8);
            if let (Some(index), Some(flags)) = (index, flags) {
                if index == ifindex {
                    out.push(flags & IFF_UP != 0);
                }
            }
        }
        at += (len + 3) & !3;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One netlink message of `ty` about interface `index` with `flags`.
    fn msg(ty: u16, index: i32, flags: u32) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&((NLMSG_HDR + IFINFO + 4) as u32).to_ne_bytes());
        m.extend_from_slice(&ty.to_ne_bytes());
        m.extend_from_slice(&[0; 10]); // flags, seq, pid
        m.extend_from_slice(&[0, 0, 1, 0]); // family, pad, type
        m.extend_from_slice(&index.to_ne_bytes());
        m.extend_from_slice(&flags.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes()); // change
        m.extend_from_slice(&[9, 9, 9, 9]); // an attribute's worth
        m
    }

    #[test]
    fn states_of_our_interface_only() {
        let mut buf = msg(RTM_NEWLINK, 3, 0x1003);
        buf.extend(msg(RTM_NEWLINK, 4, 0));
        buf.extend(msg(17, 3, 0)); // RTM_DELLINK: not a state
        buf.extend(msg(RTM_NEWLINK, 3, 0x1002));
        assert_eq!(link_states(&buf, 3), vec![true, false]);
        assert_eq!(link_states(&buf, 4), vec![false]);
        assert_eq!(link_states(&buf, 5), Vec::<bool>::new());
    }

    #[test]
    fn malformed_input_ends_the_walk() {
        let good = msg(RTM_NEWLINK, 3, 1);
        // a DONE message stops it
        let mut buf = msg(NLMSG_DONE, 3, 1);
        buf.extend(&good);
        assert!(link_states(&buf, 3).is_empty());
        // truncated: the length says more than there is
        assert!(link_states(&good[..good.len() - 1], 3).is_empty());
        // a length below the header would loop forever
        let mut zero = good.clone();
        zero[..4].copy_from_slice(&0u32.to_ne_bytes());
        assert!(link_states(&zero, 3).is_empty());
        // too short for an ifinfomsg: skipped, the next one counts
        let mut short = Vec::new();
        short.extend_from_slice(&(NLMSG_HDR as u32).to_ne_bytes());
        short.extend_from_slice(&RTM_NEWLINK.to_ne_bytes());
        short.extend_from_slice(&[0; 10]);
        short.extend(&good);
        assert_eq!(link_states(&short, 3), vec![true]);
        for n in 0..good.len() {
            let _ = link_states(&good[..n], 3);
        }
    }
}

//! The Ethernet shims' threads: the reader (frames to flows, name queries
//! answered on the spot, flow requests and replies to the handler), the
//! writer (flows to frames) and the management handler (flow requests
//! and replies, one at a time: a request may wait for the previous one).

use super::frame::{Ep, Mac};
use super::mgmt::{self, Bad, Msg};
use super::table::Ef;
use super::{Kind, Net, ETH_MPL, MGMT_FRAME_SIZE, MGMT_QUEUE_MAX};
use ouroboros::dev::np1;
use ouroboros::qos::QosSpec;
use ouroboros::{log_err, log_warn};
use std::time::Duration;

/// A group (multicast/broadcast) address is never a sender.
fn is_group(mac: &Mac) -> bool {
    mac[0] & 1 != 0
}

/// Receives frames: management payloads are handled or queued, data goes
/// to the flow the endpoint names (LLC: only from the flow's peer MAC
/// and SAP).
pub fn reader(net: &Net) {
    let mut buf = vec![0u8; net.framing.header_len() + net.mtu];
    let mut out = Vec::new();
    loop {
        let n = match net.sock.recv(&mut buf) {
            Ok(Some(n)) => n,
            Ok(None) => continue,
            Err(e) => {
                if e.kind() != std::io::ErrorKind::Interrupted {
                    // e.g. ENETDOWN while the link is down
                    std::thread::sleep(Duration::from_millis(10));
                }
                continue;
            }
        };
        let Ok(f) = net.framing.decode(&buf[..n]) else {
            continue;
        };
        if is_group(&f.src) {
            continue;
        }
        if f.ep.is_mgmt() {
            mgmt_frame(net, f.src, f.payload, &mut out);
            continue;
        }
        let fd = {
            let t = net.table();
            match f.ep {
                Ep::Eid(eid) => {
                    let fd = i32::from(eid);
                    if t.get(fd).is_none() {
                        continue;
                    }
                    fd
                }
                Ep::Saps { dsap, ssap } => {
                    let Some(fd) = t.fd_of_sap(dsap) else {
                        continue;
                    };
                    match t.get(fd) {
                        Some(ef) if ef.r_ep == Some(u16::from(ssap)) && ef.r_addr == f.src => fd,
                        _ => continue,
                    }
                }
            }
        };
        // full rings and exhausted pools drop the packet
        let _ = np1::np1_flow_write(fd, f.payload);
    }
}

/// One management payload from `src`.
fn mgmt_frame(net: &Net, src: Mac, payload: &[u8], out: &mut Vec<u8>) {
    let p = net.prefix;
    if payload.len() > MGMT_FRAME_SIZE {
        log_warn!(
            p,
            "Management frame size {} exceeds {}.",
            payload.len(),
            MGMT_FRAME_SIZE
        );
        return;
    }
    match mgmt::decode(net.kind, payload, net.hash_len) {
        Ok(Msg::QueryReq { hash }) => {
            if !net.names.reg_has(&hash) {
                return;
            }
            let reply = mgmt::encode(net.kind, &Msg::QueryReply { hash });
            if !net.send_frame(out, &src, net.framing.mgmt(), &reply) {
                log_err!(p, "Failed to send management frame.");
            }
        }
        Ok(Msg::QueryReply { hash }) => {
            // kept even when nobody asked
            net.names.dir_add(&hash, src);
            let _g = net.answers.lock().unwrap_or_else(|e| e.into_inner());
            net.answer_cond.notify_all();
        }
        Ok(m) => {
            let mut q = net.mgmt.lock().unwrap_or_else(|e| e.into_inner());
            if q.len() < MGMT_QUEUE_MAX {
                q.push_back((src, m));
                net.mgmt_cond.notify_one();
            }
        }
        Err(Bad::UnknownCode(c)) => log_err!(p, "Unknown message received {}.", c),
        Err(Bad::Runt) => log_warn!(p, "Dropped runt mgmt frame."),
    }
}

/// Sends what applications write on our flows to the flows' peers.
pub fn writer(net: &Net) {
    let mut out = Vec::with_capacity(net.framing.header_len() + net.mtu);
    crate::np1_loop::each_sdu(&net.set, |fd, sdu| {
        let Some((dst, ep)) = dest(net, fd) else {
            return;
        };
        // SDUs over the layer's limit are dropped, as upstream
        let _ = net.send_frame(&mut out, &dst, ep, sdu);
    });
}

/// Where the SDUs of `fd` go, once the peer's endpoint is known.
fn dest(net: &Net, fd: i32) -> Option<(Mac, Ep)> {
    let ef = net.table().get(fd)?;
    let r_ep = ef.r_ep?;
    let ep = match net.kind {
        Kind::Dix => Ep::Eid(r_ep),
        Kind::Llc => Ep::Saps {
            dsap: r_ep as u8,
            ssap: ef.sap?,
        },
    };
    Some((ef.r_addr, ep))
}

/// Handles flow requests and replies one at a time, oldest first
/// (upstream's queue hands out the newest first; nothing on the wire
/// depends on it).
pub fn mgmt_handler(net: &Net) {
    loop {
        let (src, m) = {
            let mut q = net.mgmt.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(f) = q.pop_front() {
                    break f;
                }
                q = net.mgmt_cond.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        match m {
            Msg::FlowReq {
                s_ep,
                qos,
                hash,
                data,
            } => flow_req(net, src, s_ep, &qos, &hash, &data),
            Msg::FlowReply {
                s_ep,
                d_ep,
                response,
                data,
            } => flow_reply(net, src, s_ep, d_ep, response, &data),
            Msg::QueryReq { .. } | Msg::QueryReply { .. } => {}
        }
    }
}

fn flow_req(net: &Net, src: Mac, s_ep: u16, qos: &QosSpec, hash: &[u8], data: &[u8]) {
    // only for names registered here; others are ignored silently
    if !net.names.reg_has(hash) {
        return;
    }
    if net.kind == Kind::Dix && s_ep == 0 {
        // data to endpoint 0 would land in the peer's management
        log_err!(net.prefix, "Flow request from endpoint 0 dropped.");
        return;
    }
    let Some(ipcp) = crate::runtime::current() else {
        return;
    };
    let fd = ipcp.wait_flow_req_arr_then(hash, qos, ETH_MPL, data, |fd| {
        net.table().insert(fd, Ef::accepted(src, s_ep));
    });
    if fd < 0 {
        // nothing goes back: the requester's IRMd times out (as upstream)
        log_err!(net.prefix, "Could not get new flow from IRMd.");
    }
}

fn flow_reply(net: &Net, src: Mac, s_ep: u16, d_ep: u16, response: i32, data: &[u8]) {
    let p = net.prefix;
    let fd = {
        let mut t = net.table();
        let fd = match net.kind {
            Kind::Dix => Some(i32::from(d_ep)),
            Kind::Llc => u8::try_from(d_ep).ok().and_then(|s| t.fd_of_sap(s)),
        };
        let bad_ep = net.kind == Kind::Dix && s_ep == 0 && response == 0;
        let Some(fd) = fd.filter(|fd| !bad_ep && t.get(*fd).is_some_and(|e| e.pending)) else {
            log_err!(p, "No flow found with that SAP.");
            return;
        };
        if response == 0 {
            if let Some(ef) = t.get_mut(fd) {
                ef.pending = false;
                ef.r_ep = Some(s_ep);
                ef.r_addr = src;
            }
        } else {
            t.release_sap(fd);
            if let Some(ef) = t.get_mut(fd) {
                ef.pending = false;
            }
        }
        fd
    };
    if np1::ipcp_flow_alloc_reply(fd, response, ETH_MPL, data).is_err() {
        log_err!(p, "Failed to reply to flow allocation.");
    }
}

//! The UDP shim's threads: readers (datagrams to flows or to the
//! management queue), writers (flows to datagrams) and the management
//! handler (flow requests and replies, one at a time).

use super::wire::{self, Bad, Mgmt};
use super::{Net, Peer, PREFIX, UDP_MPL};
use ouroboros::dev::np1;
use ouroboros::hash::HashAlgo;
use ouroboros::{log_err, log_warn};
use socket2::{SockAddr, SockRef};
use std::net::{SocketAddr, UdpSocket};

/// Sends one datagram (MSG_CONFIRM as upstream: the peer just answered).
pub fn send(sock: &UdpSocket, b: &[u8], to: SocketAddr) -> std::io::Result<()> {
    SockRef::from(sock)
        .send_to_with_flags(b, &SockAddr::from(to), libc::MSG_CONFIRM)
        .map(|_| ())
}

/// Receives datagrams: id 0 goes to the management queue, any other id
/// is the fd of the flow the rest belongs to (the source is not checked,
/// as upstream).
pub fn reader(net: &Net) {
    let mut buf = vec![0u8; net.family.max_packet()];
    loop {
        let (n, from) = match net.sock.recv_from(&mut buf) {
            Ok(r) => r,
            Err(_) => continue,
        };
        let Some(eid) = wire::eid(&buf[..n]) else {
            continue;
        };
        if eid == wire::MGMT_EID {
            if n < wire::MGMT_LEN {
                log_warn!(PREFIX, "Dropped runt mgmt frame.");
                continue;
            }
            let mut q = net.mgmt.lock().unwrap_or_else(|e| e.into_inner());
            q.push_back((from, buf[..n].to_vec()));
            net.mgmt_cond.notify_one();
            continue;
        }
        let Ok(fd) = i32::try_from(eid) else { continue };
        // unknown fds, full rings and exhausted pools drop the packet
        let _ = np1::np1_flow_write(fd, &buf[4..n]);
    }
}

/// Sends what applications write on our flows to the flows' peers.
pub fn writer(net: &Net) {
    let mut out = Vec::with_capacity(net.family.max_packet());
    crate::np1_loop::each_sdu(&net.set, |fd, sdu| {
        if sdu.len() > net.family.max_packet() {
            return; // as upstream: longer SDUs are dropped here
        }
        let Some(peer) = net.peer(fd) else { return };
        out.clear();
        out.extend_from_slice(&(peer.d_eid as u32).to_be_bytes());
        out.extend_from_slice(sdu);
        if send(&net.sock, &out, peer.addr).is_err() {
            log_err!(PREFIX, "Failed to send packet.");
        }
    });
}

/// Handles management datagrams one at a time.
pub fn mgmt_handler(net: &Net) {
    let hash_len = HashAlgo::Md5.digest_len();
    loop {
        let (from, b) = {
            let mut q = net.mgmt.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(f) = q.pop_front() {
                    break f;
                }
                q = net.mgmt_cond.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        match wire::decode(&b, hash_len) {
            Ok(Mgmt::Req {
                s_eid,
                qos,
                hash,
                data,
            }) => flow_req(net, from, s_eid, &qos, &hash, &data),
            Ok(Mgmt::Reply {
                s_eid,
                d_eid,
                response,
                data,
            }) => flow_reply(net, from, s_eid, d_eid, response, &data),
            Err(Bad::UnknownCode(c)) => log_err!(PREFIX, "Unknown message received {}.", c),
            Err(Bad::Runt) => log_warn!(PREFIX, "Dropped runt mgmt frame."),
        }
    }
}

fn flow_req(
    net: &Net,
    from: SocketAddr,
    s_eid: u32,
    qos: &ouroboros::qos::QosSpec,
    hash: &[u8],
    data: &[u8],
) {
    let Some(ipcp) = crate::runtime::current() else {
        return;
    };
    let d_eid = s_eid as i32;
    let fd = ipcp.wait_flow_req_arr_then(hash, qos, UDP_MPL, data, |fd| {
        net.set_peer(fd, Peer { addr: from, d_eid });
    });
    if fd < 0 {
        // nothing goes back: the requester's IRMd times out (as upstream)
        log_err!(PREFIX, "Could not get new flow from IRMd.");
    }
}

fn flow_reply(net: &Net, from: SocketAddr, s_eid: u32, d_eid: u32, response: i32, data: &[u8]) {
    let Ok(fd) = i32::try_from(s_eid) else { return };
    {
        let mut flows = net.flows.lock().unwrap_or_else(|e| e.into_inner());
        match flows.get_mut(&fd) {
            Some(p) if p.addr == from => {
                if response == 0 {
                    p.d_eid = d_eid as i32;
                }
            }
            _ => {
                log_err!(
                    PREFIX,
                    "Flow allocation reply for {} from wrong source {}.",
                    s_eid,
                    from.ip()
                );
                return;
            }
        }
    }
    if np1::ipcp_flow_alloc_reply(fd, response, UDP_MPL, data).is_err() {
        log_err!(PREFIX, "Failed to reply to flow allocation.");
    }
}

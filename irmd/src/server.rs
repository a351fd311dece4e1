//! The IRM socket: accepts connections and serves each on its own thread,
//! so blocking requests never hold up others.

use crate::dispatch::{handle_bytes, Outcome, Peer};
use crate::irmd::Irmd;
use ouroboros::log_warn;
use ouroboros::sock::{Conn, Listener};
use prost::Message;
use std::sync::Arc;

/// Accepts until the listener is shut down.
pub fn serve(irmd: Arc<Irmd>, listener: Arc<Listener>) {
    loop {
        let conn = match listener.accept() {
            Ok(c) => c,
            Err(_) if irmd.shutting_down() => return,
            Err(_) => continue,
        };
        let irmd = irmd.clone();
        let spawned = std::thread::Builder::new()
            .name("irm-req".into())
            .spawn(move || serve_one(&irmd, conn));
        if spawned.is_err() {
            log_warn!("irmd", "Failed to start a request thread.");
        }
    }
}

fn serve_one(irmd: &Irmd, conn: Conn) {
    let buf = match conn.recv() {
        Ok(b) if !b.is_empty() => b,
        _ => return,
    };
    let peer = conn.peer_cred().ok().map(|(_, uid, gid)| Peer { uid, gid });
    if let Outcome::Reply(reply) = handle_bytes(irmd, peer, &buf) {
        let _ = conn.send(&reply.encode_to_vec());
    }
}

//! The IRMd's use of OAP: the client side for allocators, the server side
//! (with its replay cache) for acceptors. Results are IRM result codes.

use ouroboros::name::NameInfo;
use ouroboros::oap::{now_utc_ns, os_random, Client, DaemonLog, Server};

/// A prepared request, kept by the allocator's handler until the response.
pub struct Prepared {
    client: Client,
    request: Vec<u8>,
}

impl Prepared {
    pub fn request(&self) -> &[u8] {
        &self.request
    }
}

/// The acceptor's side: the response header and what it negotiated.
pub struct Answer {
    pub header: Vec<u8>,
    pub cipher_nid: i32,
    pub key: Option<Vec<u8>>,
}

/// The allocator's result.
pub struct Done {
    pub cipher_nid: i32,
    pub key: Option<Vec<u8>>,
}

pub fn client_prepare(info: &NameInfo) -> Result<Prepared, i32> {
    let (client, request) = Client::prepare(info, now_utc_ns(), &mut os_random, &mut DaemonLog)
        .map_err(|e| e.code().code())?;
    Ok(Prepared { client, request })
}

pub fn server_process(server: &Server, info: &NameInfo, request: &[u8]) -> Result<Answer, i32> {
    let r = server
        .process(info, request, now_utc_ns(), &mut DaemonLog)
        .map_err(|e| e.code().code())?;
    Ok(Answer {
        header: r.bytes,
        cipher_nid: i32::from(r.outcome.cipher_nid()),
        key: r.outcome.key.map(|k| k.to_vec()),
    })
}

pub fn client_complete(p: Prepared, response: &[u8]) -> Result<Done, i32> {
    let o = p
        .client
        .complete(response, &mut DaemonLog)
        .map_err(|e| e.code().code())?;
    Ok(Done {
        cipher_nid: i32::from(o.cipher_nid()),
        key: o.key.map(|k| k.to_vec()),
    })
}

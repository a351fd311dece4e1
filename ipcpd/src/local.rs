//! ipcpd-local: a layer inside one host. Registration keeps a set of name
//! hashes; queries answer from it.

use crate::ops::IpcpOps;
use ouroboros::hash::hex;
use ouroboros::ipcp::IpcpConfig;
use ouroboros::log_info;
use std::collections::HashSet;
use std::sync::Mutex;

const PREFIX: &str = "ipcpd-local";

#[derive(Default)]
pub struct Local {
    names: Mutex<HashSet<Vec<u8>>>,
}

impl Local {
    fn names(&self) -> std::sync::MutexGuard<'_, HashSet<Vec<u8>>> {
        self.names.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl IpcpOps for Local {
    fn bootstrap(&self, _conf: &IpcpConfig) -> Option<i32> {
        Some(0)
    }

    fn reg(&self, hash: &[u8]) -> Option<i32> {
        // registering twice is fine
        self.names().insert(hash.to_vec());
        Some(0)
    }

    fn unreg(&self, hash: &[u8]) -> Option<i32> {
        self.names().remove(hash);
        log_info!(PREFIX, "Unregistered {}.", hex(&hash[..hash.len().min(4)]));
        Some(0)
    }

    fn query(&self, hash: &[u8]) -> Option<i32> {
        Some(if self.names().contains(hash) { 0 } else { -1 })
    }
}

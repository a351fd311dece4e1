//! What an IPCP type implements. `None` means "not supported" (-ENOTSUP).

use crate::runtime::Ipcp;
use ouroboros::ipcp::IpcpConfig;
use ouroboros::ipcp::LayerInfo;
use ouroboros::qos::QosSpec;

pub trait IpcpOps: Send + Sync {
    /// Bootstraps the layer; returns 0 or a negative error.
    fn bootstrap(&self, _conf: &IpcpConfig) -> Option<i32> {
        None
    }

    /// Whether this type can enroll at all.
    fn enrolls(&self) -> bool {
        false
    }

    /// Enrolls via peer `dst`, learning the layer (only if `enrolls()`).
    fn enroll(&self, _dst: &str) -> Result<LayerInfo, i32> {
        Err(-libc::ENOTSUP)
    }

    fn connect(&self, _dst: &str, _comp: &str) -> Option<i32> {
        None
    }

    fn disconnect(&self, _dst: &str, _comp: &str) -> Option<i32> {
        None
    }

    fn reg(&self, _hash: &[u8]) -> Option<i32> {
        None
    }

    fn unreg(&self, _hash: &[u8]) -> Option<i32> {
        None
    }

    /// 0 when the hash is reachable in the layer.
    fn query(&self, _hash: &[u8]) -> Option<i32> {
        None
    }

    /// Allocation of our np1 flow `fd` towards `hash` (OAP request `pk`).
    fn flow_alloc(
        &self,
        _ipcp: &Ipcp,
        _fd: i32,
        _hash: &[u8],
        _qs: &QosSpec,
        _pk: &[u8],
    ) -> Option<i32> {
        None
    }

    /// Join of the layer `hash` on np1 flow `fd`.
    fn flow_join(&self, _ipcp: &Ipcp, _fd: i32, _hash: &[u8]) -> Option<i32> {
        None
    }

    /// The acceptor's answer on its np1 flow `fd`.
    fn flow_alloc_resp(&self, _ipcp: &Ipcp, _fd: i32, _response: i32, _pk: &[u8]) -> Option<i32> {
        None
    }

    /// Teardown of np1 flow `fd`.
    fn flow_dealloc(&self, _ipcp: &Ipcp, _fd: i32) -> Option<i32> {
        None
    }
}

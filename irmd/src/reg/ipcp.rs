//! An IPCP record: what it reported about itself and its layer.

use ouroboros::ipcp::{IpcpInfo, LayerInfo, NOT_ENROLLED};

pub struct Ipcp {
    pub info: IpcpInfo,
    pub layer: LayerInfo,
}

impl Ipcp {
    pub fn new(info: IpcpInfo) -> Ipcp {
        Ipcp {
            info,
            layer: LayerInfo {
                name: NOT_ENROLLED.to_string(),
                dir_hash_algo: 0,
            },
        }
    }
}

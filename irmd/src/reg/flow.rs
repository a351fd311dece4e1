//! A flow record of the IRMd and its states.

use ouroboros::pb::msg::{FlowInfoMsg, QosspecMsg};

/// `enum flow_state` (wire values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlowState {
    Init = 0,
    AllocPending = 1,
    AcceptPending = 2,
    Allocated = 3,
    DeallocPending = 4,
    Deallocated = 5,
}

/// What the IRMd knows of one end (or, for direct flows, both ends).
#[derive(Clone, Debug, PartialEq)]
pub struct FlowInfo {
    pub id: i32,
    pub n_pid: i32,
    pub n_1_pid: i32,
    pub mpl: u32,
    pub state: FlowState,
    pub qos: QosspecMsg,
    /// Pool class: 0 = GSPP, else the uid of a per-user pool.
    pub uid: u32,
}

impl FlowInfo {
    /// A new request from process `n_pid`.
    pub fn request(n_pid: i32, qos: QosspecMsg) -> FlowInfo {
        FlowInfo {
            id: 0,
            n_pid,
            n_1_pid: 0,
            mpl: 0,
            state: FlowState::Init,
            qos,
            uid: 0,
        }
    }

    pub fn to_msg(&self) -> FlowInfoMsg {
        FlowInfoMsg {
            id: self.id as u32,
            n_pid: self.n_pid as u32,
            n_1_pid: self.n_1_pid as u32,
            mpl: self.mpl,
            state: self.state as u32,
            qos: self.qos,
            uid: self.uid,
        }
    }
}

pub struct Flow {
    pub info: FlowInfo,
    /// Both ends are local processes; no IPCP involved.
    pub direct: bool,
    /// The name an accepted flow is for.
    pub name: String,
    /// OAP request waiting for the acceptor.
    pub req_data: Option<Vec<u8>>,
    /// OAP response waiting for the allocator.
    pub rsp_data: Option<Vec<u8>>,
    /// Negative response of a refused allocation.
    pub response: i32,
    /// The flow's two ring buffers, while they exist.
    pub rbuffs: Vec<ouroboros::ssm::Rbuff>,
    /// An accept flow one allocation took: no other may have it.
    pub claimed: bool,
}

impl Flow {
    pub fn new(info: FlowInfo) -> Flow {
        Flow {
            info,
            direct: false,
            name: String::new(),
            req_data: None,
            rsp_data: None,
            response: 0,
            rbuffs: Vec::new(),
            claimed: false,
        }
    }
}

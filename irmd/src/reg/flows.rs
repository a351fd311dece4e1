//! Flow records in the registry: ids, the accept/allocate handshake state
//! and the per-name active (accepting) processes.

use super::flow::{Flow, FlowInfo, FlowState};
use super::Registry;
use ouroboros::errno::ENAME;

/// Flow ids are 1..SYS_MAX_FLOWS-1, lowest free first.
pub const SYS_MAX_FLOWS: i32 = 10240;

impl Registry {
    pub fn flow(&self, id: i32) -> Option<&Flow> {
        self.flows.iter().find(|f| f.info.id == id)
    }

    pub fn flow_mut(&mut self, id: i32) -> Option<&mut Flow> {
        self.flows.iter_mut().find(|f| f.info.id == id)
    }

    /// Records a new flow in state INIT with the lowest free id.
    pub fn create_flow(&mut self, mut info: FlowInfo) -> Option<i32> {
        // flows are kept sorted by id: the first gap is the lowest free id
        let mut id = 1;
        let mut at = self.flows.len();
        for (i, f) in self.flows.iter().enumerate() {
            if f.info.id != id {
                at = i;
                break;
            }
            id += 1;
        }
        if id >= SYS_MAX_FLOWS {
            return None;
        }
        info.id = id;
        info.state = FlowState::Init;
        self.flows.insert(at, Flow::new(info));
        Some(id)
    }

    /// Removes a flow record; returns it so the caller can destroy its
    /// ring buffers.
    pub fn remove_flow(&mut self, id: i32) -> Option<Flow> {
        let i = self.flows.iter().position(|f| f.info.id == id)?;
        Some(self.flows.remove(i))
    }

    /// The first flow of `pid` waiting in accept.
    pub fn accept_flow_of(&self, pid: i32) -> Option<i32> {
        self.flows
            .iter()
            .find(|f| f.info.state == FlowState::AcceptPending && f.info.n_pid == pid && !f.claimed)
            .map(|f| f.info.id)
    }

    /// The accept flow an allocation for `name` goes to (noting the name in
    /// it): `Err(-ENAME)` for an unknown name, `Err(-EAGAIN)` when nobody
    /// accepts.
    ///
    /// The flow is claimed for the caller, so that two allocations that
    /// arrive together do not both take it (upstream hands both the same
    /// flow, and one of them fails); `unclaim` gives it back.
    pub fn pending_flow_id(&mut self, name: &str) -> Result<i32, i32> {
        let n = self.name(name).ok_or(-ENAME)?;
        let id = n
            .active
            .iter()
            .find_map(|&pid| self.accept_flow_of(pid))
            .ok_or(-libc::EAGAIN)?;
        if let Some(f) = self.flow_mut(id) {
            f.name = name.to_string();
            f.claimed = true;
        }
        Ok(id)
    }

    /// Gives a claimed accept flow back (the allocation did not use it).
    pub fn unclaim(&mut self, id: i32) {
        if let Some(f) = self.flow_mut(id) {
            f.claimed = false;
        }
    }

    /// Marks `pid` as accepting for every name it is bound to.
    pub fn add_active_proc(&mut self, pid: i32) {
        for n in &mut self.names {
            if n.has_proc(pid) {
                n.add_active(pid);
            }
        }
    }

    /// Drops one accepting entry of `pid` from every name.
    pub fn del_active_proc(&mut self, pid: i32) {
        for n in &mut self.names {
            if let Some(i) = n.active.iter().position(|p| *p == pid) {
                n.active.remove(i);
            }
        }
    }

    /// A removed process's pending flows end (their waiters return).
    pub fn cancel_flows_of(&mut self, pid: i32) {
        for f in &mut self.flows {
            if f.info.n_pid == pid
                && matches!(
                    f.info.state,
                    FlowState::AllocPending | FlowState::AcceptPending
                )
            {
                f.info.state = FlowState::Deallocated;
            }
        }
    }

    /// Pool class of a process: 0 when privileged, else its uid.
    pub fn proc_uid(&self, pid: i32) -> u32 {
        self.proc(pid).map(|p| p.uid_class()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ouroboros::name::NameInfo;

    fn info(pid: i32) -> FlowInfo {
        FlowInfo::request(pid, Default::default())
    }

    #[test]
    fn ids_are_lowest_free_first() {
        let mut r = Registry::default();
        assert_eq!(r.create_flow(info(5)), Some(1));
        assert_eq!(r.create_flow(info(5)), Some(2));
        assert_eq!(r.create_flow(info(5)), Some(3));
        r.remove_flow(2);
        assert_eq!(r.create_flow(info(5)), Some(2));
        assert_eq!(r.create_flow(info(5)), Some(4));
    }

    #[test]
    fn allocation_goes_to_an_active_acceptor() {
        let mut r = Registry::default();
        r.create_name(NameInfo::new("n", 0)).unwrap();
        assert_eq!(r.pending_flow_id("x"), Err(-ENAME));
        assert_eq!(r.pending_flow_id("n"), Err(-libc::EAGAIN));
        assert!(r.create_proc(super::super::Proc::new(7, "p", 0)));
        assert!(r.bind_proc("n", 7));
        let id = r.create_flow(info(7)).unwrap();
        r.flow_mut(id).unwrap().info.state = FlowState::AcceptPending;
        r.add_active_proc(7);
        assert_eq!(r.pending_flow_id("n"), Ok(id));
        assert_eq!(r.flow(id).unwrap().name, "n");
        r.del_active_proc(7);
        assert_eq!(r.pending_flow_id("n"), Err(-libc::EAGAIN));
        r.cancel_flows_of(7);
        assert_eq!(r.flow(id).unwrap().info.state, FlowState::Deallocated);
    }
}

//! The IRMd registry: names, programs, processes, IPCPs and spawned
//! children, kept in upstream's list orders (observable through the list
//! replies). All access goes through one lock (`Irmd::reg`).

mod flow;
mod flows;
mod ipcp;
mod name;
mod proc;
mod prog;

pub use flow::{Flow, FlowInfo, FlowState};
pub use ipcp::Ipcp;
pub use name::Name;
pub use proc::Proc;
pub use prog::Prog;

use ouroboros::ipcp::IpcpInfo;
use ouroboros::name::NameInfo;

const PREFIX: &str = "reg";

/// Inserts `item` directly after the first element that compares greater
/// than it, or at the head when none does (upstream's list order for
/// names, programs, processes and spawned pids).
fn insert_after_greater<T, K: Ord>(list: &mut Vec<T>, item: T, key: impl Fn(&T) -> K) {
    let k = key(&item);
    match list.iter().position(|e| key(e) > k) {
        Some(i) => list.insert(i + 1, item),
        None => list.insert(0, item),
    }
}

#[derive(Default)]
pub struct Registry {
    pub names: Vec<Name>,
    pub progs: Vec<Prog>,
    pub procs: Vec<Proc>,
    /// Sorted by type, then pid.
    pub ipcps: Vec<Ipcp>,
    /// Pids of IPCPs the IRMd spawned.
    pub spawned: Vec<i32>,
    /// Sorted by id.
    pub flows: Vec<Flow>,
}

impl Registry {
    pub fn name(&self, name: &str) -> Option<&Name> {
        self.names.iter().find(|n| n.info.name == name)
    }

    pub fn proc(&self, pid: i32) -> Option<&Proc> {
        self.procs.iter().find(|p| p.pid == pid)
    }

    pub fn prog(&self, name: &str) -> Option<&Prog> {
        self.progs.iter().find(|p| p.name == name)
    }

    pub fn ipcp(&self, pid: i32) -> Option<&Ipcp> {
        self.ipcps.iter().find(|i| i.info.pid == pid)
    }

    pub fn ipcp_mut(&mut self, pid: i32) -> Option<&mut Ipcp> {
        self.ipcps.iter_mut().find(|i| i.info.pid == pid)
    }

    /// Creates a name; `Err(true)` if it exists already.
    pub fn create_name(&mut self, info: NameInfo) -> Result<(), bool> {
        if self.name(&info.name).is_some() {
            return Err(true);
        }
        insert_after_greater(&mut self.names, Name::new(info), |n| n.info.name.clone());
        Ok(())
    }

    /// Removes a name and its bindings (not its IPCP registrations).
    pub fn destroy_name(&mut self, name: &str) -> bool {
        let Some(i) = self.names.iter().position(|n| n.info.name == name) else {
            ouroboros::log_err!(PREFIX, "Name {} does not exist.", name);
            return false;
        };
        for p in &mut self.procs {
            p.names.retain(|n| n != name);
        }
        for p in &mut self.progs {
            p.names.retain(|n| n != name);
        }
        self.names.remove(i);
        true
    }

    /// Adds a spawned IPCP in state INIT (sorted by type, then pid).
    pub fn create_ipcp(&mut self, info: IpcpInfo) -> bool {
        if self.ipcp(info.pid).is_some() {
            ouroboros::log_err!(PREFIX, "IPCP {} already exists.", info.pid);
            return false;
        }
        let key = (info.ipcp_type, info.pid);
        let at = self
            .ipcps
            .iter()
            .position(|e| (e.info.ipcp_type, e.info.pid) > key);
        let pid = info.pid;
        self.ipcps
            .insert(at.unwrap_or(self.ipcps.len()), Ipcp::new(info));
        insert_after_greater(&mut self.spawned, pid, |p| *p);
        true
    }

    /// Adds an announced process and binds it to its program's names.
    pub fn create_proc(&mut self, mut proc: Proc) -> bool {
        if self.proc(proc.pid).is_some() {
            ouroboros::log_err!(PREFIX, "Process {} already exists.", proc.pid);
            return false;
        }
        if let Some(prog) = self.prog(&proc.prog) {
            let prog_names = prog.names.clone();
            for n in &mut self.names {
                if prog_names.contains(&n.info.name) {
                    proc.names.push(n.info.name.clone());
                    n.add_proc(proc.pid);
                }
            }
        }
        insert_after_greater(&mut self.procs, proc, |p| p.pid);
        true
    }

    /// Removes every record of `pid`: process (with its bindings and
    /// active entries), spawned child and IPCP.
    pub fn destroy_proc(&mut self, pid: i32) {
        if let Some(i) = self.procs.iter().position(|p| p.pid == pid) {
            if let Some(set) = self.procs.remove(i).set {
                set.destroy();
            }
            for n in &mut self.names {
                n.del_proc(pid);
            }
            self.cancel_flows_of(pid);
        }
        self.spawned.retain(|p| *p != pid);
        self.ipcps.retain(|i| i.info.pid != pid);
    }

    /// Creates a program record keyed by its basename, if needed.
    pub fn create_prog(&mut self, path: &str) {
        let name = ouroboros::proc::basename(path).to_string();
        if self.prog(&name).is_none() {
            let prog = Prog {
                name,
                path: path.to_string(),
                names: Vec::new(),
            };
            insert_after_greater(&mut self.progs, prog, |p| p.name.clone());
        }
    }

    pub fn destroy_prog(&mut self, name: &str) -> bool {
        let Some(i) = self.progs.iter().position(|p| p.name == name) else {
            ouroboros::log_err!(PREFIX, "Program {} does not exist.", name);
            return false;
        };
        let path = self.progs[i].path.clone();
        for n in &mut self.names {
            n.del_exec(&path);
        }
        self.progs.remove(i);
        true
    }

    /// Binds a program to a name; `exec[0]` is the program's path; with
    /// `auto` the argv is stored for starting it on demand.
    pub fn bind_prog(&mut self, name: &str, exec: &[String], auto: bool) -> bool {
        let path = &exec[0];
        let base = ouroboros::proc::basename(path).to_string();
        let Some(n) = self.names.iter_mut().find(|n| n.info.name == name) else {
            ouroboros::log_err!(PREFIX, "Could not find name {}.", name);
            return false;
        };
        let Some(p) = self.progs.iter_mut().find(|p| p.name == base) else {
            ouroboros::log_err!(PREFIX, "Could not find program {}.", path);
            return false;
        };
        if n.has_exec(path) {
            ouroboros::log_err!(PREFIX, "Program {} already bound to {}.", path, name);
            return false;
        }
        if p.names.iter().any(|x| x == name) {
            ouroboros::log_err!(PREFIX, "Name {} already bound to program {}.", name, path);
            return false;
        }
        if auto {
            n.add_exec(exec.to_vec());
        }
        p.names.push(name.to_string());
        true
    }

    /// Unbinds program `prog` (its basename) from `name`.
    pub fn unbind_prog(&mut self, name: &str, prog: &str) -> bool {
        let Some(n) = self.names.iter_mut().find(|n| n.info.name == name) else {
            ouroboros::log_err!(PREFIX, "Could not find name {}.", name);
            return false;
        };
        let Some(p) = self.progs.iter_mut().find(|p| p.name == prog) else {
            ouroboros::log_err!(PREFIX, "Could not find program {}.", prog);
            return false;
        };
        if !p.names.iter().any(|x| x == name) {
            ouroboros::log_err!(PREFIX, "Name {} not bound to program {}.", name, prog);
            return false;
        }
        // auto-start entries are keyed by the full path, as upstream
        n.del_exec(prog);
        p.names.retain(|x| x != name);
        true
    }

    pub fn bind_proc(&mut self, name: &str, pid: i32) -> bool {
        let Some(ni) = self.names.iter().position(|n| n.info.name == name) else {
            ouroboros::log_err!(PREFIX, "Could not find name {}.", name);
            return false;
        };
        let Some(pi) = self.procs.iter().position(|p| p.pid == pid) else {
            ouroboros::log_err!(PREFIX, "Could not find process {}.", pid);
            return false;
        };
        if self.names[ni].has_proc(pid) {
            ouroboros::log_err!(PREFIX, "Process {} already bound to name {}.", pid, name);
            return false;
        }
        let accepting = self.accept_flow_of(pid).is_some();
        let n = &mut self.names[ni];
        n.add_proc(pid);
        if accepting {
            n.add_active(pid);
        }
        self.procs[pi].names.push(name.to_string());
        true
    }

    pub fn unbind_proc(&mut self, name: &str, pid: i32) -> bool {
        let Some(ni) = self.names.iter().position(|n| n.info.name == name) else {
            ouroboros::log_err!(PREFIX, "Could not find name {}.", name);
            return false;
        };
        let Some(pi) = self.procs.iter().position(|p| p.pid == pid) else {
            ouroboros::log_err!(PREFIX, "Could not find process {}.", pid);
            return false;
        };
        if !self.names[ni].has_proc(pid) {
            ouroboros::log_err!(PREFIX, "Process {} not bound to name {}.", pid, name);
            return false;
        }
        self.names[ni].del_proc(pid);
        self.procs[pi].names.retain(|n| n != name);
        true
    }

    /// First registered process that no longer exists.
    pub fn dead_proc(&self) -> Option<i32> {
        self.procs
            .iter()
            .map(|p| p.pid)
            .find(|&pid| !ouroboros::proc::alive(pid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(r: &Registry) -> Vec<&str> {
        r.names.iter().map(|n| n.info.name.as_str()).collect()
    }

    #[test]
    fn name_order_is_upstreams() {
        let mut r = Registry::default();
        for n in ["n1", "n2"] {
            r.create_name(NameInfo::new(n, 0)).unwrap();
        }
        assert_eq!(names(&r), ["n2", "n1"]);
        let mut r = Registry::default();
        for n in ["a", "b", "c", "ab"] {
            r.create_name(NameInfo::new(n, 0)).unwrap();
        }
        assert_eq!(names(&r), ["c", "ab", "b", "a"]);
        assert_eq!(r.create_name(NameInfo::new("a", 1)), Err(true));
    }

    #[test]
    fn proc_order_is_upstreams() {
        let mut r = Registry::default();
        for pid in [55, 85, 103] {
            assert!(r.create_proc(Proc::new(pid, "x", 0)));
        }
        let pids: Vec<i32> = r.procs.iter().map(|p| p.pid).collect();
        assert_eq!(pids, [103, 85, 55]);
    }

    #[test]
    fn ipcps_sorted_by_type_then_pid() {
        let mut r = Registry::default();
        for (t, pid) in [(1, 30), (0, 40), (0, 20), (5, 10)] {
            assert!(r.create_ipcp(IpcpInfo {
                ipcp_type: t,
                pid,
                name: format!("i{pid}"),
                state: 1
            }));
        }
        let order: Vec<i32> = r.ipcps.iter().map(|i| i.info.pid).collect();
        assert_eq!(order, [20, 40, 30, 10]);
        r.destroy_proc(40);
        assert!(r.ipcp(40).is_none() && !r.spawned.contains(&40));
    }

    #[test]
    fn binding_rules() {
        let mut r = Registry::default();
        r.create_name(NameInfo::new("n", 1)).unwrap();
        r.create_prog("/bin/cat");
        let exec = vec!["/bin/cat".to_string()];
        assert!(r.bind_prog("n", &exec, true));
        assert!(!r.bind_prog("n", &exec, false), "double bind is refused");
        // an announced instance of the program is bound to its names
        assert!(r.create_proc(Proc::new(77, "cat", 0)));
        assert!(r.name("n").unwrap().has_proc(77));
        assert!(!r.bind_proc("n", 77), "already bound");
        assert!(r.unbind_proc("n", 77));
        assert!(!r.unbind_proc("n", 77));
        // unbinding by basename keeps the auto-start entry (upstream quirk)
        assert!(r.unbind_prog("n", "cat"));
        assert!(r.name("n").unwrap().has_exec("/bin/cat"));
        assert!(!r.unbind_prog("n", "/bin/cat"));
        assert!(r.destroy_name("n"));
        assert!(!r.destroy_name("n"));
    }
}

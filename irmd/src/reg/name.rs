//! A name record: its info, bound processes, auto-start programs and the
//! processes currently accepting for it.

use ouroboros::name::{NameInfo, LB_RR};

pub struct Name {
    pub info: NameInfo,
    /// Bound processes (most recent first).
    pub procs: Vec<i32>,
    /// Auto-start argv arrays (most recent first); argv[0] is the path.
    pub execs: Vec<Vec<String>>,
    /// Processes waiting in accept; flows go to the head.
    pub active: Vec<i32>,
}

impl Name {
    pub fn new(info: NameInfo) -> Name {
        Name {
            info,
            procs: Vec::new(),
            execs: Vec::new(),
            active: Vec::new(),
        }
    }

    pub fn has_proc(&self, pid: i32) -> bool {
        self.procs.contains(&pid)
    }

    pub fn add_proc(&mut self, pid: i32) {
        if !self.has_proc(pid) {
            self.procs.insert(0, pid);
        }
    }

    /// Unbinds a process, dropping its active entries too.
    pub fn del_proc(&mut self, pid: i32) {
        self.procs.retain(|p| *p != pid);
        self.active.retain(|p| *p != pid);
    }

    /// Round robin appends, spillover (and anything else) prepends.
    pub fn add_active(&mut self, pid: i32) {
        if self.info.pol_lb == LB_RR {
            self.active.push(pid);
        } else {
            self.active.insert(0, pid);
        }
    }

    pub fn has_exec(&self, path: &str) -> bool {
        self.execs.iter().any(|e| e[0] == path)
    }

    pub fn add_exec(&mut self, argv: Vec<String>) {
        self.execs.insert(0, argv);
    }

    pub fn del_exec(&mut self, path: &str) {
        self.execs.retain(|e| e[0] != path);
    }
}

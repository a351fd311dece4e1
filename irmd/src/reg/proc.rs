//! An announced process.

pub struct Proc {
    pub pid: i32,
    /// Program name (basename) it announced.
    pub prog: String,
    /// From SO_PEERCRED; picks the packet pool.
    pub uid: u32,
    /// Names it is bound to.
    pub names: Vec<String>,
    /// Its flow set (`/ouroboros.set.<pid>`), removed with the record.
    pub set: Option<ouroboros::ssm::FlowSet>,
}

impl Proc {
    pub fn new(pid: i32, prog: &str, uid: u32) -> Proc {
        Proc {
            pid,
            prog: prog.to_string(),
            uid,
            names: Vec::new(),
            set: None,
        }
    }

    /// 0 for privileged processes (they use the global pool), else the uid
    /// (its per-user pool).
    pub fn uid_class(&self) -> u32 {
        if ouroboros::proc::is_ouroboros_member(self.uid) {
            0
        } else {
            self.uid
        }
    }
}

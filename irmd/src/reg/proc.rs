//! An announced process.

pub struct Proc {
    pub pid: i32,
    /// Program name (basename) it announced.
    pub prog: String,
    /// Credentials from SO_PEERCRED; they pick the packet pool.
    #[allow(dead_code)]
    pub uid: u32,
    #[allow(dead_code)]
    pub gid: u32,
    /// Names it is bound to.
    pub names: Vec<String>,
    /// Number of its threads waiting in flow_accept.
    pub accepting: u32,
}

impl Proc {
    pub fn new(pid: i32, prog: &str, uid: u32, gid: u32) -> Proc {
        Proc {
            pid,
            prog: prog.to_string(),
            uid,
            gid,
            names: Vec::new(),
            accepting: 0,
        }
    }
}

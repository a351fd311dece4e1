//! Configuration files: the IRMd's TOML file (`irmd --config`, parsed and
//! applied by `config::load_bytes`) and a name's `enc.conf` (parsed by
//! `oap::config::parse_enc_config`).
//!
//! Input: a mode byte, then the file's contents. Mode bit 0 picks the
//! file: 0 the IRMd's, 1 an `enc.conf`. For the IRMd's file the other bits
//! are a failure mask for the operations the file asks for (bit 1:
//! creating an IPCP, 2: bootstrap, 3: enrolment, 4: the layer lookup after
//! it, 5: connect, 6: creating a name, 7: the rest), 0 in the seeds. For
//! `enc.conf` they set the size of the reads the parser gets (1 to 128
//! bytes).
//!
//! The IRMd's operations are recorded, not run: no process is started,
//! nothing is bound or registered (`Recorder`). Paths in the file are only
//! looked up (`canonicalize`), as the IRMd does.
//!
//! Checked: operations only name IPCPs the file created, and come in the
//! order upstream uses them (bootstrap or enrol once, then binds,
//! registrations and connections; a name is created before it is
//! registered); a bootstrap configuration has the created IPCP's type and
//! converts to its message and back unchanged; a failed operation fails
//! the whole file. An `enc.conf` parses the same whatever the size of the
//! reads.

#![no_main]

use fuzz_support::{Input, FAKE_PID_BASE};
use libfuzzer_sys::fuzz_target;
use ouroboros::ipcp::{IpcpConfig, IpcpType, DT_COMP, IPCP_NAME_SIZE, LAYER_NAME_SIZE, MGMT_COMP};
use ouroboros::name::{NameInfo, BIND_AUTO};
use ouroboros::oap::config::parse_enc_config;
use ouroboros_irmd::config::{load_bytes, Ops};
use std::collections::{HashMap, HashSet};
use std::io::Read;

const FAIL_CREATE: u8 = 1 << 1;
const FAIL_BOOTSTRAP: u8 = 1 << 2;
const FAIL_ENROLL: u8 = 1 << 3;
const FAIL_LAYER: u8 = 1 << 4;
const FAIL_CONNECT: u8 = 1 << 5;
const FAIL_NAME: u8 = 1 << 6;
const FAIL_OTHER: u8 = 1 << 7;

/// What the file did to one IPCP.
#[derive(Default)]
struct Ipcp {
    t: Option<IpcpType>,
    layer: Option<String>,
    /// Binds, registrations or connections happened.
    used: bool,
}

#[derive(Default)]
struct Recorder {
    fail: u8,
    ipcps: HashMap<i32, Ipcp>,
    names: HashSet<String>,
    ops: usize,
    /// An operation failed.
    failed: bool,
}

impl Recorder {
    fn result(&mut self, bit: u8) -> i32 {
        if self.fail & bit != 0 {
            self.failed = true;
            -libc::EIO
        } else {
            0
        }
    }

    /// The IPCP `pid`, which the file must have created and joined to a
    /// layer.
    fn joined(&mut self, pid: i32) -> &mut Ipcp {
        let i = self
            .ipcps
            .get_mut(&pid)
            .expect("an IPCP the file did not create");
        assert!(i.layer.is_some(), "IPCP {pid} used before it is in a layer");
        i.used = true;
        i
    }
}

impl Ops for Recorder {
    fn create_ipcp(&mut self, t: IpcpType, name: &str) -> Result<i32, i32> {
        self.ops += 1;
        assert!(name.len() <= IPCP_NAME_SIZE);
        if self.fail & FAIL_CREATE != 0 {
            self.failed = true;
            return Err(-libc::EIO);
        }
        let pid = FAKE_PID_BASE + self.ipcps.len() as i32 + 1;
        let ipcp = Ipcp {
            t: Some(t),
            ..Ipcp::default()
        };
        self.ipcps.insert(pid, ipcp);
        Ok(pid)
    }

    fn bootstrap(&mut self, pid: i32, conf: &IpcpConfig) -> i32 {
        self.ops += 1;
        let r = self.result(FAIL_BOOTSTRAP);
        let i = self
            .ipcps
            .get_mut(&pid)
            .expect("bootstrap of an unknown IPCP");
        assert!(i.layer.is_none() && !i.used, "bootstrap of a used IPCP");
        assert_eq!(Some(conf.ipcp_type), i.t.map(|t| t as u32));
        assert!(conf.layer.name.len() <= LAYER_NAME_SIZE);
        let back = IpcpConfig::from_msg(&conf.into());
        assert_eq!(back.as_ref(), Some(conf), "config -> message -> config");
        if r == 0 {
            i.layer = Some(conf.layer.name.clone());
        }
        r
    }

    fn enroll(&mut self, pid: i32, dst: &str) -> i32 {
        self.ops += 1;
        let r = self.result(FAIL_ENROLL);
        let i = self
            .ipcps
            .get_mut(&pid)
            .expect("enrolment of an unknown IPCP");
        assert!(i.layer.is_none() && !i.used, "enrolment of a used IPCP");
        if r == 0 {
            i.layer = Some(format!("layer.of.{dst}"));
        }
        r
    }

    fn layer(&mut self, pid: i32) -> Option<String> {
        let fail = self.fail & FAIL_LAYER != 0;
        self.failed |= fail;
        let i = self.ipcps.get(&pid).expect("layer of an unknown IPCP");
        if fail {
            None
        } else {
            i.layer.clone()
        }
    }

    fn connect(&mut self, pid: i32, _dst: &str, comp: &str) -> i32 {
        self.ops += 1;
        assert!(comp == MGMT_COMP || comp == DT_COMP);
        self.joined(pid);
        self.result(FAIL_CONNECT)
    }

    fn create_name(&mut self, info: NameInfo) -> i32 {
        self.ops += 1;
        let r = self.result(FAIL_NAME);
        if r == 0 {
            self.names.insert(info.name);
        }
        r
    }

    fn reg(&mut self, name: &str, pid: i32) -> i32 {
        self.ops += 1;
        assert!(self.names.contains(name), "registered before created");
        self.joined(pid);
        self.result(FAIL_OTHER)
    }

    fn bind_program(&mut self, exec: &[String], name: &str, opts: u32) -> i32 {
        self.ops += 1;
        assert!(self.names.contains(name), "bound before created");
        assert!(!exec.is_empty(), "no program");
        assert!(opts & !BIND_AUTO == 0);
        assert!(exec[1..].iter().all(|a| !a.is_empty() && !a.contains(' ')));
        self.result(FAIL_OTHER)
    }

    fn bind_process(&mut self, pid: i32, _name: &str) -> i32 {
        self.ops += 1;
        self.joined(pid);
        self.result(FAIL_OTHER)
    }
}

/// A reader that hands out at most `n` bytes per read.
struct Chunks<'a> {
    data: &'a [u8],
    n: usize,
}

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.u8();
    let text = input.rest();
    if mode & 1 == 0 {
        let mut rec = Recorder {
            fail: mode,
            ..Recorder::default()
        };
        let r = load_bytes(text, &mut rec);
        // a failed operation aborts the file
        assert!(!(rec.failed && r.is_ok()), "a failure went unnoticed");
        assert!(rec.ops <= text.len(), "more operations than bytes");
    } else {
        let whole = parse_enc_config(text);
        let n = usize::from(mode >> 1) + 1;
        let chunked = parse_enc_config(Chunks { data: text, n });
        assert_eq!(whole, chunked, "reads of {n} bytes parse differently");
    }
});

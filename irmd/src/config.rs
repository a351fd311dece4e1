//! The TOML configuration file (`irmd --config <path>`).
//!
//! Applied once the daemon serves requests, through the same operations
//! the IRM messages use. Top-level tables are handled in file order (see
//! `doc`); within a table the work is interleaved with the checks exactly
//! as upstream does it, so a bad key found after an IPCP was created still
//! leaves that IPCP created. Any error aborts the whole file.

mod bootstrap;
mod doc;
mod ipcp;
mod name;
#[cfg(test)]
mod tests;

use crate::irmd::Irmd;
use crate::ops;
use doc::{Table, Val};
use ouroboros::ipcp::{IpcpConfig, IpcpType};
use ouroboros::name::NameInfo;
use ouroboros::qos::QosSpec;
use ouroboros::{log_err, log_info};
use std::io::Read;

const PREFIX: &str = "irmd/configuration";

/// The IRMd operations a configuration file uses.
pub trait Ops {
    /// Creates an IPCP and waits for it to boot; its pid.
    fn create_ipcp(&mut self, t: IpcpType, name: &str) -> Result<i32, i32>;
    fn bootstrap(&mut self, pid: i32, conf: &IpcpConfig) -> i32;
    fn enroll(&mut self, pid: i32, dst: &str) -> i32;
    /// The layer an IPCP is in, from the registry.
    fn layer(&mut self, pid: i32) -> Option<String>;
    /// Connects a component to a peer with the raw QoS.
    fn connect(&mut self, pid: i32, dst: &str, comp: &str) -> i32;
    fn create_name(&mut self, info: NameInfo) -> i32;
    fn reg(&mut self, name: &str, pid: i32) -> i32;
    fn bind_program(&mut self, exec: &[String], name: &str, opts: u32) -> i32;
    fn bind_process(&mut self, pid: i32, name: &str) -> i32;
}

/// The daemon's own operations.
struct Daemon<'a>(&'a Irmd);

impl Ops for Daemon<'_> {
    fn create_ipcp(&mut self, t: IpcpType, name: &str) -> Result<i32, i32> {
        ops::ipcp::spawn_ipcp(self.0, t as u32, name)
    }

    fn bootstrap(&mut self, pid: i32, conf: &IpcpConfig) -> i32 {
        ops::ipcp::bootstrap(self.0, pid, &conf.into())
    }

    fn enroll(&mut self, pid: i32, dst: &str) -> i32 {
        ops::ipcp::enroll(self.0, pid, dst)
    }

    fn layer(&mut self, pid: i32) -> Option<String> {
        self.0.reg().ipcp(pid).map(|i| i.layer.name.clone())
    }

    fn connect(&mut self, pid: i32, dst: &str, comp: &str) -> i32 {
        ops::ipcp::connect(self.0, pid, Some(dst), Some(comp), &(&QosSpec::RAW).into())
    }

    fn create_name(&mut self, info: NameInfo) -> i32 {
        ops::name::create(self.0, info)
    }

    fn reg(&mut self, name: &str, pid: i32) -> i32 {
        ops::name::reg(self.0, name, pid)
    }

    fn bind_program(&mut self, exec: &[String], name: &str, opts: u32) -> i32 {
        ops::bind::bind_program(self.0, exec, name, opts)
    }

    fn bind_process(&mut self, pid: i32, name: &str) -> i32 {
        ops::bind::bind_process(self.0, pid, name)
    }
}

/// Reads and applies the configuration file at `path`; errors are logged.
pub fn apply(irmd: &Irmd, path: &str) -> Result<(), ()> {
    configure(path, &mut Daemon(irmd))
}

fn configure(path: &str, ops: &mut dyn Ops) -> Result<(), ()> {
    let real = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(e) => {
            log_err!(
                PREFIX,
                "Failed to check path for {}: {}.",
                path,
                ouroboros::errno::strerror(&e)
            );
            return Err(());
        }
    };
    log_info!(PREFIX, "Reading configuration from file {}", real.display());
    let mut file = match std::fs::File::open(&real) {
        Ok(f) => f,
        Err(e) => {
            // Upstream's message ends in a newline of its own.
            log_err!(
                PREFIX,
                "Failed to open config file: {}\n",
                ouroboros::errno::strerror(&e)
            );
            return Err(());
        }
    };
    if load_file(&mut file, ops).is_err() {
        log_err!(PREFIX, "Failed to load config file.");
        return Err(());
    }
    Ok(())
}

fn load_file(file: &mut std::fs::File, ops: &mut dyn Ops) -> Result<(), ()> {
    let mut bytes = Vec::new();
    if let Err(e) = file.read_to_end(&mut bytes) {
        let msg = ouroboros::errno::strerror(&e);
        log_err!(PREFIX, "Failed to parse config file: {}.", msg);
        return Err(());
    }
    load_bytes(&bytes, ops)
}

/// Parses and applies the contents of a configuration file; errors are
/// logged.
pub fn load_bytes(bytes: &[u8], ops: &mut dyn Ops) -> Result<(), ()> {
    let parsed = match std::str::from_utf8(bytes) {
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            Err(format!("line {line}: invalid UTF-8"))
        }
        Ok(text) => Table::parse(text).map_err(|e| e.to_string()),
    };
    let doc = match parsed {
        Ok(d) => d,
        Err(msg) => {
            log_err!(PREFIX, "Failed to parse config file: {}.", msg);
            return Err(());
        }
    };
    if load(&doc, ops).is_err() {
        log_err!(PREFIX, "Failed to load configuration.");
        return Err(());
    }
    Ok(())
}

/// Applies a parsed document, top-level table by top-level table.
fn load(doc: &Table, ops: &mut dyn Ops) -> Result<(), ()> {
    for (key, val) in &doc.entries {
        let t = match key.as_str() {
            "name" => None,
            "local" => Some(IpcpType::Local),
            "eth-dix" => Some(IpcpType::EthDix),
            "eth-llc" => Some(IpcpType::EthLlc),
            "udp4" => Some(IpcpType::Udp4),
            "udp6" => Some(IpcpType::Udp6),
            "broadcast" => Some(IpcpType::Broadcast),
            "unicast" => Some(IpcpType::Unicast),
            _ => {
                // Upstream's spelling.
                log_err!(PREFIX, "Unkown toplevel key: {}.", key);
                return Err(());
            }
        };
        // Upstream crashes on a known key that is not a table.
        let Val::Tab(table) = val else {
            log_err!(PREFIX, "Invalid toplevel entry: {}.", key);
            return Err(());
        };
        match t {
            None => name::list(table, ops)?,
            Some(t) => ipcp::list(table, t, ops)?,
        }
    }
    Ok(())
}

/// Fills the empty security paths with a name's defaults, as creating a
/// name does.
fn default_sec_paths(info: &mut NameInfo) {
    crate::ops::name::default_paths(info);
}

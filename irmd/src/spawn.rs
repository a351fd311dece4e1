//! Starting IPCPs and auto-start programs: checked for existence and the
//! owner-execute bit, spawned with an empty environment and the IRMd's
//! stdio.

use ouroboros::{log_err, log_info, log_warn};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const PREFIX: &str = "irmd";

/// Spawns `argv` (argv[0] is the path); returns the pid.
pub fn program(argv: &[String]) -> Option<i32> {
    let path = Path::new(&argv[0]);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) => {
            log_warn!(PREFIX, "Program {} does not exist.", argv[0]);
            return None;
        }
    };
    if meta.permissions().mode() & 0o100 == 0 {
        log_warn!(PREFIX, "Program {} is not executable.", argv[0]);
        return None;
    }
    let child = Command::new(path).args(&argv[1..]).env_clear().spawn();
    match child {
        Ok(c) => {
            let pid = c.id() as i32;
            log_info!(PREFIX, "Instantiated {} as process {}.", argv[0], pid);
            Some(pid)
        }
        Err(_) => {
            log_err!(PREFIX, "Failed to spawn new process for {}.", argv[0]);
            None
        }
    }
}

//! Binding programs and processes to names.

use super::PREFIX;
use crate::irmd::Irmd;
use ouroboros::name::{NameInfo, BIND_AUTO, LB_SPILL};
use ouroboros::{log_err, log_info};
use std::time::{Duration, Instant};

/// How long bind_process waits for the process to announce itself.
const BIND_WAIT: Duration = Duration::from_millis(10);

/// Creates `name` with the spillover policy if it is missing; true when
/// this call created it.
fn ensure_name(irmd: &Irmd, name: &str) -> Result<bool, i32> {
    if irmd.reg().name(name).is_some() {
        return Ok(false);
    }
    match super::name::create(irmd, NameInfo::new(name, LB_SPILL)) {
        0 => Ok(true),
        e => Err(e),
    }
}

/// `exec` is the program's path followed by its arguments.
pub fn bind_program(irmd: &Irmd, exec: &[String], name: &str, opts: u32) -> i32 {
    if exec.is_empty() || exec[0].is_empty() {
        return -libc::EINVAL;
    }
    irmd.reg().create_prog(&exec[0]);
    let created = match ensure_name(irmd, name) {
        Ok(c) => c,
        Err(_) => return -1,
    };
    if !irmd.reg().bind_prog(name, exec, opts & BIND_AUTO != 0) {
        log_err!(
            PREFIX,
            "Failed to bind program {} to name {}",
            exec[0],
            name
        );
        if created {
            irmd.reg().destroy_name(name);
        }
        return -1;
    }
    log_info!(PREFIX, "Bound program {} to name {}.", exec[0], name);
    0
}

/// Unbinds a program from one name, or (no name) removes the program.
pub fn unbind_program(irmd: &Irmd, prog: Option<&str>, name: Option<&str>) -> i32 {
    let Some(prog) = prog else {
        return -libc::EINVAL;
    };
    match name {
        None => {
            if !irmd.reg().destroy_prog(prog) {
                log_err!(PREFIX, "Failed to unbind {}.", prog);
                return -1;
            }
            log_info!(PREFIX, "Program {} unbound.", prog);
        }
        Some(name) => {
            if !irmd.reg().unbind_prog(name, prog) {
                log_err!(PREFIX, "Failed to unbind {} from {}", prog, name);
                return -1;
            }
            log_info!(PREFIX, "Name {} unbound for {}.", name, prog);
        }
    }
    0
}

pub fn bind_process(irmd: &Irmd, pid: i32, name: &str) -> i32 {
    let deadline = Instant::now() + BIND_WAIT;
    let mut reg = irmd.reg();
    while reg.proc(pid).is_none() {
        let (g, _) = irmd.wait_until(reg, deadline);
        reg = g;
        if Instant::now() >= deadline && reg.proc(pid).is_none() {
            let what = if ouroboros::proc::alive(pid) {
                "respond"
            } else {
                "exist"
            };
            log_err!(PREFIX, "Process {} does not {}.", pid, what);
            return -1;
        }
    }
    drop(reg);
    let created = match ensure_name(irmd, name) {
        Ok(c) => c,
        Err(_) => return -1,
    };
    let bound = irmd.reg().bind_proc(name, pid);
    if !bound {
        log_err!(PREFIX, "Failed to add name {} to process {}.", name, pid);
        if created {
            irmd.reg().destroy_name(name);
        }
        return -1;
    }
    irmd.notify();
    log_info!(PREFIX, "Bound process {} to name {}.", pid, name);
    0
}

/// Unbinds a process from one name, or (no name) removes the process.
pub fn unbind_process(irmd: &Irmd, pid: i32, name: Option<&str>) -> i32 {
    match name {
        None => {
            if irmd.reg().proc(pid).is_none() {
                log_err!(PREFIX, "Failed to unbind {}.", pid);
                return -1;
            }
            irmd.reg().destroy_proc(pid);
            irmd.notify();
            log_info!(PREFIX, "Process {} unbound.", pid);
        }
        Some(name) => {
            if !irmd.reg().unbind_proc(name, pid) {
                log_err!(PREFIX, "Failed to unbind {} from {}", pid, name);
                return -1;
            }
            log_info!(PREFIX, "Name {} unbound for process {}.", name, pid);
        }
    }
    0
}

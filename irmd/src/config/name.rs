//! `[name.<name>]` tables: create the name, then bind its programs.

use super::doc::{leading_strings, Table, Val};
use super::{Ops, PREFIX};
use ouroboros::errno::strerror;
use ouroboros::log_err;
use ouroboros::name::{NameInfo, BIND_AUTO, LB_RR, LB_SPILL, NAME_PATH_SIZE, NAME_SIZE};

/// Every name of the `name` table, in file order.
pub fn list(table: &Table, ops: &mut dyn Ops) -> Result<(), ()> {
    for (name, val) in &table.entries {
        // Upstream dereferences a missing table here and crashes.
        let Val::Tab(conf) = val else {
            log_err!(PREFIX, "Invalid configuration for name {}.", name);
            return Err(());
        };
        one(conf, name, ops)?;
    }
    Ok(())
}

/// The name's information as the table describes it (errors logged).
pub fn info(table: &Table, name: &str) -> Result<NameInfo, ()> {
    if name.len() > NAME_SIZE {
        log_err!(PREFIX, "Name too long: {}", name);
        return Err(());
    }
    let mut info = NameInfo::new(name, LB_SPILL);
    if let Some(lb) = table.str("lb") {
        info.pol_lb = match lb {
            "spill" => LB_SPILL,
            "round-robin" => LB_RR,
            _ => {
                log_err!(PREFIX, "Invalid load-balancing policy for {}.", name);
                return Err(());
            }
        };
    }
    let fields = [
        ("server_enc_file", &mut info.s.enc),
        ("server_crt_file", &mut info.s.crt),
        ("server_key_file", &mut info.s.key),
        ("client_enc_file", &mut info.c.enc),
        ("client_crt_file", &mut info.c.crt),
        ("client_key_file", &mut info.c.key),
    ];
    for (key, field) in fields {
        if let Some(path) = table.str(key) {
            *field = checked_path(path)?;
        }
    }
    Ok(info)
}

/// The canonical form of an existing file's path.
fn checked_path(path: &str) -> Result<String, ()> {
    let real = match std::fs::canonicalize(path) {
        Ok(p) => p.to_string_lossy().into_owned(),
        Err(e) => {
            log_err!(PREFIX, "Failed to check path {}: {}.", path, strerror(&e));
            return Err(());
        }
    };
    if real.len() > NAME_PATH_SIZE {
        log_err!(PREFIX, "File path too long: {}.", real);
        return Err(());
    }
    Ok(real)
}

fn one(table: &Table, name: &str, ops: &mut dyn Ops) -> Result<(), ()> {
    let info = info(table, name)?;
    if ops.create_name(info) < 0 {
        log_err!(PREFIX, "Failed to create name {}.", name);
        return Err(());
    }
    let Some(progs) = table.array("prog") else {
        return Ok(());
    };
    let args = table.array("args").map(leading_strings);
    for (i, prog) in leading_strings(progs).into_iter().enumerate() {
        // Past the end of `args` (or its first non-string) programs are
        // bound without arguments and without auto-start.
        let arg = args.as_ref().and_then(|a| a.get(i).copied());
        bind(prog, arg, name, ops)?;
    }
    Ok(())
}

/// The argv of a program: its path, then `args` split on spaces.
pub fn argv(prog: &str, args: Option<&str>) -> Vec<String> {
    let mut exec = vec![prog.to_string()];
    if let Some(a) = args {
        exec.extend(a.split(' ').filter(|s| !s.is_empty()).map(String::from));
    }
    exec
}

fn bind(prog: &str, args: Option<&str>, name: &str, ops: &mut dyn Ops) -> Result<(), ()> {
    let opts = if args.is_some() { BIND_AUTO } else { 0 };
    if ops.bind_program(&argv(prog, args), name, opts) < 0 {
        log_err!(
            PREFIX,
            "Failed to bind program {} {} for name {}.",
            prog,
            // C's printf shows a missing string as "(null)".
            args.unwrap_or("(null)"),
            name
        );
        return Err(());
    }
    Ok(())
}

//! `[<type>.<ipcp>]` tables: create the IPCP, then bootstrap or enrol it,
//! bind it to its names and register names in it.

use super::bootstrap;
use super::doc::{leading_strings, Table, Val};
use super::{default_sec_paths, Ops, PREFIX};
use ouroboros::ipcp::{IpcpType, DT_COMP, IPCP_NAME_SIZE, LAYER_NAME_SIZE, MGMT_COMP};
use ouroboros::log_err;
use ouroboros::name::{NameInfo, LB_SPILL};

/// Every IPCP of one type table, in file order.
pub fn list(table: &Table, t: IpcpType, ops: &mut dyn Ops) -> Result<(), ()> {
    for (name, val) in &table.entries {
        if name.len() > IPCP_NAME_SIZE {
            log_err!(PREFIX, "IPCP name too long: {},", name);
            return Err(());
        }
        // Upstream dereferences a missing table here and crashes; refuse
        // the entry before creating anything instead.
        let Val::Tab(conf) = val else {
            log_err!(PREFIX, "Invalid configuration for IPCP {}.", name);
            return Err(());
        };
        one(conf, t, name, ops)?;
    }
    Ok(())
}

fn one(table: &Table, t: IpcpType, name: &str, ops: &mut dyn Ops) -> Result<(), ()> {
    let Ok(pid) = ops.create_ipcp(t, name) else {
        log_err!(PREFIX, "Failed to create IPCP {}.", name);
        return Err(());
    };
    let mut layer = table.str("bootstrap");
    let enrol = table.str("enrol");
    if layer.is_some() && enrol.is_some() {
        log_err!(PREFIX, "Ignoring bootstrap for IPCP {}.", name);
        layer = None;
    }
    if let Some(dst) = enrol {
        return enroll(table, pid, name, dst, ops);
    }
    let Some(layer) = layer else {
        return Ok(());
    };
    if layer.len() > LAYER_NAME_SIZE {
        log_err!(PREFIX, "Layer name too long: {}", layer);
        return Err(());
    }
    // The type-specific keys are only looked at now, after the IPCP exists.
    let mut conf = bootstrap::conf_for(table, t)?;
    conf.layer.name = layer.to_string();
    if ops.bootstrap(pid, &conf) < 0 {
        return Err(());
    }
    autobind(table, pid, name, layer, ops)?;
    if register(table, pid, ops).is_err() {
        log_err!(PREFIX, "Failed to register names.");
        return Err(());
    }
    Ok(())
}

fn enroll(table: &Table, pid: i32, name: &str, dst: &str, ops: &mut dyn Ops) -> Result<(), ()> {
    if ops.enroll(pid, dst) < 0 {
        log_err!(PREFIX, "Failed to enrol {}.", name);
        return Err(());
    }
    let Some(layer) = ops.layer(pid) else {
        return Err(());
    };
    autobind(table, pid, name, &layer, ops)?;
    if register(table, pid, ops).is_err() {
        log_err!(PREFIX, "Failed to register names.");
        return Err(());
    }
    if connect(table, pid, ops).is_err() {
        // Upstream logs the registration message here too.
        log_err!(PREFIX, "Failed to register names.");
        return Err(());
    }
    Ok(())
}

fn autobind(table: &Table, pid: i32, name: &str, layer: &str, ops: &mut dyn Ops) -> Result<(), ()> {
    // Upstream quirk: the key only has to be a boolean; `autobind = false`
    // binds as well.
    if table.bool("autobind").is_none() {
        return Ok(());
    }
    for n in [name, layer] {
        if ops.bind_process(pid, n) < 0 {
            log_err!(PREFIX, "Failed to bind IPCP process {} to {}.", pid, n);
            return Err(());
        }
    }
    Ok(())
}

fn register(table: &Table, pid: i32, ops: &mut dyn Ops) -> Result<(), ()> {
    let Some(names) = table.array("reg") else {
        return Ok(());
    };
    // Upstream quirk: one name_info serves the whole list; the default
    // security paths filled in for the first name stay in it, so every
    // later name gets the first name's paths.
    let mut info = NameInfo::new("", LB_SPILL);
    for name in leading_strings(names) {
        info.name = name.to_string();
        default_sec_paths(&mut info);
        if ops.create_name(info.clone()) < 0 {
            return Err(());
        }
        if ops.reg(name, pid) < 0 {
            return Err(());
        }
    }
    Ok(())
}

fn connect(table: &Table, pid: i32, ops: &mut dyn Ops) -> Result<(), ()> {
    let Some(peers) = table.array("conn") else {
        return Ok(());
    };
    for dst in leading_strings(peers) {
        for comp in [MGMT_COMP, DT_COMP] {
            if ops.connect(pid, dst, comp) != 0 {
                return Err(());
            }
        }
    }
    Ok(())
}

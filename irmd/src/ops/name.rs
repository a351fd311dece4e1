//! Names: create, destroy, list, register and unregister in IPCPs.

use super::PREFIX;
use crate::ipcp::status;
use crate::irmd::Irmd;
use ouroboros::errno::{EIPCP, ENAME};
use ouroboros::hash::{hex, HashAlgo};
use ouroboros::name::NameInfo;
use ouroboros::paths::{cli_crt_dir, srv_crt_dir};
use ouroboros::pb::{IpcpMsg, IpcpMsgCode};
use ouroboros::{log_err, log_info};

/// Fills empty security paths with the per-name defaults.
pub fn default_paths(info: &mut NameInfo) {
    let (srv, cli, n) = (srv_crt_dir(), cli_crt_dir(), info.name.clone());
    for (side, dir) in [(&mut info.s, &srv), (&mut info.c, &cli)] {
        for (field, file) in [
            (&mut side.enc, "enc.conf"),
            (&mut side.crt, "crt.pem"),
            (&mut side.key, "key.pem"),
        ] {
            if field.is_empty() {
                *field = format!("{dir}/{n}/{file}");
            }
        }
    }
}

/// Creates a name; an existing name is left as it is and counts as success.
pub fn create(irmd: &Irmd, mut info: NameInfo) -> i32 {
    default_paths(&mut info);
    let name = info.name.clone();
    match irmd.reg().create_name(info) {
        Err(true) => {
            log_info!(PREFIX, "Name {} already exists.", name);
            0
        }
        Err(false) => {
            log_err!(PREFIX, "Failed to create name {}.", name);
            -1
        }
        Ok(()) => {
            log_info!(PREFIX, "Created new name: {}.", name);
            0
        }
    }
}

pub fn destroy(irmd: &Irmd, name: &str) -> i32 {
    if !irmd.reg().destroy_name(name) {
        log_err!(PREFIX, "Failed to destroy name {}.", name);
        return -1;
    }
    log_info!(PREFIX, "Destroyed name: {}.", name);
    0
}

/// Names in registry order with the security paths blanked.
pub fn list(irmd: &Irmd) -> Vec<NameInfo> {
    irmd.reg()
        .names
        .iter()
        .map(|n| NameInfo::new(&n.info.name, n.info.pol_lb))
        .collect()
}

/// The name's hash in the layer of IPCP `pid`.
fn hash_for(irmd: &Irmd, name: &str, pid: i32) -> Result<Vec<u8>, i32> {
    let reg = irmd.reg();
    if reg.name(name).is_none() {
        log_err!(PREFIX, "Failed to get name {}.", name);
        return Err(-ENAME);
    }
    let Some(ipcp) = reg.ipcp(pid) else {
        log_err!(PREFIX, "Failed to get IPCP {}.", pid);
        return Err(-EIPCP);
    };
    let algo = HashAlgo::from_u32(ipcp.layer.dir_hash_algo).unwrap_or(HashAlgo::Sha3_224);
    Ok(algo.digest(name.as_bytes()))
}

/// First four hash bytes in hex, as upstream logs hashes.
fn short(hash: &[u8]) -> String {
    hex(&hash[..hash.len().min(4)])
}

pub fn reg(irmd: &Irmd, name: &str, pid: i32) -> i32 {
    let hash = match hash_for(irmd, name, pid) {
        Ok(h) => h,
        Err(e) => return e,
    };
    let msg = IpcpMsg {
        hash: Some(hash.clone()),
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpReg)
    };
    if status(pid, &msg) != 0 {
        log_err!(
            PREFIX,
            "Could not register {} with IPCP {}.",
            short(&hash),
            pid
        );
        return -1;
    }
    log_info!(
        PREFIX,
        "Registered {} with IPCP {} as {}.",
        name,
        pid,
        short(&hash)
    );
    0
}

pub fn unreg(irmd: &Irmd, name: &str, pid: i32) -> i32 {
    let hash = match hash_for(irmd, name, pid) {
        Ok(h) => h,
        Err(e) => return e,
    };
    let msg = IpcpMsg {
        hash: Some(hash),
        ..IpcpMsg::with_code(IpcpMsgCode::IpcpUnreg)
    };
    if status(pid, &msg) != 0 {
        log_err!(PREFIX, "Could not unregister {} with IPCP {}.", name, pid);
        return -1;
    }
    log_info!(PREFIX, "Unregistered {} from {}.", name, pid);
    0
}

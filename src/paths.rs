//! Install-time paths (set through environment variables at build time by
//! the Makefile; defaults are those of an upstream `/usr` install).

/// `OUROBOROS_CONFIG_DIR` (`SYSCONFDIR/ouroboros`).
pub const CONFIG_DIR: &str = match option_env!("OUROBOROS_CONFIG_DIR") {
    Some(d) => d,
    None => "/etc/ouroboros",
};

/// Directory of the install's ipcpd-* programs, if configured.
pub const SBIN_DIR: Option<&str> = option_env!("OUROBOROS_SBIN_DIR");

/// Where processes mount their RIB (`FUSE_PREFIX`).
pub const FUSE_PREFIX: &str = "/tmp/ouroboros";

pub fn security_dir() -> String {
    format!("{CONFIG_DIR}/security")
}

pub fn ca_crt_dir() -> String {
    format!("{CONFIG_DIR}/security/cacert")
}

pub fn untrusted_dir() -> String {
    format!("{CONFIG_DIR}/security/untrusted")
}

pub fn srv_crt_dir() -> String {
    format!("{CONFIG_DIR}/security/server")
}

pub fn cli_crt_dir() -> String {
    format!("{CONFIG_DIR}/security/client")
}

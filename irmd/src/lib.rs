//! The IRMd's components. The daemon (`main.rs`) is built from them; the
//! fuzz targets (`fuzz/`) drive the request dispatch and the configuration
//! file through this library, without a running system.

// Not a public API: failures are logged where they happen, and callers only
// learn that one happened (`Result<_, ()>`), as inside the daemon.
#![allow(clippy::result_unit_err)]

pub mod banner;
pub mod config;
pub mod dispatch;
mod ipcp;
pub mod irmd;
mod oap;
mod ops;
pub mod reg;
pub mod sanitize;
pub mod server;
pub mod shm;
pub mod shutdown;
mod spawn;

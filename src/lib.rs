//! Ouroboros IPC: the core of ouroboros-rs and its safe Rust API.
//!
//! Everything the daemons, tools and C libraries share lives here; the
//! `ffi/*` crates only translate the C ABI onto these types.

pub mod c_api;
pub mod dev;
pub mod errno;
pub mod frct;
pub mod hash;
pub mod ipcp;
pub mod irm;
pub mod lockfile;
pub mod log;
pub mod name;
pub mod oap;
pub mod paths;
pub mod pb;
pub mod proc;
pub mod qos;
pub mod sock;
pub mod ssm;
pub mod time;

pub use errno::{Error, Result};

//! The IRMd's operations, one module per area. Each returns upstream's
//! result code (0 or negative errno; -1 for generic failure).

pub mod bind;
pub mod cleanup;
pub mod flow;
pub mod ipcp;
pub mod name;
pub mod proc;

pub const PREFIX: &str = "irmd";

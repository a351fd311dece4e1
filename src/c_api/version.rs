//! `version.h`.

pub const OUROBOROS_VERSION_MAJOR: u32 = 0;
pub const OUROBOROS_VERSION_MINOR: u32 = 23;
pub const OUROBOROS_VERSION_PATCH: u32 = 0;
pub const OUROBOROS_VERSION_STRING: &str = "0.23.0";

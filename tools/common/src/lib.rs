//! What the Ouroboros tools share: each behaves as the C library call
//! upstream's tools make, so that they print exactly what upstream prints.

pub mod cnum;
pub mod inet;
pub mod signals;
pub mod size;
pub mod start;
pub mod stdio;
pub mod timespec;

//! `#[repr(C)]` twins of the structures in the public C headers, with
//! layout assertions and conversions to the domain types.

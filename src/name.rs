//! Names and their load-balancing policies (upstream `name.h`).

pub const NAME_SIZE: usize = 255;
pub const NAME_PATH_SIZE: usize = NAME_SIZE + 256;
/// `opts` flag of bind program: start the program on demand.
pub const BIND_AUTO: u32 = 0x01;

/// `enum pol_balance` values.
pub const LB_RR: u32 = 0;
pub const LB_SPILL: u32 = 1;
pub const LB_INVALID: u32 = 2;

/// Name of a load-balancing policy as the `irm` tool prints it.
pub fn lb_name(pol: u32) -> &'static str {
    match pol {
        LB_RR => "round-robin",
        LB_SPILL => "spillover",
        _ => "UNKNOWN",
    }
}

/// Paths of one side's security material (`struct name_sec_paths`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecPaths {
    pub enc: String,
    pub key: String,
    pub crt: String,
}

/// `struct name_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameInfo {
    pub name: String,
    pub pol_lb: u32,
    /// Server side.
    pub s: SecPaths,
    /// Client side.
    pub c: SecPaths,
}

impl NameInfo {
    pub fn new(name: &str, pol_lb: u32) -> NameInfo {
        NameInfo {
            name: name.to_string(),
            pol_lb,
            ..Default::default()
        }
    }
}

//! `name.h`: names and their security paths.

use super::{array_from_str, str_from_array};
use crate::errno::Result;
use crate::name::{NameInfo, SecPaths};
use libc::c_char;
use std::mem::{align_of, offset_of, size_of};

pub const NAME_SIZE: usize = crate::name::NAME_SIZE;
pub const NAME_PATH_SIZE: usize = crate::name::NAME_PATH_SIZE;
pub const BIND_AUTO: u16 = crate::name::BIND_AUTO as u16;

/// `enum pol_balance`.
pub type pol_balance = u32;
pub const LB_RR: pol_balance = crate::name::LB_RR;
pub const LB_SPILL: pol_balance = crate::name::LB_SPILL;
pub const LB_INVALID: pol_balance = crate::name::LB_INVALID;

/// `struct name_sec_paths`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct name_sec_paths {
    pub enc: [c_char; NAME_PATH_SIZE + 1],
    pub key: [c_char; NAME_PATH_SIZE + 1],
    pub crt: [c_char; NAME_PATH_SIZE + 1],
}

/// `struct name_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct name_info {
    pub name: [c_char; NAME_SIZE + 1],
    pub pol_lb: pol_balance,
    /// Server side (accepting flows).
    pub s: name_sec_paths,
    /// Client side (allocating flows).
    pub c: name_sec_paths,
}

const _: () = assert!(size_of::<name_sec_paths>() == 1536 && align_of::<name_sec_paths>() == 1);
const _: () = assert!(offset_of!(name_sec_paths, enc) == 0);
const _: () = assert!(offset_of!(name_sec_paths, key) == 512);
const _: () = assert!(offset_of!(name_sec_paths, crt) == 1024);
const _: () = assert!(size_of::<name_info>() == 3332 && align_of::<name_info>() == 4);
const _: () = assert!(offset_of!(name_info, name) == 0);
const _: () = assert!(offset_of!(name_info, pol_lb) == 256);
const _: () = assert!(offset_of!(name_info, s) == 260);
const _: () = assert!(offset_of!(name_info, c) == 1796);

impl name_sec_paths {
    pub const ZERO: name_sec_paths = name_sec_paths {
        enc: [0; NAME_PATH_SIZE + 1],
        key: [0; NAME_PATH_SIZE + 1],
        crt: [0; NAME_PATH_SIZE + 1],
    };
}

impl TryFrom<&name_sec_paths> for SecPaths {
    type Error = crate::errno::Error;

    fn try_from(p: &name_sec_paths) -> Result<SecPaths> {
        Ok(SecPaths {
            enc: str_from_array(&p.enc)?,
            key: str_from_array(&p.key)?,
            crt: str_from_array(&p.crt)?,
        })
    }
}

impl From<&SecPaths> for name_sec_paths {
    /// Paths longer than `NAME_PATH_SIZE` bytes are cut.
    fn from(p: &SecPaths) -> Self {
        name_sec_paths {
            enc: array_from_str(&p.enc),
            key: array_from_str(&p.key),
            crt: array_from_str(&p.crt),
        }
    }
}

impl TryFrom<&name_info> for NameInfo {
    type Error = crate::errno::Error;

    /// `Error::Inval` when a string is not UTF-8.
    fn try_from(n: &name_info) -> Result<NameInfo> {
        Ok(NameInfo {
            name: str_from_array(&n.name)?,
            pol_lb: n.pol_lb,
            s: (&n.s).try_into()?,
            c: (&n.c).try_into()?,
        })
    }
}

impl From<&NameInfo> for name_info {
    /// Strings too long for their arrays are cut.
    fn from(n: &NameInfo) -> Self {
        name_info {
            name: array_from_str(&n.name),
            pol_lb: n.pol_lb,
            s: (&n.s).into(),
            c: (&n.c).into(),
        }
    }
}

impl name_info {
    /// An entry as `irm_list_names` fills it: only `name` (cut to
    /// `NAME_SIZE - 1` bytes, as upstream does) and `pol_lb`; the paths are
    /// zero.
    pub fn listed(n: &NameInfo) -> name_info {
        let mut name = [0; NAME_SIZE + 1];
        super::str_to_array(&n.name, &mut name[..NAME_SIZE]);
        name_info {
            name,
            pol_lb: n.pol_lb,
            s: name_sec_paths::ZERO,
            c: name_sec_paths::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_both_ways() {
        let mut n = NameInfo::new("oping", LB_SPILL);
        n.s.key = "/etc/k.pem".into();
        n.c.crt = "/etc/c.pem".into();
        let c = name_info::from(&n);
        assert_eq!(NameInfo::try_from(&c).unwrap(), n);
    }

    #[test]
    fn listed_names_are_cut_to_254() {
        let long = "x".repeat(300);
        let c = name_info::listed(&NameInfo::new(&long, LB_RR));
        assert_eq!(str_from_array(&c.name).unwrap().len(), NAME_SIZE - 1);
        let c = name_info::listed(&NameInfo::new(&long[..254], LB_RR));
        assert_eq!(str_from_array(&c.name).unwrap().len(), 254);
        let c = name_info::from(&NameInfo::new(&long, LB_RR));
        assert_eq!(str_from_array(&c.name).unwrap().len(), NAME_SIZE);
    }
}

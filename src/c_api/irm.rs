//! `irm.h`: the entries of `irm_list_ipcps`.

use super::ipcp::{ipcp_type, LAYER_NAME_SIZE};
use super::name::NAME_SIZE;
use super::str_to_array;
use crate::ipcp::IpcpListInfo;
use libc::{c_char, pid_t};
use std::mem::{align_of, offset_of, size_of};

/// `struct ipcp_list_info`. Note the arrays are `NAME_SIZE` and
/// `LAYER_NAME_SIZE` long, one less than elsewhere.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ipcp_list_info {
    pub pid: pid_t,
    pub type_: ipcp_type,
    pub name: [c_char; NAME_SIZE],
    pub layer: [c_char; LAYER_NAME_SIZE],
}

const _: () = assert!(size_of::<ipcp_list_info>() == 520 && align_of::<ipcp_list_info>() == 4);
const _: () = assert!(offset_of!(ipcp_list_info, pid) == 0);
const _: () = assert!(offset_of!(ipcp_list_info, type_) == 4);
const _: () = assert!(offset_of!(ipcp_list_info, name) == 8);
const _: () = assert!(offset_of!(ipcp_list_info, layer) == 263);

impl From<&IpcpListInfo> for ipcp_list_info {
    /// Strings are NUL-terminated, cut to 254 bytes when longer (upstream
    /// would overflow the array).
    fn from(i: &IpcpListInfo) -> Self {
        let mut out = ipcp_list_info {
            pid: i.pid,
            type_: i.ipcp_type,
            name: [0; NAME_SIZE],
            layer: [0; LAYER_NAME_SIZE],
        };
        str_to_array(&i.name, &mut out.name);
        str_to_array(&i.layer, &mut out.layer);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::c_api::str_from_array;

    #[test]
    fn strings_fit_their_arrays() {
        let i = IpcpListInfo {
            pid: 42,
            ipcp_type: 1,
            name: "n".repeat(255),
            layer: "Not enrolled.".into(),
            hash_algo: 1,
        };
        let c = ipcp_list_info::from(&i);
        assert_eq!((c.pid, c.type_), (42, 1));
        assert_eq!(str_from_array(&c.name).unwrap().len(), 254);
        assert_eq!(str_from_array(&c.layer).unwrap(), "Not enrolled.");
    }
}

//! `#[repr(C)]` twins of the structures, enums and constants in the public
//! C headers (`include/ouroboros/*.h`), with compile-time layout checks
//! (x86_64 Linux values from the spec) and conversions to the domain types.
//!
//! Names follow the C headers so a reader can match them line by line.
//! C enums are `u32` aliases with one constant per enumerator: a value
//! coming from C may be outside the enum, which a Rust enum cannot hold.

#![allow(non_camel_case_types, non_upper_case_globals)]

pub mod cep;
pub mod fccntl;
pub mod fqueue;
pub mod ipcp;
pub mod irm;
pub mod name;
pub mod proto;
pub mod qos;
pub mod version;

use crate::errno::{Error, Result};
use libc::c_char;

/// The string in a fixed C `char` array: up to the first NUL, or the whole
/// array when it has none. `Error::Inval` when it is not UTF-8.
pub fn str_from_array(a: &[c_char]) -> Result<String> {
    let bytes: Vec<u8> = a
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8(bytes).map_err(|_| Error::Inval)
}

/// Writes `s` into a fixed C `char` array, NUL-terminated and zero-filled,
/// cut to `a.len() - 1` bytes when longer.
pub fn str_to_array(s: &str, a: &mut [c_char]) {
    let n = s.len().min(a.len().saturating_sub(1));
    a.fill(0);
    for (d, &b) in a.iter_mut().zip(&s.as_bytes()[..n]) {
        *d = b as c_char;
    }
}

/// A fixed C `char` array holding `s` (see [`str_to_array`]).
pub fn array_from_str<const N: usize>(s: &str) -> [c_char; N] {
    let mut a = [0; N];
    str_to_array(s, &mut a);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_arrays_round_trip_and_truncate() {
        let a: [c_char; 4] = array_from_str("ab");
        assert_eq!(a, [97, 98, 0, 0]);
        assert_eq!(str_from_array(&a).unwrap(), "ab");
        let a: [c_char; 4] = array_from_str("abcdef");
        assert_eq!(a, [97, 98, 99, 0]);
        // no NUL: the whole array
        assert_eq!(str_from_array(&[120, 121]).unwrap(), "xy");
        assert_eq!(str_from_array(&[-1, 0]), Err(Error::Inval));
    }
}

//! libouroboros-common: the third library of an install, next to
//! libouroboros-dev and libouroboros-irm.
//!
//! Upstream keeps the code its two public libraries and its daemons share
//! in `libouroboros-common.so.0.23`, installs no header for it, and lists
//! it in the DT_NEEDED entries of `-dev` and `-irm`. The installed file set
//! and the dependency graph are part of the drop-in contract, so we ship a
//! library of that name too, and `-dev` and `-irm` are linked against it.
//!
//! What our two libraries share is the core crate (`ouroboros`), which
//! each links statically: Rust code has no stable ABI to share across
//! shared objects. This library therefore only identifies the install.
//! Its exports are internal (no header declares them): our daemons never
//! load upstream's libraries, so nothing needs upstream's 437 symbols.

use std::ffi::{c_char, c_uint};

/// The version string, NUL-terminated.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library's version, `"0.23.0"` (static storage).
#[no_mangle]
pub extern "C" fn ouroboros_common_version() -> *const c_char {
    VERSION.as_ptr().cast()
}

/// The version as `major << 16 | minor << 8 | patch`.
#[no_mangle]
pub extern "C" fn ouroboros_common_version_number() -> c_uint {
    let part = |s: &str| s.parse::<c_uint>().unwrap_or(0);
    let major = part(env!("CARGO_PKG_VERSION_MAJOR"));
    let minor = part(env!("CARGO_PKG_VERSION_MINOR"));
    let patch = part(env!("CARGO_PKG_VERSION_PATCH"));
    (major << 16) | (minor << 8) | patch
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_is_the_workspace_version() {
        // SAFETY: the pointer is to a static NUL-terminated string.
        let s = unsafe { CStr::from_ptr(ouroboros_common_version()) };
        assert_eq!(s.to_str(), Ok("0.23.0"));
        assert_eq!(ouroboros_common_version_number(), 23 << 8);
    }
}

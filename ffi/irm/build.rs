// Gives the shared library upstream's SONAME and links it against
// libouroboros-common (see ffi/common/link.rs).
include!("../common/link.rs");

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libouroboros-irm.so.0.23");
    link_common();
    println!("cargo:rerun-if-changed=build.rs");
}

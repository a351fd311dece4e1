// Gives the shared library upstream's SONAME. Not with
// `rustc-cdylib-link-arg`: cargo passes that one on to the cdylibs of the
// packages depending on this one (ffi/dev, ffi/irm), whose SONAME it would
// then override. `rustc-link-arg` stays with this package (it also reaches
// the unit-test executable, where a SONAME does no harm).
fn main() {
    println!("cargo:rustc-link-arg=-Wl,-soname,libouroboros-common.so.0.23");
    println!("cargo:rerun-if-changed=build.rs");
}

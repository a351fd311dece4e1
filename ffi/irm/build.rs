// Gives the shared library upstream's SONAME.
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libouroboros-irm.so.0.23");
    println!("cargo:rerun-if-changed=build.rs");
}

// Gives the shared library upstream's SONAME, links it against
// libouroboros-common (see ffi/common/link.rs) and compiles the C half of
// fccntl (shim/fccntl.c; see src/fccntl.rs).
use std::path::Path;

include!("../common/link.rs");

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libouroboros-dev.so.0.23");
    link_common();
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=shim/fccntl.c");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let include = dir.join("../../include");
    println!(
        "cargo:rerun-if-changed={}",
        include.join("ouroboros/fccntl.h").display()
    );
    cc::Build::new()
        .file(dir.join("shim/fccntl.c"))
        .include(&include)
        .std("c11")
        // nothing in the shim belongs to the library's ABI
        .flag("-fvisibility=hidden")
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .compile("ouroboros_dev_fccntl");
}

// Build-script helper of ffi/dev and ffi/irm (included with `include!`):
// puts libouroboros-common.so.0.23 in the DT_NEEDED entries of the
// package's cdylib, as upstream's libouroboros-dev and -irm have it.
//
// The package depends on ouroboros-common-ffi, so cargo has built that
// crate's cdylib (deps/libouroboros_common.so, SONAME
// libouroboros-common.so.0.23) before it links this one. The library is
// given to the linker by path with --no-as-needed: nothing in the Rust
// code calls into it, and the entry must stay all the same.
//
// The built library gets RUNPATH $ORIGIN, so the loader looks for
// libouroboros-common.so.0.23 in the directory the library was found in
// (a directory holding the three libraries under their installed names);
// `make install` replaces it with upstream's RUNPATH (PREFIX/LIBDIR, or
// none in a system directory), as CMake replaces its build-tree RPATH.

fn link_common() {
    println!("cargo:rerun-if-changed=../common/link.rs");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    // OUT_DIR is <target dir>/<profile>/build/<package>-<hash>/out
    let profile_dir = out.ancestors().nth(3).expect("target profile dir");
    let lib = profile_dir.join("deps").join("libouroboros_common.so");
    println!(
        "cargo:rustc-cdylib-link-arg=-Wl,--push-state,--no-as-needed,{},--pop-state",
        lib.display()
    );
    println!("cargo:rustc-cdylib-link-arg=-Wl,--enable-new-dtags,-rpath,$ORIGIN");
}

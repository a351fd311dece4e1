//! The committed headers `dev.h`, `fccntl.h`, `fqueue.h` and `cep.h`
//! declare exactly the functions this crate exports, with the same return
//! and parameter types (cbindgen's declarations from `src/` against the
//! headers', after normalising whitespace, `const` placement, typedefs and
//! parameter names), and the built library exports exactly those names
//! (`nm -D --defined-only`) under upstream's SONAME.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const HEADERS: [&str; 4] = ["dev.h", "fccntl.h", "fqueue.h", "cep.h"];

/// Functions declared with `...` in the headers; stable Rust declares them
/// without (see src/fccntl.rs).
const VARIADIC: [&str; 1] = ["fccntl"];

/// The internal halves of `fccntl` (src/fccntl.rs): C-ABI functions of
/// the crate that no header declares and the library must not export.
const INTERNAL: [&str; 2] = ["o7s_dev_fccntl_va", "o7s_dev_fccntl_arg"];

/// Types the Rust side names by their C tag.
const RENAMES: &[(&str, &str)] = &[
    ("qosspec_t", "qosspec_t"),
    ("conn_info", "struct conn_info"),
    ("fqtype", "enum fqtype"),
    ("timespec", "struct timespec"),
];

/// The headers' typedefs, resolved on both sides.
const TYPEDEFS: &[(&str, &str)] = &[("struct flow_set", "fset_t"), ("struct fqueue", "fqueue_t")];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generated() -> String {
    let mut config = cbindgen::Config {
        language: cbindgen::Language::C,
        // opaque types by their typedef names, as the headers use them
        style: cbindgen::Style::Type,
        ..Default::default()
    };
    config.export.exclude = INTERNAL.iter().map(|s| s.to_string()).collect();
    for (from, to) in RENAMES {
        config
            .export
            .rename
            .insert(from.to_string(), to.to_string());
    }
    // lib.rs and the modules it declares
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(manifest_dir().join("src/lib.rs"))
        .generate()
        .expect("cbindgen");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("utf-8")
}

fn strip_comments_and_directives(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    out.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Words and single punctuation characters; `...` is one token.
fn tokens(s: &str) -> Vec<String> {
    let s = s.replace("...", " \u{2026} ");
    let mut out = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() && c != '\u{2026}' || c == '_' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if c == '\u{2026}' {
            out.push("...".into());
        } else if !c.is_whitespace() {
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn is_ident(t: &str) -> bool {
    t.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// A type written as tokens: typedefs resolved, `const` of the base type
/// moved first.
fn norm_type(t: Vec<String>) -> String {
    let mut t = t.join(" ");
    for (tag, name) in TYPEDEFS {
        t = t.replace(tag, name);
    }
    let mut t: Vec<String> = t.split(' ').map(str::to_string).collect();
    let base_end = t.iter().position(|x| x == "*").unwrap_or(t.len());
    if let Some(i) = t[..base_end].iter().position(|x| x == "const") {
        let c = t.remove(i);
        t.insert(0, c);
    }
    t.join(" ")
}

/// Function declarations by name: "ret (param types, ...)".
fn declarations(code: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for decl in strip_comments_and_directives(code).split(';') {
        let t = tokens(decl);
        let Some(open) = t.iter().position(|x| x == "(") else {
            continue;
        };
        if open == 0 || t.last().map(String::as_str) != Some(")") {
            continue;
        }
        let name = t[open - 1].clone();
        let ret = norm_type(t[..open - 1].to_vec());
        let params: Vec<String> = t[open + 1..t.len() - 1]
            .split(|x| x == ",")
            .map(|p| {
                let mut p = p.to_vec();
                if p.len() >= 2 && p.last().is_some_and(|x| is_ident(x)) {
                    p.pop(); // parameter name
                }
                norm_type(p)
            })
            .collect();
        out.insert(name, format!("{ret} ({})", params.join(", ")));
    }
    out
}

/// The header's declarations between `__BEGIN_DECLS` and `__END_DECLS`.
fn header_declarations(header: &str) -> BTreeMap<String, String> {
    let start = header.find("__BEGIN_DECLS").expect("__BEGIN_DECLS");
    let end = header.find("__END_DECLS").expect("__END_DECLS");
    declarations(&header[start + "__BEGIN_DECLS".len()..end])
}

fn all_header_declarations() -> BTreeMap<String, String> {
    let include = manifest_dir().join("../../include/ouroboros");
    let mut all = BTreeMap::new();
    for h in HEADERS {
        let text = std::fs::read_to_string(include.join(h)).expect(h);
        all.extend(header_declarations(&text));
    }
    all
}

/// Ours, with the `...` stable Rust cannot write added back.
fn our_declarations() -> BTreeMap<String, String> {
    let mut ours = declarations(&generated());
    for name in VARIADIC {
        let sig = ours.get_mut(name).expect("variadic function exported");
        assert!(sig.ends_with(')') && !sig.contains("..."), "{name}: {sig}");
        sig.insert_str(sig.len() - 1, ", ...");
    }
    ours
}

/// Every difference between two sets of declarations.
fn differences(header: &BTreeMap<String, String>, ours: &BTreeMap<String, String>) -> Vec<String> {
    let mut diffs = Vec::new();
    for (name, sig) in header {
        match ours.get(name) {
            None => diffs.push(format!("{name}: declared in the headers, not exported")),
            Some(o) if o != sig => diffs.push(format!("{name}: header {sig}, ffi {o}")),
            Some(_) => {}
        }
    }
    for name in ours.keys().filter(|n| !header.contains_key(*n)) {
        diffs.push(format!("{name}: exported, not in the headers"));
    }
    diffs
}

#[test]
fn ffi_declarations_match_the_headers() {
    let header = all_header_declarations();
    assert_eq!(header.len(), 20, "20 functions: {header:#?}");
    assert_eq!(header["fccntl"], "int (int, int, ...)");
    assert_eq!(header["fqueue_destroy"], "void (fqueue_t *)");
    let diffs = differences(&header, &our_declarations());
    assert!(
        diffs.is_empty(),
        "headers and ffi/dev differ:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn normalisation_keeps_types_apart() {
    let a = declarations("bool fset_has(const fset_t * set, int fd);");
    let b = declarations("bool fset_has(struct flow_set const *s, int);");
    assert_eq!(a, b);
    assert_eq!(a["fset_has"], "bool (const fset_t *, int)");
    for wrong in [
        "int fset_has(const fset_t * set, int fd);",
        "bool fset_has(fset_t * set, int fd);",
        "bool fset_has(const fqueue_t * set, int fd);",
        "bool fset_has(const fset_t * set);",
        "bool fset_has(const fset_t * set, int fd, ...);",
    ] {
        let d = differences(&a, &declarations(wrong));
        assert_eq!(d.len(), 1, "{wrong} not caught");
    }
    let v = declarations("int fccntl(int fd, int cmd, ...);");
    assert_eq!(v["fccntl"], "int (int, int, ...)");
}

/// The library this build made.
fn library() -> PathBuf {
    harness::cdylib("libouroboros_dev.so")
}

fn tool(prog: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(prog)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("running {prog}: {e}"));
    assert!(out.status.success(), "{prog} failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn exports_exactly_the_header_functions() {
    let nm = tool("nm", &["-D", "--defined-only"], &library());
    let mut exported: Vec<String> = nm
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect();
    exported.sort();
    let header: Vec<String> = all_header_declarations().into_keys().collect();
    assert_eq!(exported, header, "nm -D --defined-only:\n{nm}");
    for name in INTERNAL {
        assert!(!exported.iter().any(|e| e == name), "{name} exported");
    }
    // every one a function
    for l in nm.lines() {
        assert!(l.split_whitespace().nth(1) == Some("T"), "{l}");
    }
}

#[test]
fn soname_is_upstreams() {
    let dynamic = tool("readelf", &["-d"], &library());
    assert!(
        dynamic.contains("Library soname: [libouroboros-dev.so.0.23]"),
        "{dynamic}"
    );
}

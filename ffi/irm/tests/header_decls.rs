//! The committed `include/ouroboros/irm.h` declares exactly the functions
//! this crate exports, with the same return and parameter types: the
//! declarations cbindgen generates from `src/lib.rs` are compared with the
//! header's, after normalising whitespace, `const` placement and dropping
//! parameter names.

use std::collections::BTreeMap;
use std::path::Path;

const HEADER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../include/ouroboros/irm.h");

/// Types the Rust side names by their C tag or typedef name.
const RENAMES: &[(&str, &str)] = &[
    ("ipcp_config", "struct ipcp_config"),
    ("ipcp_list_info", "struct ipcp_list_info"),
    ("name_info", "struct name_info"),
    ("ipcp_type", "enum ipcp_type"),
];

fn generated() -> String {
    let mut config = cbindgen::Config {
        language: cbindgen::Language::C,
        ..Default::default()
    };
    for (from, to) in RENAMES {
        config
            .export
            .rename
            .insert(from.to_string(), to.to_string());
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(src)
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

fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if !c.is_whitespace() {
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

/// A type written as tokens, with `const` of the base type moved first.
fn norm_type(mut t: Vec<String>) -> String {
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

/// Every difference between two sets of declarations.
fn differences(header: &BTreeMap<String, String>, ours: &BTreeMap<String, String>) -> Vec<String> {
    let mut diffs = Vec::new();
    for (name, sig) in header {
        match ours.get(name) {
            None => diffs.push(format!("{name}: declared in irm.h, not exported")),
            Some(o) if o != sig => diffs.push(format!("{name}: irm.h {sig}, ffi {o}")),
            Some(_) => {}
        }
    }
    for name in ours.keys().filter(|n| !header.contains_key(*n)) {
        diffs.push(format!("{name}: exported, not in irm.h"));
    }
    diffs
}

#[test]
fn ffi_declarations_match_irm_h() {
    let header = std::fs::read_to_string(HEADER).expect("irm.h");
    let header = header_declarations(&header);
    let ours = declarations(&generated());
    assert_eq!(header.len(), 16, "irm.h declares 16 functions: {header:#?}");
    let diffs = differences(&header, &ours);
    assert!(
        diffs.is_empty(),
        "irm.h and ffi/irm differ:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn normalisation_keeps_types_apart() {
    let a = declarations("pid_t irm_create_ipcp(const char * name, enum ipcp_type type);");
    let b = declarations("pid_t irm_create_ipcp(char const *n, enum ipcp_type t);");
    assert_eq!(a, b);
    assert_eq!(a["irm_create_ipcp"], "pid_t (const char *, enum ipcp_type)");
    for wrong in [
        "int irm_create_ipcp(const char *name, enum ipcp_type type);",
        "pid_t irm_create_ipcp(char *name, enum ipcp_type type);",
        "pid_t irm_create_ipcp(const char *name, uint32_t type);",
        "pid_t irm_create_ipcp(const char *name);",
        "pid_t irm_create_ipcp(const char **name, enum ipcp_type type);",
    ] {
        let d = differences(&a, &declarations(wrong));
        assert_eq!(d.len(), 1, "{wrong} not caught");
    }
    let d = differences(&a, &declarations("int irm_extra(void);"));
    assert_eq!(d.len(), 2);
}

//! A parsed configuration document with upstream's traversal order.
//!
//! Upstream's TOML library lists a table's keys by kind first (plain
//! values, then arrays, then tables) and, within a kind, in the order the
//! key first appeared in the file. The `toml` crate keeps keys sorted, but
//! every key carries its source span, so the order is rebuilt from those
//! positions: a key's first appearance is the earliest position of the key
//! itself or of any key below it (a `[name]` header that follows
//! `[name.a]` re-inserts `name` with the later span, while `a` still
//! remembers the earlier one).

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One value of the document, typed the way the lookups need it.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    /// `None` for an integer that does not fit in 64 bits (upstream's
    /// integer lookup fails on those, as if the key were absent).
    Int(Option<i64>),
    Bool(bool),
    Arr(Vec<Val>),
    Tab(Table),
    /// Floats and date-times: never what a key of this file wants.
    Other,
}

/// A table with its entries in upstream's traversal order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub entries: Vec<(String, Val)>,
}

/// Why the file could not be parsed: a message in upstream's
/// "line N: what" form.
#[derive(Debug)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Table {
    /// Parses a whole document.
    pub fn parse(text: &str) -> Result<Table, ParseError> {
        match DeTable::parse(text) {
            Ok(doc) => Ok(convert_table(doc.get_ref()).1),
            Err(e) => {
                let line = e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                    .unwrap_or(0);
                Err(ParseError(format!("line {}: {}", line, e.message().trim())))
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A string value; absent when missing or of another type.
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Val::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// An integer value; absent when missing, of another type or too big.
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(Val::Int(i)) => *i,
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Val::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn array(&self, key: &str) -> Option<&[Val]> {
        match self.get(key) {
            Some(Val::Arr(a)) => Some(a),
            _ => None,
        }
    }
}

/// The leading strings of an array: upstream reads elements by index until
/// the first one that is not a string.
pub fn leading_strings(arr: &[Val]) -> Vec<&str> {
    arr.iter()
        .map_while(|v| match v {
            Val::Str(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

/// Kind rank in upstream's key listing: values, arrays, tables.
fn kind(v: &Val) -> u8 {
    match v {
        Val::Arr(_) => 1,
        Val::Tab(_) => 2,
        _ => 0,
    }
}

/// Converts a table; also gives the earliest key position inside it.
fn convert_table(t: &DeTable<'_>) -> (usize, Table) {
    let mut first = usize::MAX;
    let mut items: Vec<(u8, usize, String, Val)> = Vec::with_capacity(t.len());
    for (k, v) in t.iter() {
        let (inner, val) = convert_value(v);
        let pos = k.span().start.min(inner);
        first = first.min(pos);
        items.push((kind(&val), pos, k.get_ref().to_string(), val));
    }
    items.sort_by_key(|(kind, pos, _, _)| (*kind, *pos));
    let entries = items.into_iter().map(|(_, _, k, v)| (k, v)).collect();
    (first, Table { entries })
}

/// Converts a value; also gives the earliest key position inside it
/// (`usize::MAX` for scalars).
fn convert_value(v: &Spanned<DeValue<'_>>) -> (usize, Val) {
    match v.get_ref() {
        DeValue::String(s) => (usize::MAX, Val::Str(s.to_string())),
        DeValue::Integer(i) => (
            usize::MAX,
            Val::Int(i64::from_str_radix(i.as_str(), i.radix()).ok()),
        ),
        DeValue::Boolean(b) => (usize::MAX, Val::Bool(*b)),
        DeValue::Float(_) | DeValue::Datetime(_) => (usize::MAX, Val::Other),
        DeValue::Array(a) => {
            let mut first = usize::MAX;
            let mut out = Vec::with_capacity(a.len());
            for e in a.iter() {
                let (p, val) = convert_value(e);
                first = first.min(p);
                out.push(val);
            }
            (first, Val::Arr(out))
        }
        DeValue::Table(t) => {
            let (p, tab) = convert_table(t);
            (p, Val::Tab(tab))
        }
    }
}

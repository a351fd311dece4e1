//! A program record, keyed by the basename of its path.

pub struct Prog {
    pub name: String,
    pub path: String,
    /// Names it is bound to.
    pub names: Vec<String>,
}

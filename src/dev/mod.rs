//! The application side of Ouroboros: what every program using the
//! library does (announce itself to the IRMd at start, say goodbye at
//! exit). Flows follow in `dev::flow`.

pub mod proc;

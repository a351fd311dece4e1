//! libouroboros-dev: the C ABI of `dev.h`, `fccntl.h`, `fqueue.h` and
//! `cep.h` over `ouroboros::dev`.
//!
//! Each function only converts: C pointers, `struct timespec` timeouts and
//! `qosspec_t` in, negative errno values out. The checks upstream makes
//! before it looks at a flow (NULL arguments, descriptor ranges) are made
//! here, in upstream's order; everything else is the core's.
//!
//! No panic crosses into C: the functions that never wait catch panics
//! and return -1, the ones that can wait (flows, `fevent`, `cep_*`) let a
//! thread cancellation unwind through them as upstream's do, so a panic
//! there aborts the process instead (see `ffi::cancellable`).
//!
//! Loading the library starts the process's Ouroboros state and unloading
//! it stops it (src/load.rs), as upstream's `.init_array`/`.fini_array`
//! functions do. The same holds for a Rust program that links this crate
//! as an rlib and uses it.
//!
//! The only C in the library is the variadic half of `fccntl` (see
//! [`fccntl`]).
//!
//! Exported: exactly the 20 functions the four headers declare.
//!
//! Beyond upstream, which would crash or send garbage: a NULL name,
//! strings that are not UTF-8, a NULL `buf` for `flow_read` with a
//! non-zero `count`, and a NULL length pointer for `FLOWGRXQLEN` /
//! `FLOWGTXQLEN` give `-EINVAL`.

mod cep;
mod fccntl;
mod ffi;
mod flow;
mod fqueue;
mod load;

pub use cep::{cep_rcv, cep_snd};
pub use fccntl::fccntl;
pub use flow::{flow_accept, flow_alloc, flow_dealloc, flow_join, flow_read, flow_write};
pub use fqueue::{
    fevent, fqueue_create, fqueue_destroy, fqueue_next, fqueue_t, fqueue_type, fset_add,
    fset_create, fset_del, fset_destroy, fset_has, fset_t, fset_zero,
};

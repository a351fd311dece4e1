//! libouroboros-irm: C ABI of `irm.h` over `ouroboros::irm`.

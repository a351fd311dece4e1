//! Shared memory of the data path (upstream `ssm`): packet pools, per-flow
//! ring buffers and per-process flow sets, byte-compatible with 0.23.0.

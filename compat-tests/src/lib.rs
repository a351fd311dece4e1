//! Test harness: private Ouroboros systems in their own namespaces.

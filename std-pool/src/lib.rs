#![deny(missing_docs)]
//! # ringpool
//!
//! The std worker pool over [`ringpool_core`].

//! Benchmarks of ringpool against its peers.

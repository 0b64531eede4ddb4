//! loom models of ringpool's core and of every sleep/wake protocol; they
//! live in `tests/` and run only with `RUSTFLAGS="--cfg loom"`.

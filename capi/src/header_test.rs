//! The checked-in `include/ringpool.h` must equal what cbindgen generates
//! now (build.rs writes it to `OUT_DIR`). `RINGPOOL_UPDATE_HEADER=1 cargo
//! test -p ringpool-capi header` rewrites it.

#[test]
fn checked_in_header_is_fresh() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/ringpool.h"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/ringpool.h");
    if std::env::var_os("RINGPOOL_UPDATE_HEADER").is_some() {
        std::fs::write(path, generated).expect("write include/ringpool.h");
        return;
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "capi/include/ringpool.h is stale: regenerate it with \
         `RINGPOOL_UPDATE_HEADER=1 cargo test -p ringpool-capi header` and commit it"
    );
}

//! Turns on the tests that need real services when their URLs are set at
//! build time: `herald_pg` with `HERALD_TEST_DATABASE_URL` (PostgreSQL),
//! `herald_redis` with `HERALD_TEST_REDIS_URL` (Redis). Without them those
//! tests are compiled but marked ignored, so `cargo test` reports them as
//! ignored rather than passing them silently.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(herald_pg)");
    println!("cargo::rustc-check-cfg=cfg(herald_redis)");
    println!("cargo::rerun-if-changed=build.rs");
    for (var, cfg) in [
        ("HERALD_TEST_DATABASE_URL", "herald_pg"),
        ("HERALD_TEST_REDIS_URL", "herald_redis"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}

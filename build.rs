//! Turns on the tests that need real services when their URLs are set at
//! build time: `herald_pg` with `HERALD_TEST_DATABASE_URL` (PostgreSQL),
//! `herald_redis` with `HERALD_TEST_REDIS_URL` (Redis). Without them those
//! tests are compiled but marked ignored, so `cargo test` reports them as
//! ignored rather than passing them silently.
//!
//! It also records the git commit the binary is built from
//! (`HERALD_GIT_COMMIT`, shown by `herald --version`), or `unknown` when the
//! source is not a git checkout.

use std::process::Command;

fn main() {
    git_commit();
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

fn git_commit() {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo::rustc-env=HERALD_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves: HEAD itself, the branch it names, packed
    // refs. Only files that exist: a missing one would rerun every build.
    let branch = git(&["symbolic-ref", "-q", "HEAD"]);
    let watched = ["HEAD", "packed-refs"]
        .into_iter()
        .chain(branch.as_deref())
        .filter_map(|name| git(&["rev-parse", "--git-path", name]));
    for path in watched.filter(|path| std::path::Path::new(path).exists()) {
        println!("cargo::rerun-if-changed={path}");
    }
}

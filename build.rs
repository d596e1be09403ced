//! Turns on the tests that need real services when their URLs are set at
//! build time: `herald_pg` with `HERALD_TEST_DATABASE_URL` (PostgreSQL),
//! `herald_redis` with `HERALD_TEST_REDIS_URL` (Redis). `herald_tls` turns
//! on the TLS tests, which start servers of their own, when this machine
//! has PostgreSQL's `initdb` and `pg_ctl` and a `redis-server` built with
//! TLS; it also tells them where those programs are (`HERALD_TLS_PG_BIN`,
//! `HERALD_TLS_REDIS_SERVER`). Without them those tests are compiled but
//! marked ignored, so `cargo test` reports them as ignored rather than
//! passing them silently.
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
    tls_servers::detect();
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

/// Finds the servers the TLS tests start: `initdb` and `pg_ctl` on `PATH`
/// or in Debian's `/usr/lib/postgresql/<version>/bin`, and a
/// `redis-server` on `PATH` that links OpenSSL (a Redis built without TLS
/// accepts `--tls-port` and then refuses to start).
mod tls_servers {
    use std::path::{Path, PathBuf};

    pub fn detect() {
        println!("cargo::rustc-check-cfg=cfg(herald_tls)");
        println!("cargo::rerun-if-env-changed=PATH");
        let (Some(pg_bin), Some(redis)) = (postgres_bin(), redis_server_with_tls()) else {
            return;
        };
        for program in [pg_bin.join("initdb"), pg_bin.join("pg_ctl"), redis.clone()] {
            println!("cargo::rerun-if-changed={}", program.display());
        }
        println!("cargo::rustc-cfg=herald_tls");
        println!("cargo::rustc-env=HERALD_TLS_PG_BIN={}", pg_bin.display());
        println!(
            "cargo::rustc-env=HERALD_TLS_REDIS_SERVER={}",
            redis.display()
        );
    }

    /// The directories of `PATH`, then Debian's PostgreSQL versions,
    /// newest first.
    fn postgres_bin() -> Option<PathBuf> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|dir| {
                dir.flatten()
                    .map(|entry| entry.path().join("bin"))
                    .collect()
            })
            .unwrap_or_default();
        versions.sort_by_key(|dir| std::cmp::Reverse(version_of(dir)));
        path_dirs()
            .into_iter()
            .chain(versions)
            .find(|dir| is_program(&dir.join("initdb")) && is_program(&dir.join("pg_ctl")))
    }

    /// The major version in `/usr/lib/postgresql/<version>/bin`.
    fn version_of(bin: &Path) -> u32 {
        bin.parent()
            .and_then(Path::file_name)
            .and_then(|name| name.to_str()?.parse().ok())
            .unwrap_or(0)
    }

    fn redis_server_with_tls() -> Option<PathBuf> {
        let redis = path_dirs()
            .into_iter()
            .map(|dir| dir.join("redis-server"))
            .find(|program| is_program(program))?;
        let binary = std::fs::read(&redis).ok()?;
        let links_openssl = binary
            .windows(b"SSL_CTX_new".len())
            .any(|window| window == b"SSL_CTX_new");
        links_openssl.then_some(redis)
    }

    fn path_dirs() -> Vec<PathBuf> {
        std::env::var_os("PATH")
            .map(|path| std::env::split_paths(&path).collect())
            .unwrap_or_default()
    }

    fn is_program(path: &Path) -> bool {
        let Ok(meta) = std::fs::metadata(path) else {
            return false;
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            meta.is_file() && meta.permissions().mode() & 0o111 != 0
        }
        #[cfg(not(unix))]
        meta.is_file()
    }
}

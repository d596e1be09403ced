//! What TLS refuses: a plain connection to a TLS-only PostgreSQL, a server
//! certificate that does not chain to a trusted CA, and a Redis CA file
//! that is missing, holds no certificate or has no rediss:// broker to
//! serve (refused at start, naming the file).

use herald::{broker::redis_client, config::Config, store::Store};

use super::servers::{TestCa, TlsPostgres, TlsRedis};
use crate::kit::{spawn_app_with, stores::until_ready};

/// Why Herald refuses to start on the database at `url`, as it reports
/// it (the whole chain of causes).
async fn start_error(url: String) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_data_dir(dir.path());
    config.database_url = Some(url);
    let err = herald::build(config).await.err().expect("refused at start");
    format!("{err:#}")
}

#[tokio::test]
#[cfg_attr(
    not(herald_tls),
    ignore = "needs initdb, pg_ctl and a TLS-capable redis-server"
)]
async fn postgres_without_tls_or_without_the_ca_is_refused() {
    let ca = TestCa::new();
    let postgres = TlsPostgres::start(&ca);

    let err = start_error(postgres.url("sslmode=disable")).await;
    assert!(err.contains("no pg_hba.conf entry"), "{err}");
    assert!(err.contains("no encryption"), "{err}");

    // The web roots do not include the test's CA.
    let err = start_error(postgres.url("sslmode=verify-full")).await;
    assert!(err.contains("UnknownIssuer"), "{err}");

    let url = postgres.url(&format!(
        "sslmode=verify-full&sslrootcert={}",
        ca.file().display()
    ));
    let store = Store::connect(&url)
        .await
        .expect("TLS with the CA connects");
    assert!(store.ping(crate::kit::WAIT).await);
}

#[tokio::test]
#[cfg_attr(
    not(herald_tls),
    ignore = "needs initdb, pg_ctl and a TLS-capable redis-server"
)]
async fn rediss_without_the_ca_is_refused_and_with_it_serves() {
    let ca = TestCa::new();
    let redis = TlsRedis::start(&ca).await;

    let untrusting = redis_client(&redis.url(), None).unwrap();
    let Err(err) = untrusting.get_multiplexed_async_connection().await else {
        panic!("a server certificate from an unknown CA was accepted");
    };
    let err = err.to_string();
    assert!(
        err.contains("invalid peer certificate: UnknownIssuer"),
        "{err}"
    );
    // A replica that does not trust the CA never gets its broker.
    let without_ca = spawn_app_with(|config| config.broker = redis.url()).await;
    let ready = without_ca
        .http
        .get(without_ca.url("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.text().await.unwrap(), "broker unreachable");

    let with_ca = spawn_app_with(|config| {
        config.broker = redis.url();
        config.redis_ca_file = Some(ca.file());
    })
    .await;
    until_ready(&with_ca).await;
}

#[tokio::test]
async fn a_redis_ca_file_that_is_missing_or_holds_no_certificate_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("not-pem.pem");
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    let broken = dir.path().join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.pem");
    for (file, reason) in [
        (&not_pem, "holds no PEM certificate"),
        (&broken, "reading the Redis CA file"),
        (&missing, "reading the Redis CA file"),
    ] {
        let mut config = Config::for_data_dir(dir.path().join("data"));
        config.broker = "rediss://127.0.0.1:1".into();
        config.redis_ca_file = Some(file.clone());
        let err = herald::build(config).await.err().expect("refused at start");
        let err = format!("{err:#}");
        assert!(err.contains(reason), "{err}");
        assert!(err.contains(&file.display().to_string()), "{err}");
    }

    // A CA file for a broker that is not rediss:// is a mistake, not a no-op.
    let mut config = Config::for_data_dir(dir.path().join("data"));
    config.redis_ca_file = Some(not_pem);
    let err = herald::build(config).await.err().expect("refused at start");
    assert!(
        err.to_string()
            .contains("--redis-ca-file needs a rediss://"),
        "{err}"
    );
}

//! Two replicas that reach PostgreSQL and Redis only over TLS, each
//! server checked against the deployment's own CA: a notification
//! committed on one replica reaches a subscriber on the other.

use herald::config::Config;

use super::servers::{TestCa, TlsPostgres, TlsRedis};
use crate::kit::stores::{SharedBroker, replica_with, unique_prefix, until_ready};

#[tokio::test]
#[cfg_attr(
    not(herald_tls),
    ignore = "needs initdb, pg_ctl and a TLS-capable redis-server"
)]
async fn a_notification_committed_on_one_replica_reaches_the_other_over_tls_only_stores() {
    let ca = TestCa::new();
    let postgres = TlsPostgres::start(&ca);
    let redis = TlsRedis::start(&ca).await;
    let database = postgres.url(&format!(
        "sslmode=verify-full&sslrootcert={}",
        ca.file().display()
    ));
    let broker = SharedBroker::Redis {
        prefix: unique_prefix(),
    };
    let trust_the_ca = |config: &mut Config| config.redis_ca_file = Some(ca.file());
    let a = replica_with(database.clone(), &broker, redis.url(), trust_the_ca).await;
    let b = replica_with(database, &broker, redis.url(), trust_the_ca).await;
    until_ready(&a).await;
    until_ready(&b).await;

    let alice = a.sign_up("Alice").await;
    let bob = a.sign_up("Bob").await;
    let mut bob_on_b = b.ws(&bob.token).await;
    bob_on_b
        .subscribe_notifications(&b, "bob", &bob, None)
        .await;
    let board = a.board_with(&alice, &[&bob]).await;
    let card = a.card(&alice, &board, "Ship v1").await;
    a.assign(&alice, &card, &bob).await;

    let note = bob_on_b.next_notification("bob").await;
    assert_eq!(note["message"], "Alice assigned you to the card “Ship v1”");
    bob_on_b.assert_quiet().await;
}

//! Logging out on one replica closes the connections that use the revoked
//! tokens on every replica, on both brokers, and every replica refuses
//! those tokens from then on.

use serde_json::json;

use crate::{
    kit::error_code,
    kit::stores::{Backend, SharedBroker, TestDb, replica, unique_prefix},
};

const ME: &str = "{ me { id } }";

async fn revocations_reach_every_replica(broker: SharedBroker) {
    let db = TestDb::new(Backend::Postgres).await;
    let a = replica(&db, &broker).await;
    let b = replica(&db, &broker).await;
    let bob = a.sign_up("Bob").await;
    let phone = b.log_in("bob@example.com").await;

    // Bob's laptop session is connected to B, his phone's to A.
    let mut laptop_on_b = b.ws(&bob.token).await;
    laptop_on_b
        .subscribe_notifications(&b, "1", &bob, None)
        .await;
    let mut phone_on_a = a.ws(&phone).await;
    phone_on_a
        .subscribe_notifications(&a, "1", &bob, None)
        .await;

    // The laptop logs out through A: B closes the laptop's socket.
    a.ok(Some(&bob.token), "mutation { logOut }", json!({}))
        .await;
    assert_eq!(laptop_on_b.close_code().await, Some(4403));
    for replica in [&a, &b] {
        let refused = replica.gql(Some(&bob.token), ME, json!({})).await;
        assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");
        replica.ok(Some(&phone), ME, json!({})).await;
    }

    // The phone logs out everywhere through B: A closes the phone's socket.
    let tablet = a.log_in("bob@example.com").await;
    let mut tablet_on_b = b.ws(&tablet).await;
    b.ok(Some(&phone), "mutation { logOutEverywhere }", json!({}))
        .await;
    assert_eq!(phone_on_a.close_code().await, Some(4403));
    assert_eq!(tablet_on_b.close_code().await, Some(4403));
    for replica in [&a, &b] {
        for token in [&phone, &tablet] {
            let refused = replica.gql(Some(token), ME, json!({})).await;
            assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");
        }
    }
    // A new log-in, on either replica, works everywhere.
    let fresh = b.log_in("bob@example.com").await;
    a.ok(Some(&fresh), ME, json!({})).await;
}

#[tokio::test]
#[cfg_attr(
    not(all(herald_pg, herald_redis)),
    ignore = "set HERALD_TEST_DATABASE_URL and HERALD_TEST_REDIS_URL"
)]
async fn redis_revocations_reach_every_replica() {
    revocations_reach_every_replica(SharedBroker::Redis {
        prefix: unique_prefix(),
    })
    .await;
}

#[tokio::test]
#[cfg_attr(not(herald_pg), ignore = "set HERALD_TEST_DATABASE_URL")]
async fn listen_notify_revocations_reach_every_replica() {
    revocations_reach_every_replica(SharedBroker::Postgres).await;
}

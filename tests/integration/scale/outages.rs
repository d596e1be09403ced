//! Outages that must neither hang requests nor lose anything: the
//! database going away, and a replica's Redis outbox overflowing while it
//! is cut off.

use serde_json::json;

use crate::{
    kit::stores::{
        Backend, RedisUser, SharedBroker, TcpProxy, TestDb, address_of, replica, replica_with,
        unique_prefix, with_port,
    },
    kit::{TestApp, WAIT, error_code, spawn_app_with},
};

/// The status of the replica's `/readyz`, which must answer even when a
/// dependency does not.
async fn readiness(app: &TestApp) -> u16 {
    tokio::time::timeout(WAIT, app.http.get(app.url("/readyz")).send())
        .await
        .expect("/readyz answers")
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
#[cfg_attr(not(herald_pg), ignore = "set HERALD_TEST_DATABASE_URL")]
async fn a_database_that_goes_away_is_reported_not_waited_for() {
    let db = TestDb::new(Backend::Postgres).await;
    let proxy = TcpProxy::start(address_of(&db.url).await).await;
    let url = with_port(&db.url, proxy.port);
    let app = spawn_app_with(move |config| config.database_url = Some(url)).await;
    let alice = app.sign_up("Alice").await;
    assert_eq!(readiness(&app).await, 200);

    proxy.take_away().await;

    // Queries, mutations and the readiness check all answer, with a code
    // that tells the client to come back later, within the acquire
    // timeout (2 s) rather than sqlx's default 30 s.
    for query in [
        "{ me { name } }",
        "mutation { createBoard(name: \"during the outage\") { id } }",
    ] {
        let body = tokio::time::timeout(WAIT, app.gql(Some(&alice.token), query, json!({})))
            .await
            .expect("the request answers");
        assert_eq!(error_code(&body), "SERVICE_UNAVAILABLE", "{body}");
    }
    assert_eq!(readiness(&app).await, 503);
}

#[tokio::test]
#[cfg_attr(
    not(all(herald_pg, herald_redis)),
    ignore = "set HERALD_TEST_DATABASE_URL and HERALD_TEST_REDIS_URL"
)]
async fn a_full_redis_outbox_drops_events_and_every_replica_rereads_the_store() {
    let db = TestDb::new(Backend::Postgres).await;
    let broker = SharedBroker::Redis {
        prefix: unique_prefix(),
    };
    let user = RedisUser::new().await;
    let b = replica(&db, &broker).await;
    // A keeps at most 3 events for Redis.
    let a = replica_with(db.url.clone(), &broker, user.url(), |config| {
        config.redis_outbox_max = 3;
    })
    .await;
    let alice = b.sign_up("Alice").await;
    let bob = b.sign_up("Bob").await;
    let board = b.board_with(&alice, &[&bob]).await;
    let card = b.card(&alice, &board, "Ship v1").await;
    b.assign(&alice, &card, &bob).await;
    let mut bob_b = b.ws(&bob.token).await;
    bob_b.subscribe_notifications(&b, "b", &bob, None).await;

    // A is cut off from Redis while Alice edits the card on A six times:
    // three events wait in A's outbox, three are dropped.
    assert!(user.lock_out().await >= 1, "A had no Redis connection");
    for i in 1..=6 {
        a.update_title(&alice, &card, &format!("Ship v1.{i}")).await;
    }
    user.let_in().await;

    // Bob, on B (which never lost Redis), still gets all six, in order:
    // the dropped ones from the store, when A's resync request arrives.
    let stored: Vec<String> = {
        let mut inbox: Vec<String> = b.inbox(&bob).await.into_iter().map(|(c, _, _)| c).collect();
        inbox.reverse();
        inbox
    };
    assert_eq!(stored.len(), 7, "the assignment and six updates");
    for expected in &stored[1..] {
        let got = bob_b.next_notification("b").await;
        assert_eq!(got["cursor"], expected.as_str(), "{got}");
    }
    bob_b.assert_quiet().await;
}

//! A push survives its server being killed between the commit of its
//! notification and the send: the real `herald` binary queues it, is
//! killed with SIGKILL, and the next process on the same data directory
//! sends it.

use serde_json::{Value, json};

use crate::kit::{process::HeraldProcess, push_service::PushService};

#[tokio::test]
async fn a_push_queued_before_a_kill_is_sent_by_the_next_process() {
    // The first process sends nothing (`--push-sender false`): whatever it
    // queues is still queued when it dies.
    let mut first =
        HeraldProcess::start(&["--push-sender", "false", "--push-http-hosts", "127.0.0.1"]).await;
    let key = first.ok(None, "{ webPushPublicKey }", json!({})).await["webPushPublicKey"]
        .as_str()
        .unwrap()
        .to_owned();
    let service = PushService::start(&key).await;
    let alice = first.sign_up("Alice").await;
    let bob = first.sign_up("Bob").await;
    let card = first.shared_card(&alice, &bob).await;
    let browser = service.subscribe();
    first
        .ok(
            Some(&bob.token),
            "mutation($e: String!, $p: String!, $a: String!) { \
             registerPushSubscription(endpoint: $e, p256dh: $p, auth: $a) { id } }",
            json!({"e": browser.endpoint, "p": browser.p256dh, "a": browser.auth}),
        )
        .await;
    first.assign(&alice, &card, &bob).await;
    first.kill();
    assert_eq!(service.requests(), 0, "nothing was sent before the kill");

    // The same data directory, so the same store and the same VAPID key.
    let _next =
        HeraldProcess::start_in(first.data_dir(), &["--push-http-hosts", "127.0.0.1"]).await;
    let received = service.next_received().await;
    assert_eq!(received.status, 201);
    let payload: Value = serde_json::from_slice(received.payload.as_ref().unwrap()).unwrap();
    assert_eq!(
        payload["message"],
        "Alice assigned you to the card “Ship v1”"
    );
    assert_eq!(payload["kind"], "CARD_ASSIGNED");
}

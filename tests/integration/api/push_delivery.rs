//! Web Push delivery, end to end: a user registers a browser's push
//! subscription over GraphQL, and a push service played by the test (it
//! verifies the VAPID token with Herald's public key and decrypts the
//! payload with the browser's private key) receives each notification of
//! theirs once, while they have no tab open.

use std::time::Duration;

use serde_json::{Value, json};

use crate::kit::{
    TestApp, TestUser, error_code, push_service::Browser, push_service::PushService, shared_card,
    spawn_app_with, wait_for_subscriptions,
};

/// How long the tests listen for a push that must not come: longer than
/// the sender's poll, so that a queued push would have been sent.
const QUIET: Duration = Duration::from_millis(2500);

const REGISTER: &str = "mutation($e: String!, $p: String!, $a: String!) { \
     registerPushSubscription(endpoint: $e, p256dh: $p, auth: $a) { id endpoint createdAt } }";

async fn register(app: &TestApp, user: &TestUser, browser: &Browser) -> Value {
    app.gql(
        Some(&user.token),
        REGISTER,
        json!({"e": browser.endpoint, "p": browser.p256dh, "a": browser.auth}),
    )
    .await
}

/// A server that accepts push endpoints on loopback, changed by
/// `configure`, and a push service that expects its key.
async fn push_app(configure: impl FnOnce(&mut herald::config::Config)) -> (TestApp, PushService) {
    let app = spawn_app_with(|config| {
        config.push.push_http_hosts = vec!["127.0.0.1".into()];
        configure(config);
    })
    .await;
    let key = public_key(&app).await;
    (app, PushService::start(&key).await)
}

async fn public_key(app: &TestApp) -> String {
    app.ok(None, "{ webPushPublicKey }", json!({})).await["webPushPublicKey"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Alice and Bob, and Alice's card "Ship v1" on a board Bob is a member
/// of; returns them and the card.
async fn alice_card_with_bob(app: &TestApp) -> (TestUser, TestUser, String) {
    let (alice, bob) = (app.sign_up("Alice").await, app.sign_up("Bob").await);
    let board = app.board_with(&alice, &[&bob]).await;
    let card = app.card(&alice, &board, "Ship v1").await;
    (alice, bob, card)
}

/// The decrypted payload of a push the service accepted.
fn payload(received: &crate::kit::push_service::Received) -> Value {
    let bytes = received.payload.as_ref().expect("a decrypted payload");
    serde_json::from_slice(bytes).expect("a JSON payload")
}

/// Waits until the sender has finished every queued push (it records the
/// outcome just after the push service answers).
async fn until_nothing_pending(app: &TestApp) {
    let deadline = tokio::time::Instant::now() + crate::kit::WAIT;
    while app.services.store.pending_pushes().await.unwrap() != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "pushes still queued"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn newest_notification(app: &TestApp, user: &TestUser) -> Value {
    app.ok(
        Some(&user.token),
        "{ notifications(first: 1) { edges { node { id message groupKey } } } }",
        json!({}),
    )
    .await["notifications"]["edges"][0]["node"]
        .clone()
}

#[tokio::test]
async fn a_user_with_no_tab_open_gets_each_notification_pushed_once() {
    let (app, service) = push_app(|_| {}).await;
    let (alice, bob, card) = alice_card_with_bob(&app).await;
    let browser = service.subscribe();
    let registered = register(&app, &bob, &browser).await;
    assert_eq!(
        registered["data"]["registerPushSubscription"]["endpoint"],
        browser.endpoint.as_str(),
        "{registered}"
    );

    app.assign(&alice, &card, &bob).await;
    let pushed = service.next_received().await;
    assert_eq!(pushed.status, 201);
    assert_eq!(pushed.browser, browser.id);
    let claims = pushed.claims.as_ref().expect("a verified VAPID token");
    assert_eq!(claims["aud"], service.origin());
    assert_eq!(claims["sub"], "mailto:push@herald.invalid");
    let stored = newest_notification(&app, &bob).await;
    let body = payload(&pushed);
    assert_eq!(body["id"], stored["id"]);
    assert_eq!(body["message"], "Alice assigned you to the card “Ship v1”");
    assert_eq!(body["kind"], "CARD_ASSIGNED");
    assert_eq!(body["groupKey"], stored["groupKey"]);

    app.update_title(&alice, &card, "Ship v2").await;
    let second = payload(&service.next_received().await);
    assert_eq!(second["message"], "Alice updated the card “Ship v2”");
    assert!(service.received_within(QUIET).await.is_none(), "each once");
    until_nothing_pending(&app).await;
    // Alice, the actor, registered nothing and was told nothing.
    assert_eq!(service.requests(), 2);
}

#[tokio::test]
async fn no_push_while_the_user_has_a_live_connection() {
    let (app, service) = push_app(|_| {}).await;
    let (alice, bob, card) = alice_card_with_bob(&app).await;
    register(&app, &bob, &service.subscribe()).await;

    let mut tab = app.ws(&bob.token).await;
    tab.subscribe_notifications(&app, "n", &bob, None).await;
    app.assign(&alice, &card, &bob).await;
    let live = tab.next_notification("n").await;
    assert_eq!(live["message"], "Alice assigned you to the card “Ship v1”");
    assert!(
        service.received_within(QUIET).await.is_none(),
        "the tab showed it"
    );
    until_nothing_pending(&app).await;

    // The tab closes: the next one is pushed.
    drop(tab);
    wait_for_subscriptions(&app, 0).await;
    app.update_title(&alice, &card, "Ship v2").await;
    let pushed = payload(&service.next_received().await);
    assert_eq!(pushed["message"], "Alice updated the card “Ship v2”");
}

#[tokio::test]
async fn with_push_always_an_open_tab_does_not_stop_the_push() {
    let (app, service) = push_app(|config| {
        config.push.push_when = herald::config::PushWhen::Always;
    })
    .await;
    let (alice, bob, card) = alice_card_with_bob(&app).await;
    register(&app, &bob, &service.subscribe()).await;
    let mut tab = app.ws(&bob.token).await;
    tab.subscribe_notifications(&app, "n", &bob, None).await;
    app.assign(&alice, &card, &bob).await;
    tab.next_notification("n").await;
    let pushed = payload(&service.next_received().await);
    assert_eq!(pushed["kind"], "CARD_ASSIGNED");
}

#[tokio::test]
async fn a_failing_push_service_is_tried_again_and_a_gone_subscription_removed() {
    use crate::kit::push_service::Answer;
    let (app, service) = push_app(|_| {}).await;
    let (alice, bob, card) = alice_card_with_bob(&app).await;
    let flaky = service.subscribe();
    service.script(
        &flaky,
        &[Answer::status(500).retry_after("0")],
        Answer::status(201),
    );
    let gone = service.subscribe();
    service.script(&gone, &[], Answer::status(410));
    register(&app, &bob, &flaky).await;
    register(&app, &bob, &gone).await;

    app.assign(&alice, &card, &bob).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let received = service.next_received().await;
        seen.push((
            received.browser.clone(),
            received.status,
            payload(&received)["message"].clone(),
        ));
    }
    seen.sort_by_key(|(browser, status, _)| (browser.clone(), *status));
    let message = json!("Alice assigned you to the card “Ship v1”");
    assert_eq!(
        seen,
        [
            (flaky.id.clone(), 201, message.clone()),
            (flaky.id.clone(), 500, message.clone()),
            (gone.id.clone(), 410, message.clone()),
        ],
        "the 500 is retried, the 410 is not"
    );
    let listed = app
        .ok(
            Some(&bob.token),
            "{ pushSubscriptions { endpoint } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["pushSubscriptions"],
        json!([{"endpoint": flaky.endpoint}]),
        "the gone subscription is deleted"
    );
    app.update_title(&alice, &card, "Ship v2").await;
    let next = service.next_received().await;
    assert_eq!(next.browser, flaky.id);
    assert!(service.received_within(QUIET).await.is_none());
}

#[tokio::test]
async fn pushes_follow_the_push_channel_preference() {
    let (app, service) = push_app(|_| {}).await;
    let (alice, bob, card) = alice_card_with_bob(&app).await;
    register(&app, &bob, &service.subscribe()).await;
    app.assign(&alice, &card, &bob).await;
    service.next_received().await;
    app.ok(
        Some(&bob.token),
        "mutation { setNotificationPreference(kind: CARD_UPDATED, channel: PUSH, enabled: false) { kinds { kind channel enabled } } }",
        json!({}),
    )
    .await;
    app.update_title(&alice, &card, "Ship v2").await;
    assert!(service.received_within(QUIET).await.is_none());
    // Still in the inbox: only the push channel is off.
    assert_eq!(
        newest_notification(&app, &bob).await["message"],
        "Alice updated the card “Ship v2”"
    );
}

#[tokio::test]
async fn registrations_are_checked() {
    // The default server takes only https:// endpoints.
    let (app, alice, ..) = shared_card().await;
    let service = PushService::start(&public_key(&app).await).await;
    let browser = service.subscribe();
    assert_eq!(
        error_code(&register(&app, &alice, &browser).await),
        "BAD_USER_INPUT"
    );

    let (app, service) = push_app(|_| {}).await;
    let alice = app.sign_up("Alice").await;
    let good = service.subscribe();
    let bad = |f: &dyn Fn(&mut Browser)| {
        let mut browser = good.clone();
        f(&mut browser);
        browser
    };
    for (case, browser) in [
        (
            "ftp endpoint",
            bad(&|b| b.endpoint = "ftp://127.0.0.1/x".into()),
        ),
        ("not a URL", bad(&|b| b.endpoint = "push me".into())),
        (
            "a private address",
            bad(&|b| b.endpoint = "https://10.0.0.1/push/1".into()),
        ),
        (
            "the metadata service",
            bad(&|b| b.endpoint = "https://169.254.169.254/latest".into()),
        ),
        (
            "localhost, not listed",
            bad(&|b| b.endpoint = "https://localhost/push/1".into()),
        ),
        ("short key", bad(&|b| b.p256dh = "AAAA".into())),
        (
            "key off the curve",
            bad(&|b| b.p256dh = format!("BA{}", "A".repeat(85))),
        ),
        (
            "auth of 15 bytes",
            bad(&|b| b.auth = "AAAAAAAAAAAAAAAAAAAA".into()),
        ),
    ] {
        let refused = register(&app, &alice, &browser).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{case}: {refused}");
    }
    let anonymous = app
        .gql(
            None,
            REGISTER,
            json!({"e": good.endpoint, "p": good.p256dh, "a": good.auth}),
        )
        .await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
    let listed = app
        .ok(
            Some(&alice.token),
            "{ pushSubscriptions { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["pushSubscriptions"],
        json!([]),
        "nothing half-written"
    );

    // Ten browsers; the eleventh is refused; the same one again is not.
    let browsers: Vec<Browser> = (0..10).map(|_| service.subscribe()).collect();
    for browser in &browsers {
        assert!(
            register(&app, &alice, browser)
                .await
                .get("errors")
                .is_none()
        );
    }
    let eleventh = register(&app, &alice, &service.subscribe()).await;
    assert_eq!(error_code(&eleventh), "PUSH_SUBSCRIPTION_LIMIT");
    let again = register(&app, &alice, &browsers[3]).await;
    assert!(again.get("errors").is_none(), "{again}");

    let unregister = "mutation($e: String!) { unregisterPushSubscription(endpoint: $e) }";
    let e = json!({"e": browsers[0].endpoint});
    let removed = app.ok(Some(&alice.token), unregister, e.clone()).await;
    assert_eq!(removed["unregisterPushSubscription"], true);
    let removed = app.ok(Some(&alice.token), unregister, e).await;
    assert_eq!(removed["unregisterPushSubscription"], false);
    let listed = app
        .ok(
            Some(&alice.token),
            "{ pushSubscriptions { id } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["pushSubscriptions"].as_array().unwrap().len(), 9);
}

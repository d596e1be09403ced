//! The publish API: an app's backend, with an API key, tells users named
//! by its own ids (and its topics' members) that something happened;
//! they get it live and in their inbox, once, whatever the retries.

use serde_json::{Value, json};

use super::tokens::{IdentityProvider, provider_token};
use crate::kit::{
    TestApp, TestUser, error_code, spawn_app, spawn_app_with,
    stores::{Backend, TestDb, on_both_backends},
};

const PUBLISH: &str = "mutation($input: PublishNotificationInput!) { \
    publishNotification(input: $input) { notified replayed } }";

const LIVE: &str = "subscription($u: ID!) { notifications(userId: $u) { \
    id kind type message link data actor { name } } }";

const INBOX: &str =
    "{ notifications(first: 10) { edges { node { kind type message link data } } } }";

/// A live API key of `app`, made as `herald api-key create` makes one.
async fn api_key(app: &TestApp, name: &str) -> String {
    let key = herald::auth::NewApiKey::generate();
    app.services
        .store
        .create_api_key(name, &key.secret_hash, &key.prefix)
        .await
        .unwrap();
    key.secret
}

fn invoice_paid(recipients: &[&str]) -> Value {
    json!({"input": {
        "recipients": recipients,
        "type": "invoice.paid",
        "message": "Invoice INV-7 was paid",
        "link": "/invoices/7",
        "data": {"invoice": "INV-7", "amount": 4200},
    }})
}

async fn inbox_of(app: &TestApp, token: &str) -> Vec<Value> {
    let body = app.ok(Some(token), INBOX, json!({})).await;
    body["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn provider_app() -> (TestApp, IdentityProvider) {
    let provider = IdentityProvider::start(&["ec-a"]).await;
    let url = provider.url.clone();
    let app = spawn_app_with(move |c| {
        c.jwt_jwks_url = Some(url);
        c.jwt_issuer = Some("https://id.example.com".into());
        c.jwt_audience = Some("herald".into());
    })
    .await;
    (app, provider)
}

/// The Herald user behind a provider token.
async fn provider_user(app: &TestApp, sub: &str, name: &str) -> TestUser {
    let token = provider_token("ec-a", json!({"sub": sub, "name": name, "email": null}));
    let me = app.ok(Some(&token), "{ me { id name } }", json!({})).await;
    TestUser {
        id: me["me"]["id"].as_str().unwrap().to_owned(),
        token,
    }
}

#[tokio::test]
async fn an_app_publishes_to_its_own_user_ids_live_and_into_the_inbox() {
    let (app, _provider) = provider_app().await;
    let key = api_key(&app, "billing").await;
    // Grace signed in with the app's identity provider and is listening.
    let grace = provider_user(&app, "user-7", "Grace").await;
    let mut ws = app.ws(&grace.token).await;
    let before = app.services.broker.stats().subscriptions;
    ws.subscribe("n", LIVE, json!({"u": grace.id})).await;
    crate::kit::wait_for_subscriptions(&app, before + 1).await;

    // The app names Grace and Henry (never seen yet) by its own ids; the
    // actor is the app's user-9, who is not told.
    let mut input = invoice_paid(&["user-7", "user-8", "user-9"]);
    input["input"]["actor"] = json!("user-9");
    let body = app.ok(Some(&key), PUBLISH, input).await;
    assert_eq!(
        body["publishNotification"],
        json!({"notified": 2, "replayed": false})
    );

    let live = ws.next_payload("n").await;
    let live = &live["data"]["notifications"];
    assert_eq!(live["kind"], "CUSTOM", "{live}");
    assert_eq!(live["type"], "invoice.paid");
    assert_eq!(live["message"], "Invoice INV-7 was paid");
    assert_eq!(live["link"], "/invoices/7");
    assert_eq!(live["data"], json!({"invoice": "INV-7", "amount": 4200}));
    assert_eq!(live["actor"]["name"], "user-9");
    ws.assert_quiet().await;

    // Henry signs in for the first time afterwards: it is in his inbox,
    // and his name now comes from his token.
    let henry = provider_user(&app, "user-8", "Henry").await;
    let me = app
        .ok(Some(&henry.token), "{ me { name } }", json!({}))
        .await;
    assert_eq!(me["me"]["name"], "Henry");
    let inbox = inbox_of(&app, &henry.token).await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0]["type"], "invoice.paid");
    assert_eq!(inbox[0]["data"]["amount"], 4200);
    // The actor was not told.
    let actor = provider_user(&app, "user-9", "Ivy").await;
    assert!(inbox_of(&app, &actor.token).await.is_empty());
}

on_both_backends!(
    concurrent_retries_with_one_idempotency_key_notify_once,
    a_topic_of_ten_thousand_is_told_in_one_publish,
);

async fn app_on(backend: Backend) -> (TestApp, TestDb) {
    let db = TestDb::new(backend).await;
    let url = db.url.clone();
    let app = spawn_app_with(move |c| c.database_url = Some(url)).await;
    (app, db)
}

async fn concurrent_retries_with_one_idempotency_key_notify_once(backend: Backend) {
    let (app, _db) = app_on(backend).await;
    let key = api_key(&app, "billing").await;
    let mut input = invoice_paid(&["a", "b", "c"]);
    input["input"]["idempotencyKey"] = json!("invoice.paid:INV-7");
    let retries = (0..20).map(|_| {
        let (app, key, input) = (&app, key.clone(), input.clone());
        async move { app.gql(Some(&key), PUBLISH, input).await }
    });
    let answers = futures_util::future::join_all(retries).await;
    let mut first = 0;
    for answer in &answers {
        let result = &answer["data"]["publishNotification"];
        assert_eq!(result["notified"], 3, "{answer}");
        if result["replayed"] == false {
            first += 1;
        }
    }
    assert_eq!(first, 1, "exactly one publish went ahead");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notifications")
        .fetch_one(&sqlx::AnyPool::connect(&app_url(&app)).await.unwrap())
        .await
        .unwrap();
    assert_eq!(n, 3, "one notification per recipient");

    // The same key for another request is a conflict, and writes nothing.
    let mut other = invoice_paid(&["a"]);
    other["input"]["idempotencyKey"] = json!("invoice.paid:INV-7");
    let refused = app.gql(Some(&key), PUBLISH, other).await;
    assert_eq!(error_code(&refused), "CONFLICT");
    // Another app's key has keys of its own.
    let second_app = api_key(&app, "shipping").await;
    let replayed = app.gql(Some(&second_app), PUBLISH, input).await;
    assert_eq!(replayed["data"]["publishNotification"]["replayed"], false);
}

fn app_url(app: &TestApp) -> String {
    sqlx::any::install_default_drivers();
    app.services.config.database_url()
}

async fn a_topic_of_ten_thousand_is_told_in_one_publish(backend: Backend) {
    let (app, _db) = app_on(backend).await;
    let key = api_key(&app, "feed").await;
    // Ten thousand members, joined a thousand at a time (the cap on one
    // request).
    for chunk in 0..10 {
        let users: Vec<String> = (0..1000)
            .map(|i| format!("m{}", chunk * 1000 + i))
            .collect();
        let body = app
            .ok(
                Some(&key),
                "mutation($u: [String!]!) { subscribeToTopic(topic: \"launch\", users: $u) { memberCount } }",
                json!({"u": users}),
            )
            .await;
        assert_eq!(body["subscribeToTopic"]["memberCount"], (chunk + 1) * 1000);
    }
    let mut tx = app.services.store.begin_write().await.unwrap();
    let users = tx
        .users_by_external_ids(&["m0".to_owned(), "m9999".to_owned()], false)
        .await
        .unwrap();
    drop(tx);
    // One insert statement tells all of them: the store's fan-out, with
    // the topic selected in the statement itself, and m0 named besides
    // is told once.
    let input = json!({"input": {
        "recipients": ["m0"], "topics": ["launch"], "type": "release.published",
        "message": "v2 is out",
    }});
    let body = app.ok(Some(&key), PUBLISH, input).await;
    assert_eq!(body["publishNotification"]["notified"], 10_000);
    for id in users {
        let rows = app.services.store.notifications_after(id, 0).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].custom_type.as_deref(), Some("release.published"));
    }
    // Leaving the topic: the next publish misses them.
    let left = app
        .ok(
            Some(&key),
            "mutation { unsubscribeFromTopic(topic: \"launch\", users: [\"m0\", \"m1\", \"nobody\"]) { memberCount } }",
            json!({}),
        )
        .await;
    assert_eq!(left["unsubscribeFromTopic"]["memberCount"], 9_998);
}

#[tokio::test]
async fn types_turned_off_are_not_written() {
    let (app, _provider) = provider_app().await;
    let key = api_key(&app, "billing").await;
    let quiet = provider_user(&app, "q", "Quinn").await;
    let none = provider_user(&app, "n", "Nell").await;
    let keen = provider_user(&app, "k", "Kim").await;
    let off = app
        .ok(
            Some(&quiet.token),
            "mutation { setNotificationTypePreference(type: \"invoice.paid\", enabled: false) { \
               types { type channel enabled } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        off["setNotificationTypePreference"]["types"],
        json!([{"type": "invoice.paid", "channel": "IN_APP", "enabled": false}])
    );
    // Nell turned every app type off.
    app.ok(
        Some(&none.token),
        "mutation { setNotificationPreference(kind: CUSTOM, enabled: false) { kinds { kind } } }",
        json!({}),
    )
    .await;
    let body = app
        .ok(Some(&key), PUBLISH, invoice_paid(&["q", "n", "k"]))
        .await;
    assert_eq!(body["publishNotification"]["notified"], 1);
    assert!(inbox_of(&app, &quiet.token).await.is_empty());
    assert!(inbox_of(&app, &none.token).await.is_empty());
    assert_eq!(inbox_of(&app, &keen.token).await.len(), 1);
    // Another type still reaches Quinn.
    let mut other = invoice_paid(&["q"]);
    other["input"]["type"] = json!("invoice.overdue");
    let body = app.ok(Some(&key), PUBLISH, other).await;
    assert_eq!(body["publishNotification"]["notified"], 1);
    // A built-in kind's name is not an app type.
    let refused = app
        .gql(
            Some(&quiet.token),
            "mutation { setNotificationTypePreference(type: \"CARD_UPDATED\", enabled: false) { types { type } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT");
}

#[tokio::test]
async fn keys_and_user_tokens_each_do_only_their_own_work() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let key = api_key(&app, "billing").await;
    // A user's token cannot publish or manage topics.
    let body = app
        .gql(Some(&alice.token), PUBLISH, invoice_paid(&["x"]))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app
        .gql(
            Some(&alice.token),
            "mutation { subscribeToTopic(topic: \"t\", users: [\"x\"]) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    // No key, a made-up key: UNAUTHENTICATED.
    assert_eq!(
        error_code(&app.gql(None, PUBLISH, invoice_paid(&["x"])).await),
        "UNAUTHENTICATED"
    );
    let made_up = herald::auth::NewApiKey::generate().secret;
    assert_eq!(
        error_code(&app.gql(Some(&made_up), PUBLISH, invoice_paid(&["x"])).await),
        "UNAUTHENTICATED"
    );
    // A key never acts as a user: queries, mutations, subscriptions.
    assert_eq!(
        error_code(&app.gql(Some(&key), "{ me { id } }", json!({})).await),
        "FORBIDDEN"
    );
    assert_eq!(
        error_code(
            &app.gql(Some(&key), "{ unreadNotificationCount }", json!({}))
                .await
        ),
        "FORBIDDEN"
    );
    let mut ws = app.ws_raw("graphql-transport-ws").await;
    ws.send(
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {key}")}}),
    )
    .await;
    assert_eq!(ws.close_code().await, Some(4403));

    // Revoked (by name, as `herald api-key revoke billing` does): refused
    // at once.
    assert!(
        app.ok(Some(&key), PUBLISH, invoice_paid(&["x"])).await["publishNotification"]["notified"]
            == 1
    );
    app.services
        .store
        .revoke_api_key("billing")
        .await
        .unwrap()
        .unwrap();
    let body = app.gql(Some(&key), PUBLISH, invoice_paid(&["x"])).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn bad_input_is_refused_and_writes_nothing() {
    let app = spawn_app_with(|c| {
        c.limits.max_publish_recipients = 3;
        c.limits.max_publish_data_bytes = 64;
    })
    .await;
    let key = api_key(&app, "billing").await;
    let cases: Vec<(&str, Value)> = vec![
        ("recipients", json!({"recipients": []})),
        ("recipients", json!({"recipients": ["a", "b", "c", "d"]})),
        ("recipients", json!({"recipients": [""]})),
        ("type", json!({"type": "x".repeat(65)})),
        ("type", json!({"type": "invoice paid"})),
        ("type", json!({"type": "CHAT_MENTION"})),
        ("message", json!({"message": " "})),
        ("message", json!({"message": "m".repeat(1001)})),
        ("link", json!({"link": "javascript:alert(1)"})),
        ("link", json!({"link": "//evil.example.com"})),
        ("data", json!({"data": {"blob": "z".repeat(100)}})),
        ("topics", json!({"topics": ["no spaces"]})),
    ];
    for (field, change) in cases {
        let mut input = invoice_paid(&["a"]);
        for (k, v) in change.as_object().unwrap() {
            input["input"][k] = v.clone();
        }
        let body = app.gql(Some(&key), PUBLISH, input).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{field}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // Not a single user was created nor told.
    let mut tx = app.services.store.begin_write().await.unwrap();
    assert!(
        tx.users_by_external_ids(&["a".into()], false)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_rest_api_publishes_with_an_idempotency_key_header() {
    let app = spawn_app().await;
    let key = api_key(&app, "billing").await;
    let post = |body: Value, idempotency: Option<&str>, key: Option<&str>| {
        let mut request = app.http.post(app.url("/v1/notifications")).json(&body);
        if let Some(k) = key {
            request = request.bearer_auth(k);
        }
        if let Some(i) = idempotency {
            request = request.header("Idempotency-Key", i);
        }
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let body = invoice_paid(&["a", "b"])["input"].clone();
    let (status, first) = post(body.clone(), Some("evt-1"), Some(&key)).await;
    assert_eq!(
        (status, first.clone()),
        (200, json!({"notified": 2, "replayed": false}))
    );
    let (status, again) = post(body.clone(), Some("evt-1"), Some(&key)).await;
    assert_eq!(
        (status, again),
        (200, json!({"notified": 2, "replayed": true}))
    );
    let mut changed = body.clone();
    changed["message"] = json!("something else");
    let (status, conflict) = post(changed, Some("evt-1"), Some(&key)).await;
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(conflict["errors"][0]["extensions"]["code"], "CONFLICT");
    let (status, _) = post(body.clone(), None, None).await;
    assert_eq!(status, 401);
    let alice = app.sign_up("Alice").await;
    let (status, _) = post(body.clone(), None, Some(&alice.token)).await;
    assert_eq!(status, 403);
    let (status, bad) = post(json!({"type": "x", "message": "m"}), None, Some(&key)).await;
    assert_eq!(status, 400, "{bad}");
    // Topics over REST.
    let response = app
        .http
        .post(app.url("/v1/topics/launch/members"))
        .bearer_auth(&key)
        .json(&json!({"users": ["a", "b"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"name": "launch", "memberCount": 2})
    );
    let response = app
        .http
        .delete(app.url("/v1/topics/launch/members"))
        .bearer_auth(&key)
        .json(&json!({"users": ["a"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["memberCount"], 1);
}

//! Tokens on live connections: expiry, refresh, revocation, tokens that
//! name nobody, private e-mail addresses, log-in that gives nothing away,
//! and tokens signed by the app's own identity provider.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Json, Router, routing::get};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::{
    kit::sse::SseClient,
    kit::{
        NOTIFICATIONS_SUBSCRIPTION, TestApp, TestUser, error_code, shared_card, spawn_app,
        spawn_app_with, wait_for_subscriptions,
    },
};

/// A token for `user` that expires `secs` from now, in a session of its
/// own.
fn token_expiring_in(app: &TestApp, user: &TestUser, secs: u64) -> String {
    let now = herald::auth::now_secs();
    app.services
        .auth
        .keys()
        .issue_with_expiry(user.id.parse().unwrap(), "short", 0, now + secs)
        .unwrap()
        .token
}

/// A board where `actor` notifies `target` on every card update.
async fn notifying_card(app: &TestApp, actor: &TestUser, target: &TestUser) -> String {
    let board = app.board_with(actor, &[target]).await;
    let card = app.card(actor, &board, "Ship v1").await;
    app.assign(actor, &card, target).await;
    card
}

const ME: &str = "{ me { id name email } }";

#[tokio::test]
async fn a_websocket_closes_with_4403_when_its_token_expires() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let card = notifying_card(&app, &alice, &bob).await;
    let short = token_expiring_in(&app, &bob, 2);
    let mut ws = app.ws(&short).await;
    ws.subscribe_notifications(&app, "1", &bob, None).await;
    app.update_title(&alice, &card, "before expiry").await;
    assert_eq!(
        ws.next_notification("1").await["message"],
        "Alice updated the card “before expiry”"
    );
    assert_eq!(ws.close_code().await, Some(4403));
    wait_for_subscriptions(&app, 0).await;
    // Nothing committed after the expiry reaches the closed socket.
    app.update_title(&alice, &card, "after expiry").await;
    assert!(matches!(
        ws.next_event(Duration::from_millis(300)).await,
        Some(crate::kit::WsEvent::Closed(_)) | None
    ));
}

#[tokio::test]
async fn an_operation_sent_after_expiry_is_refused() {
    let app = spawn_app().await;
    let bob = app.sign_up("Bob").await;
    let short = token_expiring_in(&app, &bob, 1);
    let mut ws = app.ws(&short).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    ws.subscribe("1", NOTIFICATIONS_SUBSCRIPTION, json!({"u": bob.id}))
        .await;
    assert_eq!(ws.close_code().await, Some(4403));
    assert_eq!(app.services.broker.stats().subscriptions, 0);
}

#[tokio::test]
async fn an_sse_stream_ends_when_its_token_expires() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let card = notifying_card(&app, &alice, &bob).await;
    let short = token_expiring_in(&app, &bob, 2);
    let mut sse = SseClient::open(
        app.http
            .post(app.url("/graphql/stream"))
            .bearer_auth(&short)
            .json(&json!({"query": NOTIFICATIONS_SUBSCRIPTION, "variables": {"u": bob.id}})),
    )
    .await;
    assert_eq!(sse.status, 200);
    wait_for_subscriptions(&app, 1).await;
    app.update_title(&alice, &card, "before expiry").await;
    let (result, _) = sse.next_result().await;
    assert!(result.get("errors").is_none(), "{result}");
    let (ended, _) = sse.next_result().await;
    assert_eq!(error_code(&ended), "UNAUTHENTICATED", "{ended}");
    sse.expect_complete_then_end().await;
    wait_for_subscriptions(&app, 0).await;
}

#[tokio::test]
async fn a_token_for_nobody_is_refused_on_every_transport() {
    let app = spawn_app().await;
    let ghost = app
        .services
        .auth
        .keys()
        .issue(424_242, "ghost", 0)
        .unwrap()
        .token;
    assert_eq!(
        app.code_of(Some(&ghost), ME, json!({})).await,
        "UNAUTHENTICATED"
    );
    let mut ws = app.ws_raw("graphql-transport-ws").await;
    ws.send(
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {ghost}")}}),
    )
    .await;
    assert_eq!(ws.close_code().await, Some(4403));
    let sse = SseClient::open(
        app.http
            .post(app.url("/graphql/stream"))
            .bearer_auth(&ghost)
            .json(&json!({"query": "{ __typename }"})),
    )
    .await;
    assert_eq!(sse.status, 401);
}

#[tokio::test]
async fn a_refreshed_token_resumes_by_cursor_without_losing_anything() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let card = notifying_card(&app, &alice, &bob).await;
    let mut ws = app.ws(&bob.token).await;
    ws.subscribe_notifications(&app, "1", &bob, None).await;
    app.update_title(&alice, &card, "v1").await;
    let last = ws.next_notification("1").await["cursor"]
        .as_str()
        .unwrap()
        .to_owned();

    let refreshed = app
        .ok(
            Some(&bob.token),
            "mutation { refreshToken { token expiresAt user { id } } }",
            json!({}),
        )
        .await;
    let fresh = refreshed["refreshToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, bob.token);
    assert_eq!(refreshed["refreshToken"]["user"]["id"], bob.id.as_str());
    drop(ws);
    // Committed while Bob swaps tokens.
    app.update_title(&alice, &card, "v2").await;
    app.update_title(&alice, &card, "v3").await;
    let mut ws = app.ws(&fresh).await;
    ws.subscribe_notifications(&app, "1", &bob, Some(&last))
        .await;
    for title in ["v2", "v3"] {
        assert_eq!(
            ws.next_notification("1").await["message"],
            format!("Alice updated the card “{title}”")
        );
    }
    ws.assert_quiet().await;
}

#[tokio::test]
async fn logging_out_closes_that_session_only() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let card = notifying_card(&app, &alice, &bob).await;
    // Bob on two devices: the laptop's session and the phone's.
    let phone = app.log_in("bob@example.com").await;
    let laptop_refreshed = app.refresh(&bob.token).await;
    let mut laptop_ws = app.ws(&bob.token).await;
    laptop_ws
        .subscribe_notifications(&app, "1", &bob, None)
        .await;
    let mut phone_ws = app.ws(&phone).await;
    phone_ws
        .subscribe_notifications(&app, "1", &bob, None)
        .await;
    let mut laptop_sse = SseClient::open(
        app.http
            .post(app.url("/graphql/stream"))
            .bearer_auth(&bob.token)
            .json(&json!({"query": NOTIFICATIONS_SUBSCRIPTION, "variables": {"u": bob.id}})),
    )
    .await;
    wait_for_subscriptions(&app, 3).await;

    let out = app
        .ok(Some(&bob.token), "mutation { logOut }", json!({}))
        .await;
    assert_eq!(out["logOut"], true);
    assert_eq!(laptop_ws.close_code().await, Some(4403));
    let (ended, _) = laptop_sse.next_result().await;
    assert_eq!(error_code(&ended), "UNAUTHENTICATED");
    // Every token of the laptop's session is refused, refreshed or not.
    for token in [&bob.token, &laptop_refreshed] {
        assert_eq!(
            app.code_of(Some(token), ME, json!({})).await,
            "UNAUTHENTICATED"
        );
    }
    // The phone's session goes on.
    app.update_title(&alice, &card, "still there").await;
    assert_eq!(
        phone_ws.next_notification("1").await["message"],
        "Alice updated the card “still there”"
    );
    app.ok(Some(&phone), ME, json!({})).await;
}

#[tokio::test]
async fn logging_out_everywhere_closes_every_session() {
    let app = spawn_app().await;
    let bob = app.sign_up("Bob").await;
    let phone = app.log_in("bob@example.com").await;
    let mut laptop_ws = app.ws(&bob.token).await;
    let mut phone_ws = app.ws(&phone).await;
    phone_ws
        .subscribe_notifications(&app, "1", &bob, None)
        .await;
    let out = app
        .ok(Some(&phone), "mutation { logOutEverywhere }", json!({}))
        .await;
    assert_eq!(out["logOutEverywhere"], true);
    assert_eq!(laptop_ws.close_code().await, Some(4403));
    assert_eq!(phone_ws.close_code().await, Some(4403));
    for token in [&bob.token, &phone] {
        assert_eq!(
            error_code(&app.gql(Some(token), ME, json!({})).await),
            "UNAUTHENTICATED"
        );
    }
    // Signing in again works, and survives a restart of the revocation
    // state (it is read back from the store).
    let again = app.log_in("bob@example.com").await;
    app.ok(Some(&again), ME, json!({})).await;
}

#[tokio::test]
async fn revocations_are_read_back_from_the_store_by_a_new_process() {
    let data = tempfile::tempdir().unwrap();
    let start = || {
        let dir = data.path().to_owned();
        async move {
            let mut config = herald::config::Config::for_data_dir(dir);
            config.jwt_secret = Some("test-secret-for-herald-integration-tests".into());
            config.limits.auth_limit_per_minute = 0;
            herald::build(config).await.unwrap()
        }
    };
    let first = start().await;
    let alice = first.services.store.create_user(herald::store::NewUser {
        name: "Alice",
        email: "alice@example.com",
        password_hash: "x",
    });
    let alice = alice.await.unwrap();
    let token = first.services.auth.issue(alice.id).unwrap().token;
    let session = match first
        .services
        .auth
        .authenticate(Some(&format!("Bearer {token}")))
        .await
    {
        herald::auth::Auth::User(principal) => principal.session,
        other => panic!("{other:?}"),
    };
    let mut tx = first.services.store.begin_write().await.unwrap();
    tx.revoke_session(alice.id, &session.session, i64::MAX)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    drop(first);
    let second = start().await;
    assert_eq!(
        second
            .services
            .auth
            .authenticate(Some(&format!("Bearer {token}")))
            .await,
        herald::auth::Auth::Invalid("token revoked")
    );
}

#[tokio::test]
async fn e_mail_addresses_are_visible_to_their_owner_only() {
    let (app, alice, bob, board, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;
    app.ok(
        Some(&bob.token),
        "mutation($c: ID!) { addComment(cardId: $c, body: \"hi\") { id } }",
        json!({"c": card}),
    )
    .await;
    app.ok(
        Some(&bob.token),
        "mutation($u: ID!) { follow(userId: $u) { id } }",
        json!({"u": alice.id}),
    )
    .await;
    let room = app.create_room(&alice, "r").await;
    app.join_room(&bob, &room).await;
    app.send_message(&alice, &room, "@Bob hello").await;

    // Bob reads Alice through every path that reaches a user.
    let seen = app
        .ok(
            Some(&bob.token),
            "query($a: ID!, $b: ID!, $c: ID!, $r: ID!) {
               me { email }
               user(id: $a) { email followers { email } following { email } }
               bob: user(id: $b) { following { email } }
               board(id: $b) { owner { email } members { email } }
               card(id: $c) { creator { email } assignees { email } comments { author { email } } }
               chatMessages(roomId: $r) { author { email } room { members { email } } }
               notifications(first: 10) { edges { node { actor { email } } } }
             }",
            json!({"a": alice.id, "b": board, "c": card, "r": room}),
        )
        .await;
    assert_eq!(seen["me"]["email"], "bob@example.com");
    let text = seen.to_string();
    assert!(!text.contains("alice@example.com"), "{text}");
    // Bob's own address appears only where Bob reads himself.
    let own = text.matches("bob@example.com").count();
    let as_member_or_self = 1 /* me */ + 1 /* board members */ + 1 /* assignees */
        + 1 /* comment author */ + 1 /* room members */ + 1 /* alice's followers */;
    assert_eq!(own, as_member_or_self, "{text}");
    // Anonymous readers see none.
    let anonymous = app
        .gql(
            None,
            "query($a: ID!) { user(id: $a) { email } }",
            json!({"a": alice.id}),
        )
        .await;
    assert!(
        !anonymous.to_string().contains("@example.com"),
        "{anonymous}"
    );
}

#[tokio::test]
async fn an_unknown_e_mail_is_refused_exactly_like_a_wrong_password() {
    let app = spawn_app().await;
    app.sign_up("Alice").await;
    const LOG_IN: &str =
        "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }";
    let wrong_password = app
        .gql(
            None,
            LOG_IN,
            json!({"e": "alice@example.com", "p": "not her password"}),
        )
        .await;
    let unknown = app
        .gql(
            None,
            LOG_IN,
            json!({"e": "nobody@example.com", "p": "not her password"}),
        )
        .await;
    assert_eq!(error_code(&unknown), "UNAUTHENTICATED");
    assert_eq!(wrong_password, unknown);
    // Both verified a hash: one for the sign-up, one per log-in.
    assert_eq!(app.services.passwords.stats().computed, 3);
}

#[tokio::test]
async fn short_or_empty_secrets_refuse_to_start_and_files_are_private() {
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(data.path().join("d"))
            .args(args)
            .env("HERALD_LOG", "error")
            .output()
            .unwrap()
    };
    let short = run(&["--jwt-secret", "too-short"]);
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("32 bytes"));

    let mut config = herald::config::Config::for_data_dir(data.path().join("served"));
    config.jwt_secret = Some(String::new());
    assert!(herald::build(config).await.is_err(), "an empty secret");

    // With no secret configured one is generated; every file is private,
    // in a data directory that was world-readable before.
    let served = data.path().join("served");
    std::fs::create_dir_all(&served).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&served, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let config = herald::config::Config::for_data_dir(&served);
    herald::build(config).await.unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = data.path().join("served");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("herald.db")), 0o600);
        assert_eq!(mode(&dir.join("jwt-secret")), 0o600);
    }
    // An empty secret file is refused too.
    let empty = data.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("jwt-secret"), "").unwrap();
    assert!(
        herald::build(herald::config::Config::for_data_dir(&empty))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn database_passwords_never_reach_an_error_message() {
    let data = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args([
            "migrate",
            "--database-url",
            "postgres://herald:hunter2-secret@127.0.0.1:1/herald",
        ])
        .arg("--data-dir")
        .arg(data.path())
        .env("HERALD_LOG", "error")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!printed.contains("hunter2"), "{printed}");
    assert!(printed.contains("herald:***@127.0.0.1:1"), "{printed}");
}

/// A JWKS endpoint of the test's own, whose keys the test can rotate.
pub(crate) struct IdentityProvider {
    pub(crate) url: String,
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<Mutex<usize>>,
}

impl IdentityProvider {
    pub(crate) async fn start(keys: &[&str]) -> IdentityProvider {
        let keys = Arc::new(Mutex::new(keys.iter().map(|k| jwk(k)).collect::<Vec<_>>()));
        let fetches = Arc::new(Mutex::new(0));
        let (served, counted) = (keys.clone(), fetches.clone());
        let router = Router::new().route(
            "/jwks",
            get(move || {
                let (served, counted) = (served.clone(), counted.clone());
                async move {
                    *counted.lock().unwrap() += 1;
                    Json(json!({"keys": *served.lock().unwrap()}))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        IdentityProvider { url, keys, fetches }
    }

    fn rotate_to(&self, keys: &[&str]) {
        *self.keys.lock().unwrap() = keys.iter().map(|k| jwk(k)).collect();
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/jwt/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn jwk(key: &str) -> Value {
    serde_json::from_slice(&fixture(&format!("{key}.jwk.json"))).unwrap()
}

/// A token signed by the provider's key `key`, with `claims` over the
/// defaults (issuer, audience, an hour to live).
pub(crate) fn provider_token(key: &str, claims: Value) -> String {
    let now = herald::auth::now_secs();
    let mut all = json!({
        "sub": "user-7", "name": "Grace", "email": "grace@example.com",
        "iss": "https://id.example.com", "aud": "herald", "iat": now, "exp": now + 3600,
    });
    for (k, v) in claims.as_object().unwrap() {
        all[k] = v.clone();
    }
    let (algorithm, encoding) = if key == "rsa" {
        (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(&fixture("rsa.pem")).unwrap(),
        )
    } else {
        (
            Algorithm::ES256,
            EncodingKey::from_ec_pem(&fixture(&format!("{key}.pem"))).unwrap(),
        )
    };
    let mut header = Header::new(algorithm);
    header.kid = Some(key.to_owned());
    jsonwebtoken::encode(&header, &all, &encoding).unwrap()
}

async fn me_with(app: &TestApp, token: &str) -> Value {
    app.gql(Some(token), ME, json!({})).await
}

#[tokio::test]
async fn provider_tokens_from_a_jwks_sign_users_in_and_follow_key_rotation() {
    let provider = IdentityProvider::start(&["ec-a", "rsa"]).await;
    let url = provider.url.clone();
    let app = spawn_app_with(move |c| {
        c.jwt_jwks_url = Some(url);
        c.jwt_issuer = Some("https://id.example.com".into());
        c.jwt_audience = Some("herald".into());
    })
    .await;

    // First sight creates the user from the claims; the e-mail is theirs.
    let me = me_with(&app, &provider_token("ec-a", json!({}))).await;
    assert_eq!(me["data"]["me"]["name"], "Grace", "{me}");
    assert_eq!(me["data"]["me"]["email"], "grace@example.com");
    let id = me["data"]["me"]["id"].clone();
    // The same provider user, by another key, is the same Herald user.
    let again = me_with(&app, &provider_token("rsa", json!({}))).await;
    assert_eq!(again["data"]["me"]["id"], id);

    // Refused: another issuer, another audience, expired, no user claim.
    for claims in [
        json!({"iss": "https://evil.example.com"}),
        json!({"aud": "someone-else"}),
        json!({"exp": herald::auth::now_secs() - 10}),
        json!({"sub": null}),
    ] {
        let body = me_with(&app, &provider_token("ec-a", claims.clone())).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{claims}");
    }
    // A key the provider never published.
    let body = me_with(&app, &provider_token("ec-b", json!({}))).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");

    // Rotation: the provider now signs with ec-b only. Its first token
    // names an unknown key id, which makes Herald fetch the set again.
    provider.rotate_to(&["ec-b"]);
    let fetched = *provider.fetches.lock().unwrap();
    let rotated = me_with(&app, &provider_token("ec-b", json!({}))).await;
    assert_eq!(rotated["data"]["me"]["id"], id, "{rotated}");
    assert_eq!(*provider.fetches.lock().unwrap(), fetched + 1);
    // The retired key is no longer accepted.
    let retired = me_with(&app, &provider_token("ec-a", json!({}))).await;
    assert_eq!(error_code(&retired), "UNAUTHENTICATED");

    // Made-up key ids do not make Herald fetch again and again.
    let before = *provider.fetches.lock().unwrap();
    for n in 0..20 {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(format!("made-up-{n}"));
        let token = jsonwebtoken::encode(
            &header,
            &json!({"sub": "x", "exp": herald::auth::now_secs() + 60}),
            &EncodingKey::from_ec_pem(&fixture("ec-b.pem")).unwrap(),
        )
        .unwrap();
        assert_eq!(error_code(&me_with(&app, &token).await), "UNAUTHENTICATED");
    }
    assert!(
        *provider.fetches.lock().unwrap() <= before + 3,
        "made-up key ids made Herald fetch {} times",
        *provider.fetches.lock().unwrap() - before
    );

    // A provider token works on a websocket too, and cannot be refreshed
    // here.
    let token = provider_token("ec-b", json!({}));
    let ws = app.ws(&token).await;
    drop(ws);
    assert_eq!(
        app.code_of(
            Some(&token),
            "mutation { refreshToken { token } }",
            json!({})
        )
        .await,
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn provider_tokens_from_a_pem_file_with_custom_claims() {
    let key_file = format!(
        "{}/tests/fixtures/jwt/rsa.pub.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let app = spawn_app_with(move |c| {
        c.jwt_public_key_file = Some(key_file.into());
        c.jwt_user_claim = "uid".into();
        c.jwt_name_claim = "display".into();
    })
    .await;
    let token = provider_token("rsa", json!({"uid": 99, "display": "Linus"}));
    let me = me_with(&app, &token).await;
    assert_eq!(me["data"]["me"]["name"], "Linus", "{me}");
    // An EC-signed token cannot be checked with an RSA key.
    let ec = provider_token("ec-a", json!({"uid": 99}));
    assert_eq!(error_code(&me_with(&app, &ec).await), "UNAUTHENTICATED");
    // Herald's own tokens keep working beside the provider's.
    let alice = app.sign_up("Alice").await;
    assert_eq!(
        me_with(&app, &alice.token).await["data"]["me"]["name"],
        "Alice"
    );
    // A provider account has no password to log in with.
    let log_in = app
        .gql(
            None,
            "mutation { logIn(email: \"grace@example.com\", password: \"anything at all\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&log_in), "UNAUTHENTICATED");
}

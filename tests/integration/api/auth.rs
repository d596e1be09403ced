//! Sign-up, log-in and tokens.

use serde_json::json;

use crate::kit::{error_code, spawn_app};

const ME: &str = "{ me { id name email } }";

#[tokio::test]
async fn a_signed_up_user_is_signed_in_with_the_returned_token() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let me = app.ok(Some(&alice.token), ME, json!({})).await;
    assert_eq!(me["me"]["id"], alice.id.as_str());
    assert_eq!(me["me"]["name"], "Alice");
    assert_eq!(me["me"]["email"], "alice@example.com");
}

#[tokio::test]
async fn log_in_accepts_the_right_password_only() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let login = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token user { id } } }";

    let ok = app
        .ok(
            None,
            login,
            json!({"e": "ALICE@example.com", "p": "correct horse"}),
        )
        .await;
    assert_eq!(ok["logIn"]["user"]["id"], alice.id.as_str());
    let token = ok["logIn"]["token"].as_str().unwrap();
    assert_eq!(
        app.ok(Some(token), ME, json!({})).await["me"]["id"],
        alice.id.as_str()
    );

    let wrong = app
        .gql(
            None,
            login,
            json!({"e": "alice@example.com", "p": "wrong horse"}),
        )
        .await;
    assert_eq!(error_code(&wrong), "UNAUTHENTICATED");
    assert!(wrong["data"].is_null());
    let unknown = app
        .gql(
            None,
            login,
            json!({"e": "nobody@example.com", "p": "correct horse"}),
        )
        .await;
    assert_eq!(error_code(&unknown), "UNAUTHENTICATED");
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
}

#[tokio::test]
async fn a_taken_email_is_a_conflict_whatever_its_case() {
    let app = spawn_app().await;
    app.sign_up("Alice").await;
    let again = app
        .gql(
            None,
            "mutation { signUp(input: {name: \"Other\", email: \" Alice@Example.com\", password: \"12345678\"}) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&again), "CONFLICT");
}

#[tokio::test]
async fn missing_bad_and_expired_tokens_are_unauthenticated() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;

    assert_eq!(
        error_code(&app.gql(None, ME, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        error_code(&app.gql(Some("not-a-token"), ME, json!({})).await),
        "UNAUTHENTICATED"
    );
    let id: i64 = alice.id.parse().unwrap();
    let expired = app.expired_token(&alice);
    let body = app.gql(Some(&expired), ME, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );

    // A token signed with another secret is refused too.
    let forged = herald::auth::TokenKeys::new(b"some-other-secret-some-other-secret", 60)
        .unwrap()
        .issue(id, "s", 0)
        .unwrap()
        .token;
    assert_eq!(
        error_code(&app.gql(Some(&forged), ME, json!({})).await),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn passwords_are_stored_as_argon2_hashes() {
    let app = spawn_app().await;
    app.sign_up("Alice").await;
    let (_, hash) = app
        .services
        .store
        .credentials_by_email("alice@example.com")
        .await
        .unwrap()
        .unwrap();
    let hash = hash.expect("a password account has a hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("correct horse"));
}

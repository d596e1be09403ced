//! HTTP details: GET queries, refused GET mutations, health endpoints,
//! CORS.

use serde_json::{Value, json};

use crate::kit::{JsonRequest, spawn_app, spawn_app_with};

#[tokio::test]
async fn queries_work_over_get_but_mutations_do_not() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let body: Value = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", "{ me { name } }")])
        .bearer_auth(&alice.token)
        .json_value()
        .await;
    assert_eq!(body["data"]["me"]["name"], "Alice");

    let response = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", "mutation { createBoard(name: \"x\") { id } }")])
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    let boards = app.ok(Some(&alice.token), "{ me { id } }", json!({})).await;
    assert!(boards["me"]["id"].is_string());
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins_with_credentials() {
    let app = spawn_app_with(|c| c.cors_origins = vec!["https://app.example.com".into()]).await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://app.example.com").await.unwrap();
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "https://app.example.com"
    );
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-credentials")
            .unwrap(),
        "true"
    );
    let refused = preflight("https://evil.example.com").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let any = spawn_app_with(|c| c.cors_origins = vec!["*".into()]).await;
    let response = any
        .http
        .request(reqwest::Method::OPTIONS, any.url("/graphql"))
        .header("Origin", "https://anywhere.example.com")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "*"
    );
    assert!(
        response
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
}

#[tokio::test]
async fn the_playground_is_served_at_the_root() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

//! Hostile input: documents, bodies and batches built to crash the server
//! or to make one request cost more than its budget are refused with a
//! coded error, before they do any work, and the server keeps serving.

use serde_json::{Value, json};

use crate::{
    kit::sse::SseClient,
    kit::{JsonRequest, TestApp, error_code, spawn_app, spawn_app_with},
};

/// A query whose argument nests `depth` list brackets: a few thousand
/// levels used to overflow the parser's stack and abort the process.
fn bracket_bomb(depth: usize) -> String {
    format!(
        "{{ user(id: {}1{}) {{ id }} }}",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// Boards `user` can see: what a refused mutation must not have created.
async fn board_count(app: &TestApp, token: &str) -> usize {
    let data = app.ok(Some(token), "{ me { id } }", json!({})).await;
    assert!(data["me"]["id"].is_string());
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM boards")
        .fetch_one(&sqlite_pool(app).await)
        .await
        .unwrap();
    n as usize
}

/// A connection of the test's own to the server's SQLite file.
async fn sqlite_pool(app: &TestApp) -> sqlx::SqlitePool {
    let path = app.data_dir.path().join("herald.db");
    sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_bracket_bomb_is_refused_on_every_transport_and_the_server_keeps_serving() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bomb = bracket_bomb(5_000);

    assert_eq!(
        app.code_of(Some(&alice.token), &bomb, json!({})).await,
        "QUERY_TOO_DEEP"
    );

    let get: Value = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", bomb.as_str())])
        .bearer_auth(&alice.token)
        .json_value()
        .await;
    assert_eq!(error_code(&get), "QUERY_TOO_DEEP", "{get}");

    let mut url = reqwest::Url::parse(&app.url("/graphql/stream")).unwrap();
    url.query_pairs_mut()
        .append_pair("query", &bomb)
        .append_pair("access_token", &alice.token);
    for request in [
        app.http.get(url),
        app.http
            .post(app.url("/graphql/stream"))
            .bearer_auth(&alice.token)
            .json(&json!({"query": bomb})),
    ] {
        let mut sse = SseClient::open(request).await;
        let (result, _) = sse.next_result().await;
        assert_eq!(error_code(&result), "QUERY_TOO_DEEP", "{result}");
        sse.expect_complete_then_end().await;
    }

    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        let mut ws = app.ws_raw(protocol).await;
        ws.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {}", alice.token)}}))
            .await;
        assert_eq!(ws.recv().await["type"], "connection_ack");
        let start = if protocol == "graphql-ws" {
            "start"
        } else {
            "subscribe"
        };
        ws.send(json!({"id": "1", "type": start, "payload": {"query": bomb}}))
            .await;
        let message = ws.recv().await;
        assert_eq!(
            message["payload"]["errors"][0]["extensions"]["code"], "QUERY_TOO_DEEP",
            "{message}"
        );
    }

    // Still serving, and the bomb's text length is not what refused it.
    assert!(bomb.len() < 32 * 1024);
    let me = app
        .ok(Some(&alice.token), "{ me { name } }", json!({}))
        .await;
    assert_eq!(me["me"]["name"], "Alice");
}

#[tokio::test]
async fn an_overlong_query_is_refused_before_parsing() {
    let app = spawn_app().await;
    let padded = format!("{{ me {{ id }} }} #{}", "x".repeat(40 * 1024));
    let body = app.gql(None, &padded, json!({})).await;
    assert_eq!(error_code(&body), "QUERY_TOO_LARGE", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], "max-query-bytes");
}

#[tokio::test]
async fn nested_lists_are_refused_by_cost_without_executing() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    // A mutation whose selection nests follower lists: the cost of the
    // selection refuses it, so the follow itself never happens.
    let mut selection = String::from("id");
    for level in 0..6 {
        let field = if level % 2 == 0 {
            "followers"
        } else {
            "following"
        };
        selection = format!("{field} {{ {selection} }}");
    }
    assert_eq!(
        app.code_of(
            Some(&alice.token),
            &format!("mutation($u: ID!) {{ follow(userId: $u) {{ {selection} }} }}"),
            json!({"u": bob.id})
        )
        .await,
        "QUERY_TOO_COMPLEX"
    );
    let followers = app
        .ok(Some(&bob.token), "{ me { followers { name } } }", json!({}))
        .await;
    assert_eq!(followers["me"]["followers"], json!([]), "the follow ran");
}

#[tokio::test]
async fn deep_selections_are_refused() {
    let app = spawn_app_with(|c| c.limits.max_query_depth = 4).await;
    let alice = app.sign_up("Alice").await;
    assert_eq!(
        app.code_of(
            Some(&alice.token),
            "{ me { followers(first: 1) { following(first: 1) { followers(first: 1) { id } } } } }",
            json!({})
        )
        .await,
        "QUERY_TOO_DEEP"
    );
}

#[tokio::test]
async fn fragment_doubling_is_refused_before_validation_expands_it() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    // 2^30 `createBoard` selections once expanded; refused after reading
    // 30 small fragments, and no board is created.
    let mut text = String::from("mutation { b: createBoard(name: \"x\") { ...F0 } }\n");
    for i in 0..30 {
        text.push_str(&format!(
            "fragment F{i} on Board {{ ...F{n} ...F{n} }}\n",
            n = i + 1
        ));
    }
    text.push_str("fragment F30 on Board { id }\n");
    assert_eq!(
        app.code_of(Some(&alice.token), &text, json!({})).await,
        "QUERY_TOO_COMPLEX"
    );
    assert_eq!(board_count(&app, &alice.token).await, 0);
}

#[tokio::test]
async fn alias_floods_are_refused_without_executing_any_of_them() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let aliases: String = (0..5_000)
        .map(|i| format!("b{i}: createBoard(name: \"x\") {{ id }} "))
        .collect();
    let body = app
        .gql(
            Some(&alice.token),
            &format!("mutation {{ {aliases} }}"),
            json!({}),
        )
        .await;
    assert!(
        matches!(error_code(&body), "QUERY_TOO_COMPLEX" | "QUERY_TOO_LARGE"),
        "{body}"
    );
    // Under the size limit, the root-field cap refuses it.
    let aliases: String = (0..100).map(|i| format!("u{i}: me {{ id }} ")).collect();
    let body = app
        .gql(Some(&alice.token), &format!("{{ {aliases} }}"), json!({}))
        .await;
    assert_eq!(error_code(&body), "QUERY_TOO_COMPLEX", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], "max-root-fields");
    assert_eq!(board_count(&app, &alice.token).await, 0);
}

#[tokio::test]
async fn graphiql_introspection_passes_the_default_limits() {
    let app = spawn_app().await;
    let body = app.gql(None, &introspection_query(), json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(
        body["data"]["__schema"]["types"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "Notification")
    );
}

#[tokio::test]
async fn oversized_json_bodies_get_413_before_they_are_read() {
    let app = spawn_app().await;
    let big = json!({"query": "{ me { id } }", "variables": {"pad": "x".repeat(300 * 1024)}});
    let response = app
        .http
        .post(app.url("/graphql"))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "BODY_TOO_LARGE");

    // Without a Content-Length (chunked), the limit still holds.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        std::iter::once(b"{\"query\":\"{ me { id } }\",\"variables\":{\"pad\":\"".to_vec())
            .chain((0..40).map(|_| vec![b'x'; 8 * 1024]))
            .chain(std::iter::once(b"\"}}".to_vec()))
            .map(Ok)
            .collect();
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn only_json_and_multipart_bodies_execute() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let mutation = json!({"query": "mutation { createBoard(name: \"csrf\") { id } }"}).to_string();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/graphql",
    ] {
        let response = app
            .http
            .post(app.url("/graphql"))
            .bearer_auth(&alice.token)
            .header("Content-Type", content_type)
            .body(mutation.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{content_type}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "UNSUPPORTED_MEDIA_TYPE");
    }
    assert_eq!(board_count(&app, &alice.token).await, 0);
}

#[tokio::test]
async fn batches_are_capped_and_nothing_of_a_refused_batch_runs() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let batch = |n: usize| -> Value {
        (0..n)
            .map(|i| json!({"query": format!("mutation {{ createBoard(name: \"b{i}\") {{ id }} }}")}))
            .collect()
    };
    let refused = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&alice.token)
        .json(&batch(11))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(error_code(&body), "BATCH_TOO_LARGE");
    assert_eq!(board_count(&app, &alice.token).await, 0);

    let accepted: Value = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&alice.token)
        .json(&batch(10))
        .json_value()
        .await;
    assert_eq!(accepted.as_array().unwrap().len(), 10);
    assert_eq!(board_count(&app, &alice.token).await, 10);
}

#[tokio::test]
async fn a_client_that_accepts_json_gets_json() {
    let app = spawn_app().await;
    for (accept, expected) in [
        ("application/json", "application/json"),
        (
            "application/graphql-response+json",
            "application/graphql-response+json",
        ),
        ("*/*", "application/json"),
    ] {
        let response = app
            .http
            .post(app.url("/graphql"))
            .header("Accept", accept)
            .json(&json!({"query": "{ __typename }"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with(expected),
            "{accept}: {content_type}"
        );
    }
}

#[tokio::test]
async fn an_operation_past_its_deadline_is_cancelled_with_timeout() {
    let app = spawn_app_with(|c| c.limits.request_timeout_secs = 1).await;
    let alice = app.sign_up("Alice").await;
    // Another process holds SQLite's write lock for longer than the
    // deadline: the mutation waits for it, and is cancelled.
    let pool = sqlite_pool(&app).await;
    let mut holder = pool.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let body = app
        .gql(
            Some(&alice.token),
            "mutation { createBoard(name: \"late\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "TIMEOUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["limit"],
        "request-timeout-secs"
    );
    sqlx::query("ROLLBACK").execute(&mut *holder).await.unwrap();
    drop(holder);
    // The cancelled mutation wrote nothing, and the next one works.
    assert_eq!(board_count(&app, &alice.token).await, 0);
    app.ok(
        Some(&alice.token),
        "mutation { createBoard(name: \"on time\") { id } }",
        json!({}),
    )
    .await;
    assert_eq!(board_count(&app, &alice.token).await, 1);
}

#[tokio::test]
async fn a_write_waits_for_another_process_holding_sqlite_instead_of_failing() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let board = app.board_with(&alice, &[]).await;
    let card = app.card(&alice, &board, "Ship v1").await;
    // Another process (a backup, an admin script) writes to the file and
    // holds its lock for a moment.
    let pool = sqlite_pool(&app).await;
    let mut other = pool.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *other)
        .await
        .unwrap();
    sqlx::query("UPDATE cards SET title = 'by the other process' WHERE id = $1")
        .bind(card.parse::<i64>().unwrap())
        .execute(&mut *other)
        .await
        .unwrap();
    // updateCard reads the card, then writes: with a deferred BEGIN its
    // read snapshot would be stale by the time it may write, and SQLite
    // would refuse it at once instead of waiting.
    let update = {
        let (http, url, token, card) = (
            app.http.clone(),
            app.url("/graphql"),
            alice.token.clone(),
            card.clone(),
        );
        tokio::spawn(async move {
            http.post(url)
                .bearer_auth(token)
                .json(&json!({
                    "query": "mutation($c: ID!) { updateCard(id: $c, input: {title: \"by Herald\"}) { title } }",
                    "variables": {"c": card},
                }))
                .json_value()
                .await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    sqlx::query("COMMIT").execute(&mut *other).await.unwrap();
    let body = update.await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["updateCard"]["title"], "by Herald");
}

#[tokio::test]
async fn a_burst_of_log_ins_hashes_a_bounded_number_at_a_time() {
    let app = spawn_app_with(|c| c.limits.password_hash_concurrency = Some(2)).await;
    app.sign_up("Alice").await;
    let log_in = |password: &str| json!({"query": format!("mutation {{ logIn(email: \"alice@example.com\", password: \"{password}\") {{ token }} }}")});
    let requests: Vec<_> = (0..16)
        .map(|i| {
            let password = if i % 2 == 0 {
                "correct horse"
            } else {
                "wrong horse"
            };
            app.http
                .post(app.url("/graphql"))
                .json(&log_in(password))
                .send()
        })
        .collect();
    let mut signed_in = 0;
    for response in futures_util::future::join_all(requests).await {
        let body: Value = response.unwrap().json().await.unwrap();
        if body["data"]["logIn"]["token"].is_string() {
            signed_in += 1;
        } else {
            assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
        }
    }
    assert_eq!(signed_in, 8);
    let stats = app.services.passwords.stats();
    assert_eq!(stats.computed, 17, "one sign-up and sixteen log-ins");
    assert!(stats.peak_concurrent <= 2, "{stats:?}");
}

#[tokio::test]
async fn sign_ups_are_throttled_per_address_with_retry_after_and_429() {
    let app = spawn_app_with(|c| c.limits.auth_limit_per_minute = 3).await;
    for name in ["A", "B", "C"] {
        app.sign_up(name).await;
    }
    let hashed = app.services.passwords.stats().computed;
    let response = app
        .http
        .post(app.url("/graphql"))
        .json(&json!({
            "query": "mutation($i: SignUpInput!) { signUp(input: $i) { token } }",
            "variables": {"i": {"name": "D", "email": "d@example.com", "password": "correct horse"}},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "RATE_LIMITED");
    assert_eq!(
        body["errors"][0]["extensions"]["retryAfter"].as_u64(),
        Some(retry_after)
    );
    assert_eq!(
        app.services.passwords.stats().computed,
        hashed,
        "a throttled sign-up computes no hash"
    );
}

#[tokio::test]
async fn failed_log_ins_are_throttled_per_account_and_successes_are_not() {
    let app = spawn_app_with(|c| {
        c.limits.auth_limit_per_minute = 0;
        c.limits.login_failures_per_account = 3;
    })
    .await;
    app.sign_up("Alice").await;
    const LOG_IN: &str =
        "mutation($p: String!) { logIn(email: \"alice@example.com\", password: $p) { token } }";
    for _ in 0..5 {
        app.ok(None, LOG_IN, json!({"p": "correct horse"})).await;
    }
    for _ in 0..3 {
        assert_eq!(
            app.code_of(None, LOG_IN, json!({"p": "wrong"})).await,
            "UNAUTHENTICATED"
        );
    }
    let hashed = app.services.passwords.stats().computed;
    for password in ["wrong", "correct horse"] {
        let body = app.gql(None, LOG_IN, json!({"p": password})).await;
        assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
        assert!(
            body["errors"][0]["extensions"]["retryAfter"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }
    assert_eq!(app.services.passwords.stats().computed, hashed);
    // Another account is not affected.
    app.sign_up("Bob").await;
    app.ok(
        None,
        "mutation { logIn(email: \"bob@example.com\", password: \"correct horse\") { token } }",
        json!({}),
    )
    .await;
}

#[tokio::test]
async fn assigning_someone_who_does_not_exist_is_not_found() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let board = app.board_with(&alice, &[]).await;
    let card = app.card(&alice, &board, "Ship v1").await;
    let assign = "mutation($c: ID!, $u: ID!) { assignCard(cardId: $c, userId: $u) { id } }";
    assert_eq!(
        app.code_of(
            Some(&alice.token),
            assign,
            json!({"c": card, "u": "999999"})
        )
        .await,
        "NOT_FOUND"
    );
    let body = app
        .gql(Some(&alice.token), assign, json!({"c": card, "u": bob.id}))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn sse_refuses_other_content_types_and_oversized_bodies() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(app.url("/graphql/stream"))
        .header("Content-Type", "text/plain")
        .body(json!({"query": "{ __typename }"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let big = json!({"query": "{ __typename }", "variables": {"pad": "x".repeat(300 * 1024)}});
    let sse = SseClient::open(app.http.post(app.url("/graphql/stream")).json(&big)).await;
    assert_eq!(sse.status, 413);
}

/// The introspection query GraphiQL and graphql-codegen send (graphql-js's
/// `getIntrospectionQuery` with descriptions, deprecated input values and
/// the nine levels of `ofType` its newest versions ask for).
fn introspection_query() -> String {
    // `ofType { kind name ofType { … } }`, nine deep.
    let type_ref = (0..9).fold(String::from("kind name"), |inner, _| {
        format!("kind name ofType {{ {inner} }}")
    });
    format!(
        r#"
query IntrospectionQuery {{
  __schema {{
    description
    queryType {{ name }}
    mutationType {{ name }}
    subscriptionType {{ name }}
    types {{ ...FullType }}
    directives {{
      name description isRepeatable locations
      args(includeDeprecated: true) {{ ...InputValue }}
    }}
  }}
}}
fragment FullType on __Type {{
  kind name description specifiedByURL
  fields(includeDeprecated: true) {{
    name description
    args(includeDeprecated: true) {{ ...InputValue }}
    type {{ ...TypeRef }}
    isDeprecated deprecationReason
  }}
  inputFields(includeDeprecated: true) {{ ...InputValue }}
  interfaces {{ ...TypeRef }}
  enumValues(includeDeprecated: true) {{ name description isDeprecated deprecationReason }}
  possibleTypes {{ ...TypeRef }}
}}
fragment InputValue on __InputValue {{
  name description type {{ ...TypeRef }} defaultValue isDeprecated deprecationReason
}}
fragment TypeRef on __Type {{ {type_ref} }}
"#
    )
}

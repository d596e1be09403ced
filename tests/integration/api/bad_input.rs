//! Every class of bad input gets BAD_USER_INPUT (or NOT_FOUND), and a
//! refused request leaves nothing half-written.

use serde_json::{Value, json};

use crate::kit::{error_code, spawn_app};

const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { token } }";

fn sign_up_input(name: &str, email: &str, password: &str) -> Value {
    json!({"i": {"name": name, "email": email, "password": password}})
}

#[tokio::test]
async fn sign_up_validates_name_email_and_password() {
    let app = spawn_app().await;
    for (input, field) in [
        (sign_up_input("Alice", "not-an-email", "12345678"), "email"),
        (sign_up_input("Alice", "a@b", "12345678"), "email"),
        (
            sign_up_input("Alice", "alice@example.com", "1234567"),
            "password",
        ),
        (
            sign_up_input("   ", "alice@example.com", "12345678"),
            "name",
        ),
        (
            sign_up_input(&"n".repeat(101), "alice@example.com", "12345678"),
            "name",
        ),
    ] {
        let body = app.gql(None, SIGN_UP, input.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{input}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // None of the refused sign-ups wrote a user: the email is still free.
    let ok = app
        .gql(
            None,
            SIGN_UP,
            sign_up_input("Alice", "alice@example.com", "12345678"),
        )
        .await;
    assert!(ok["errors"].is_null(), "{ok}");
}

#[tokio::test]
async fn titles_bodies_and_ids_are_validated() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let board = app.board_with(&alice, &[]).await;
    let card = app.card(&alice, &board, "Ship v1").await;
    let t = Some(alice.token.as_str());

    let create = "mutation($b: ID!, $t: String!) { createCard(boardId: $b, title: $t) { id } }";
    let long_title = "t".repeat(201);
    assert_eq!(
        error_code(
            &app.gql(t, create, json!({"b": board, "t": long_title}))
                .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        error_code(&app.gql(t, create, json!({"b": board, "t": "  "})).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        error_code(&app.gql(t, create, json!({"b": "abc", "t": "x"})).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        error_code(&app.gql(t, create, json!({"b": "-3", "t": "x"})).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        error_code(&app.gql(t, create, json!({"b": "999999", "t": "x"})).await),
        "NOT_FOUND"
    );
    // 200 characters is allowed, multi-byte ones included.
    let ok = app
        .gql(t, create, json!({"b": board, "t": "é".repeat(200)}))
        .await;
    assert!(ok["errors"].is_null(), "{ok}");

    let comment = "mutation($c: ID!, $b: String!) { addComment(cardId: $c, body: $b) { id } }";
    let long_body = "b".repeat(10_001);
    assert_eq!(
        error_code(
            &app.gql(t, comment, json!({"c": card, "b": long_body}))
                .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        error_code(&app.gql(t, comment, json!({"c": card, "b": ""})).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        error_code(&app.gql(t, comment, json!({"c": "424242", "b": "hi"})).await),
        "NOT_FOUND"
    );

    let update =
        "mutation($c: ID!, $i: UpdateCardInput!) { updateCard(id: $c, input: $i) { title } }";
    assert_eq!(
        error_code(&app.gql(t, update, json!({"c": card, "i": {}})).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        error_code(
            &app.gql(
                t,
                update,
                json!({"c": card, "i": {"title": "x".repeat(201)}})
            )
            .await
        ),
        "BAD_USER_INPUT"
    );

    // Nothing refused above was stored.
    let data = app
        .ok(
            t,
            "query($c: ID!) { card(id: $c) { title comments { id } board { cards { id } } } }",
            json!({"c": card}),
        )
        .await;
    assert_eq!(data["card"]["title"], "Ship v1");
    assert_eq!(data["card"]["comments"].as_array().unwrap().len(), 0);
    assert_eq!(data["card"]["board"]["cards"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn unknown_things_are_not_found() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let t = Some(alice.token.as_str());
    for query in [
        "{ board(id: \"777\") { id } }",
        "{ card(id: \"777\") { id } }",
        "{ user(id: \"777\") { id } }",
        "mutation { markNotificationRead(id: \"777\") { id } }",
        "mutation { follow(userId: \"777\") { id } }",
    ] {
        assert_eq!(
            error_code(&app.gql(t, query, json!({})).await),
            "NOT_FOUND",
            "{query}"
        );
    }
}

#[tokio::test]
async fn malformed_cursors_and_page_sizes_are_refused() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let t = Some(alice.token.as_str());
    for query in [
        "{ notifications(after: \"garbage\") { edges { cursor } } }",
        "{ notifications(first: -1) { edges { cursor } } }",
        "{ notifications(first: 101) { edges { cursor } } }",
    ] {
        assert_eq!(
            error_code(&app.gql(t, query, json!({})).await),
            "BAD_USER_INPUT",
            "{query}"
        );
    }
}

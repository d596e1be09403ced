//! Board membership rules.

use serde_json::json;

use crate::kit::{error_code, spawn_app};

#[tokio::test]
async fn only_members_see_and_change_a_board_and_its_cards() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let mallory = app.sign_up("Mallory").await;
    let board = app.board_with(&alice, &[]).await;
    let card = app.card(&alice, &board, "Ship v1").await;
    let m = Some(mallory.token.as_str());

    for (query, vars) in [
        (
            "query($b: ID!) { board(id: $b) { name } }",
            json!({"b": board}),
        ),
        (
            "query($c: ID!) { card(id: $c) { title } }",
            json!({"c": card}),
        ),
        (
            "mutation($b: ID!) { createCard(boardId: $b, title: \"x\") { id } }",
            json!({"b": board}),
        ),
        (
            "mutation($c: ID!) { updateCard(id: $c, input: {title: \"pwned\"}) { id } }",
            json!({"c": card}),
        ),
        (
            "mutation($c: ID!, $u: ID!) { assignCard(cardId: $c, userId: $u) { id } }",
            json!({"c": card, "u": mallory.id}),
        ),
        (
            "mutation($c: ID!) { addComment(cardId: $c, body: \"hi\") { id } }",
            json!({"c": card}),
        ),
        (
            "mutation($b: ID!, $u: ID!) { addBoardMember(boardId: $b, userId: $u) { id } }",
            json!({"b": board, "u": mallory.id}),
        ),
    ] {
        let body = app.gql(m, query, vars).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
    }

    let data = app
        .ok(
            Some(&alice.token),
            "query($c: ID!) { card(id: $c) { title assignees { id } comments { id } board { cards { id } members { id } } } }",
            json!({"c": card}),
        )
        .await;
    assert_eq!(data["card"]["title"], "Ship v1");
    assert_eq!(data["card"]["assignees"], json!([]));
    assert_eq!(data["card"]["comments"], json!([]));
    assert_eq!(data["card"]["board"]["cards"].as_array().unwrap().len(), 1);
    assert_eq!(data["card"]["board"]["members"], json!([{"id": alice.id}]));
}

#[tokio::test]
async fn only_the_owner_adds_members_and_assignees_must_be_members() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let carol = app.sign_up("Carol").await;
    let board = app.board_with(&alice, &[&bob]).await;
    let card = app.card(&bob, &board, "Ship v1").await;

    let add = "mutation($b: ID!, $u: ID!) { addBoardMember(boardId: $b, userId: $u) { members { name } } }";
    let by_member = app
        .gql(Some(&bob.token), add, json!({"b": board, "u": carol.id}))
        .await;
    assert_eq!(error_code(&by_member), "FORBIDDEN");

    let assign = "mutation($c: ID!, $u: ID!) { assignCard(cardId: $c, userId: $u) { id } }";
    let outsider = app
        .gql(Some(&bob.token), assign, json!({"c": card, "u": carol.id}))
        .await;
    assert_eq!(error_code(&outsider), "BAD_USER_INPUT");

    let added = app
        .ok(Some(&alice.token), add, json!({"b": board, "u": carol.id}))
        .await;
    assert_eq!(
        added["addBoardMember"]["members"],
        json!([{"name": "Alice"}, {"name": "Bob"}, {"name": "Carol"}])
    );
    // Adding twice changes nothing.
    let again = app
        .ok(Some(&alice.token), add, json!({"b": board, "u": carol.id}))
        .await;
    assert_eq!(
        again["addBoardMember"]["members"].as_array().unwrap().len(),
        3
    );

    app.ok(Some(&bob.token), assign, json!({"c": card, "u": carol.id}))
        .await;
    let data = app
        .ok(
            Some(&carol.token),
            "query($c: ID!) { card(id: $c) { assignees { name } creator { name } } }",
            json!({"c": card}),
        )
        .await;
    assert_eq!(data["card"]["assignees"], json!([{"name": "Carol"}]));
    assert_eq!(data["card"]["creator"]["name"], "Bob");

    let unassign = "mutation($c: ID!, $u: ID!) { unassignCard(cardId: $c, userId: $u) { assignees { name } } }";
    let data = app
        .ok(
            Some(&bob.token),
            unassign,
            json!({"c": card, "u": carol.id}),
        )
        .await;
    assert_eq!(data["unassignCard"]["assignees"], json!([]));
}

#[tokio::test]
async fn updating_a_card_changes_only_the_given_fields() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let board = app.board_with(&alice, &[]).await;
    let created = app
        .ok(
            Some(&alice.token),
            "mutation($b: ID!) { createCard(boardId: $b, title: \"Ship v1\", description: \"Soon\") { id } }",
            json!({"b": board}),
        )
        .await;
    let card = created["createCard"]["id"].as_str().unwrap();
    let update = "mutation($c: ID!, $i: UpdateCardInput!) { updateCard(id: $c, input: $i) { title description } }";
    let t = Some(alice.token.as_str());
    let d = app
        .ok(t, update, json!({"c": card, "i": {"title": "Ship v2"}}))
        .await;
    assert_eq!(
        d["updateCard"],
        json!({"title": "Ship v2", "description": "Soon"})
    );
    let d = app
        .ok(t, update, json!({"c": card, "i": {"description": "Now"}}))
        .await;
    assert_eq!(
        d["updateCard"],
        json!({"title": "Ship v2", "description": "Now"})
    );
    let d = app
        .ok(t, update, json!({"c": card, "i": {"description": null}}))
        .await;
    assert_eq!(
        d["updateCard"],
        json!({"title": "Ship v2", "description": null})
    );
}

#[tokio::test]
async fn follows_are_idempotent_and_visible_on_both_sides() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let follow = "mutation($u: ID!) { follow(userId: $u) { name } }";
    app.ok(Some(&bob.token), follow, json!({"u": alice.id}))
        .await;
    app.ok(Some(&bob.token), follow, json!({"u": alice.id}))
        .await;
    let me = "{ me { followers { name } following { name } } }";
    let a = app.ok(Some(&alice.token), me, json!({})).await;
    assert_eq!(a["me"]["followers"], json!([{"name": "Bob"}]));
    let b = app.ok(Some(&bob.token), me, json!({})).await;
    assert_eq!(b["me"]["following"], json!([{"name": "Alice"}]));

    let self_follow = app
        .gql(Some(&bob.token), follow, json!({"u": bob.id}))
        .await;
    assert_eq!(error_code(&self_follow), "BAD_USER_INPUT");

    app.ok(
        Some(&bob.token),
        "mutation($u: ID!) { unfollow(userId: $u) { name } }",
        json!({"u": alice.id}),
    )
    .await;
    let a = app.ok(Some(&alice.token), me, json!({})).await;
    assert_eq!(a["me"]["followers"], json!([]));
}

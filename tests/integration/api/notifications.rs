//! Each notification kind reaches exactly its recipients, live, and
//! nobody is told of their own action.

use serde_json::json;

use crate::kit::{shared_card, spawn_app};

#[tokio::test]
async fn assigning_notifies_the_assignee_live_but_not_a_self_assignment() {
    let (app, alice, bob, _, card) = shared_card().await;

    let mut bob_ws = app.ws(&bob.token).await;
    bob_ws.subscribe_notifications(&app, "b", &bob, None).await;
    let mut alice_ws = app.ws(&alice.token).await;
    alice_ws
        .subscribe_notifications(&app, "a", &alice, None)
        .await;

    app.assign(&alice, &card, &bob).await;
    let n = bob_ws.next_notification("b").await;
    assert_eq!(n["kind"], "CARD_ASSIGNED");
    assert_eq!(n["message"], "Alice assigned you to the card “Ship v1”");
    assert_eq!(n["actor"]["name"], "Alice");
    assert_eq!(n["card"]["title"], "Ship v1");

    // Assigning again is a no-op; assigning yourself notifies nobody.
    app.assign(&alice, &card, &bob).await;
    app.assign(&alice, &card, &alice).await;
    bob_ws.assert_quiet().await;
    alice_ws.assert_quiet().await;
    assert_eq!(app.inbox(&bob).await.len(), 1);
    assert_eq!(app.inbox(&alice).await.len(), 0);
}

#[tokio::test]
async fn updating_a_card_notifies_every_assignee_except_the_actor() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let carol = app.sign_up("Carol").await;
    let dave = app.sign_up("Dave").await;
    let board = app.board_with(&alice, &[&bob, &carol, &dave]).await;
    let card = app.card(&alice, &board, "Ship v1").await;
    app.assign(&alice, &card, &bob).await;
    app.assign(&alice, &card, &carol).await;

    let mut bob_ws = app.ws(&bob.token).await;
    bob_ws.subscribe_notifications(&app, "1", &bob, None).await;
    let mut carol_ws = app.ws(&carol.token).await;
    carol_ws
        .subscribe_notifications(&app, "1", &carol, None)
        .await;
    let mut dave_ws = app.ws(&dave.token).await;
    dave_ws
        .subscribe_notifications(&app, "1", &dave, None)
        .await;

    // Bob, an assignee, edits: Carol is told, Bob is not, Dave (not an
    // assignee) is not.
    app.update_title(&bob, &card, "Ship v1.1").await;
    let n = carol_ws.next_notification("1").await;
    assert_eq!(n["kind"], "CARD_UPDATED");
    assert_eq!(n["message"], "Bob updated the card “Ship v1.1”");
    bob_ws.assert_quiet().await;
    dave_ws.assert_quiet().await;

    let inbox = app.inbox(&carol).await;
    assert_eq!(inbox.len(), 2, "assignment then update");
    assert_eq!(inbox[0].1, "CARD_UPDATED");
    assert_eq!(app.inbox(&bob).await.len(), 1, "only Bob's assignment");
    assert!(app.inbox(&dave).await.is_empty());
}

#[tokio::test]
async fn a_comment_notifies_the_creator_and_assignees_except_the_author() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let carol = app.sign_up("Carol").await;
    let board = app.board_with(&alice, &[&bob, &carol]).await;
    let card = app.card(&alice, &board, "Ship v1").await;
    app.assign(&alice, &card, &bob).await;
    app.assign(&alice, &card, &carol).await;

    let mut alice_ws = app.ws(&alice.token).await;
    alice_ws
        .subscribe_notifications(&app, "a", &alice, None)
        .await;
    let mut carol_ws = app.ws(&carol.token).await;
    carol_ws
        .subscribe_notifications(&app, "c", &carol, None)
        .await;
    let mut bob_ws = app.ws(&bob.token).await;
    bob_ws.subscribe_notifications(&app, "b", &bob, None).await;

    let added = app
        .ok(
            Some(&bob.token),
            "mutation($c: ID!) { addComment(cardId: $c, body: \"Looks good to me\") { id author { name } card { title } } }",
            json!({"c": card}),
        )
        .await;
    let comment_id = added["addComment"]["id"].as_str().unwrap();
    for (ws, id) in [(&mut alice_ws, "a"), (&mut carol_ws, "c")] {
        let n = ws.next_notification(id).await;
        assert_eq!(n["kind"], "COMMENT_ADDED");
        assert_eq!(
            n["message"],
            "Bob commented on the card “Ship v1”: Looks good to me"
        );
        assert_eq!(n["actor"]["name"], "Bob");
    }
    bob_ws.assert_quiet().await;

    let data = app
        .ok(
            Some(&alice.token),
            "{ notifications(first: 1) { edges { node { comment { id body author { name } } card { title } } } } }",
            json!({}),
        )
        .await;
    let node = &data["notifications"]["edges"][0]["node"];
    assert_eq!(node["comment"]["id"], comment_id);
    assert_eq!(node["comment"]["body"], "Looks good to me");
    assert_eq!(node["card"]["title"], "Ship v1");
}

#[tokio::test]
async fn the_creator_commenting_on_their_own_card_notifies_only_assignees() {
    let (app, alice, bob, _, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;
    app.assign(&alice, &card, &alice).await;
    app.ok(
        Some(&alice.token),
        "mutation($c: ID!) { addComment(cardId: $c, body: \"note to self\") { id } }",
        json!({"c": card}),
    )
    .await;
    assert!(app.inbox(&alice).await.is_empty());
    let bob_inbox = app.inbox(&bob).await;
    assert_eq!(bob_inbox.len(), 2);
    assert_eq!(bob_inbox[0].1, "COMMENT_ADDED");
}

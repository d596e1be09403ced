//! The persisted inbox: newest-first pages, read state, unread count.

use serde_json::json;

use crate::kit::{error_code, spawn_app};

#[tokio::test]
async fn pages_are_newest_first_and_cursors_continue_where_they_stopped() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let board = app.board_with(&alice, &[&bob]).await;
    let card = app.card(&alice, &board, "Card 0").await;
    app.assign(&alice, &card, &bob).await;
    for i in 1..=4 {
        app.update_title(&alice, &card, &format!("Card {i}")).await;
    }

    let page = "query($after: String) { notifications(first: 2, after: $after) { \
                edges { cursor node { kind message cursor readAt } } pageInfo { hasNextPage endCursor } } }";
    let t = Some(bob.token.as_str());
    let first = app.ok(t, page, json!({"after": null})).await["notifications"].clone();
    let messages = |conn: &serde_json::Value| -> Vec<String> {
        conn["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["message"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        messages(&first),
        [
            "Alice updated the card “Card 4”",
            "Alice updated the card “Card 3”"
        ]
    );
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["endCursor"], first["edges"][1]["cursor"]);
    assert_eq!(
        first["edges"][0]["cursor"],
        first["edges"][0]["node"]["cursor"]
    );
    assert!(first["edges"][0]["node"]["readAt"].is_null());

    let second = app
        .ok(t, page, json!({"after": first["pageInfo"]["endCursor"]}))
        .await["notifications"]
        .clone();
    assert_eq!(
        messages(&second),
        [
            "Alice updated the card “Card 2”",
            "Alice updated the card “Card 1”"
        ]
    );
    let third = app
        .ok(t, page, json!({"after": second["pageInfo"]["endCursor"]}))
        .await["notifications"]
        .clone();
    assert_eq!(
        messages(&third),
        ["Alice assigned you to the card “Card 0”"]
    );
    assert_eq!(third["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn read_state_and_unread_count() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let board = app.board_with(&alice, &[&bob]).await;
    let card = app.card(&alice, &board, "Ship").await;
    app.assign(&alice, &card, &bob).await;
    app.update_title(&alice, &card, "Ship it").await;
    app.update_title(&alice, &card, "Ship it now").await;
    let t = Some(bob.token.as_str());
    let count = "{ unreadNotificationCount }";
    assert_eq!(
        app.ok(t, count, json!({})).await["unreadNotificationCount"],
        3
    );

    let list = app
        .ok(t, "{ notifications { edges { node { id } } } }", json!({}))
        .await;
    let newest = list["notifications"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mark = "mutation($id: ID!) { markNotificationRead(id: $id) { id readAt } }";
    let marked = app.ok(t, mark, json!({"id": newest})).await;
    let read_at = marked["markNotificationRead"]["readAt"].clone();
    assert!(read_at.is_string());
    // Marking again keeps the first read time.
    let again = app.ok(t, mark, json!({"id": newest})).await;
    assert_eq!(again["markNotificationRead"]["readAt"], read_at);
    assert_eq!(
        app.ok(t, count, json!({})).await["unreadNotificationCount"],
        2
    );

    let unread = app
        .ok(
            t,
            "{ notifications(unreadOnly: true) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        unread["notifications"]["edges"].as_array().unwrap().len(),
        2
    );

    // Someone else's notification cannot be marked: it does not exist for them.
    let stolen = app
        .gql(Some(&alice.token), mark, json!({"id": newest}))
        .await;
    assert_eq!(error_code(&stolen), "NOT_FOUND");

    let all = app
        .ok(t, "mutation { markAllNotificationsRead }", json!({}))
        .await;
    assert_eq!(all["markAllNotificationsRead"], 2);
    assert_eq!(
        app.ok(t, count, json!({})).await["unreadNotificationCount"],
        0
    );
    let all = app
        .ok(t, "mutation { markAllNotificationsRead }", json!({}))
        .await;
    assert_eq!(all["markAllNotificationsRead"], 0);
}

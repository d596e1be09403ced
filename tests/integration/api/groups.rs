//! Grouped notifications: unread notifications of one kind about one
//! subject read as one sentence, are marked read together, and change
//! live through the `inbox` subscription.

use serde_json::{Value, json};

use super::uploads::{PNG, follow, upload};
use crate::kit::{TestApp, TestUser, error_code, shared_card, spawn_app};

const GROUPS: &str = "query($first: Int, $after: String) { notificationGroups(first: $first, after: $after) { \
     edges { cursor node { key kind count actorCount actors { name } message latestAt \
     latest { id message groupKey } } } pageInfo { hasNextPage endCursor } } }";

async fn groups(app: &TestApp, user: &TestUser) -> Vec<Value> {
    groups_page(app, user, json!({})).await.0
}

async fn groups_page(app: &TestApp, user: &TestUser, variables: Value) -> (Vec<Value>, Value) {
    let data = app.ok(Some(&user.token), GROUPS, variables).await;
    let connection = &data["notificationGroups"];
    let nodes = connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| {
            assert!(edge["cursor"].is_string(), "{edge}");
            edge["node"].clone()
        })
        .collect();
    (nodes, connection["pageInfo"].clone())
}

async fn comment(app: &TestApp, user: &TestUser, card: &str, body: &str) {
    app.ok(
        Some(&user.token),
        "mutation($c: ID!, $b: String!) { addComment(cardId: $c, body: $b) { id } }",
        json!({"c": card, "b": body}),
    )
    .await;
}

async fn unread_count(app: &TestApp, user: &TestUser) -> i64 {
    app.ok(Some(&user.token), "{ unreadNotificationCount }", json!({}))
        .await["unreadNotificationCount"]
        .as_i64()
        .unwrap()
}

async fn mark_group(app: &TestApp, user: &TestUser, key: &str, up_to: Option<&str>) -> Value {
    app.gql(
        Some(&user.token),
        "mutation($k: String!, $u: String) { markNotificationGroupRead(key: $k, upTo: $u) }",
        json!({"k": key, "u": up_to}),
    )
    .await
}

/// Alice's card "Ship v1" on a board she shares with Bob, Carol, Dave
/// and Eve; returns the board and the card.
async fn busy_card() -> (TestApp, [TestUser; 5], String, String) {
    let (app, alice, bob, board, card) = shared_card().await;
    let mut others = Vec::new();
    for name in ["Carol", "Dave", "Eve"] {
        let user = app.sign_up(name).await;
        app.ok(
            Some(&alice.token),
            "mutation($b: ID!, $u: ID!) { addBoardMember(boardId: $b, userId: $u) { id } }",
            json!({"b": board, "u": user.id}),
        )
        .await;
        others.push(user);
    }
    let [carol, dave, eve]: [TestUser; 3] = others.try_into().ok().unwrap();
    (app, [alice, bob, carol, dave, eve], board, card)
}

#[tokio::test]
async fn comments_on_one_card_read_as_one_sentence() {
    let (app, [alice, bob, carol, dave, eve], _board, card) = busy_card().await;
    comment(&app, &bob, &card, "First").await;
    comment(&app, &carol, &card, "Second").await;
    comment(&app, &bob, &card, "Third").await;
    comment(&app, &dave, &card, "Fourth").await;
    comment(&app, &eve, &card, "Fifth").await;

    let listed = groups(&app, &alice).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let group = &listed[0];
    assert_eq!(group["kind"], "COMMENT_ADDED");
    assert_eq!(group["count"], 5);
    assert_eq!(group["actorCount"], 4);
    assert_eq!(
        group["actors"],
        json!([{"name": "Eve"}, {"name": "Dave"}, {"name": "Bob"}]),
        "the most recent people first, each once"
    );
    assert_eq!(
        group["message"],
        "Eve and 3 others commented on the card “Ship v1”"
    );
    assert_eq!(
        group["latest"]["message"],
        "Eve commented on the card “Ship v1”: Fifth"
    );
    assert_eq!(group["latest"]["groupKey"], group["key"]);
    // The flat list is unchanged: five notifications.
    assert_eq!(app.inbox(&alice).await.len(), 5);
}

#[tokio::test]
async fn each_kind_has_its_own_sentence() {
    let (app, [alice, bob, _carol, _dave, _eve], _board, card) = busy_card().await;
    // Bob, assigned to Alice's card, hears of her edits; one person's
    // edits say how many.
    app.assign(&alice, &card, &bob).await;
    for title in ["Ship v2", "Ship v3", "Ship v4"] {
        app.update_title(&alice, &card, title).await;
    }
    // One comment is a group of one: its own message.
    comment(&app, &alice, &card, "Done?").await;
    // Two photos from Alice, whom Bob follows.
    follow(&app, &bob, &alice).await;
    for _ in 0..2 {
        let response = upload(&app, &alice, PNG.to_vec(), "a.png", "image/png").await;
        assert!(response.status().is_success());
    }
    // Two mentions in one room.
    let room = app.create_room(&alice, "Launch party").await;
    app.join_room(&bob, &room).await;
    app.send_message(&alice, &room, "@Bob lunch?").await;
    app.send_message(&alice, &room, "@Bob hello?").await;

    let listed = groups(&app, &bob).await;
    let sentences: Vec<(&str, i64, &str)> = listed
        .iter()
        .map(|g| {
            (
                g["kind"].as_str().unwrap(),
                g["count"].as_i64().unwrap(),
                g["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sentences,
        [
            (
                "CHAT_MENTION",
                2,
                "Alice mentioned you in “Launch party” 2 times"
            ),
            ("POST_UPLOADED", 2, "Alice posted 2 new photos"),
            (
                "COMMENT_ADDED",
                1,
                "Alice commented on the card “Ship v4”: Done?"
            ),
            (
                "CARD_UPDATED",
                3,
                "Alice updated the card “Ship v4” 3 times"
            ),
            (
                "CARD_ASSIGNED",
                1,
                "Alice assigned you to the card “Ship v1”"
            ),
        ],
        "newest group first"
    );
}

#[tokio::test]
async fn groups_page_by_their_newest_notification() {
    let (app, [alice, bob, carol, _dave, _eve], board, card) = busy_card().await;
    let second = app.card(&alice, &board, "Docs").await;
    let third = app.card(&alice, &board, "Tests").await;
    comment(&app, &bob, &card, "a").await;
    comment(&app, &bob, &second, "b").await;
    comment(&app, &carol, &third, "c").await;
    // A new comment moves the first card's group to the top.
    comment(&app, &carol, &card, "d").await;

    let (first_page, info) = groups_page(&app, &alice, json!({"first": 2})).await;
    let titles = |page: &[Value]| -> Vec<String> {
        page.iter()
            .map(|g| g["message"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        titles(&first_page),
        [
            "Carol and Bob commented on the card “Ship v1”",
            "Carol commented on the card “Tests”: c",
        ]
    );
    assert_eq!(info["hasNextPage"], true);
    let (rest, info) = groups_page(
        &app,
        &alice,
        json!({"first": 2, "after": info["endCursor"]}),
    )
    .await;
    assert_eq!(titles(&rest), ["Bob commented on the card “Docs”: b"]);
    assert_eq!(info["hasNextPage"], false);

    let refused = app
        .gql(Some(&alice.token), GROUPS, json!({"first": 101}))
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT");
    let refused = app
        .gql(Some(&alice.token), GROUPS, json!({"after": "nonsense"}))
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT");
    let refused = app.gql(None, GROUPS, json!({})).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED");
}

#[tokio::test]
async fn marking_a_group_read_marks_every_member_and_nothing_else() {
    let (app, [alice, bob, carol, _dave, _eve], board, card) = busy_card().await;
    let other = app.card(&alice, &board, "Docs").await;
    comment(&app, &bob, &card, "a").await;
    comment(&app, &carol, &card, "b").await;
    comment(&app, &bob, &other, "c").await;
    let listed = groups(&app, &alice).await;
    let ship = listed
        .iter()
        .find(|g| g["count"] == 2)
        .expect("the busy card's group");
    let key = ship["key"].as_str().unwrap().to_owned();
    let seen = app.newest_cursors(&alice, 1).await.remove(0);

    // A comment arrives after the client showed the group: marking up to
    // what it showed leaves the new one unread.
    comment(&app, &bob, &card, "late").await;
    let marked = mark_group(&app, &alice, &key, Some(&seen)).await;
    assert_eq!(marked["data"]["markNotificationGroupRead"], 2, "{marked}");
    assert_eq!(unread_count(&app, &alice).await, 2);
    let after = groups(&app, &alice).await;
    assert_eq!(after.len(), 2);
    let ship_now = after.iter().find(|g| g["key"] == key.as_str()).unwrap();
    assert_eq!(ship_now["count"], 1);
    assert_eq!(
        ship_now["message"],
        "Bob commented on the card “Ship v1”: late"
    );

    // Without `upTo`, every member; again, nothing left to mark.
    assert_eq!(
        mark_group(&app, &alice, &key, None).await["data"]["markNotificationGroupRead"],
        1
    );
    assert_eq!(
        mark_group(&app, &alice, &key, None).await["data"]["markNotificationGroupRead"],
        0
    );
    assert_eq!(unread_count(&app, &alice).await, 1);
    let left = groups(&app, &alice).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["message"], "Bob commented on the card “Docs”: c");
    // The flat list keeps every notification, read ones with their time.
    let flat = app
        .ok(
            Some(&alice.token),
            "{ notifications { edges { node { groupKey readAt } } } }",
            json!({}),
        )
        .await;
    let read: Vec<bool> = flat["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| !e["node"]["readAt"].is_null())
        .collect();
    assert_eq!(read, [true, false, true, true]);

    // Someone else's group, an unknown one, and bad keys.
    assert_eq!(
        error_code(&mark_group(&app, &bob, &key, None).await),
        "NOT_FOUND"
    );
    assert_eq!(
        error_code(&mark_group(&app, &alice, "COMMENT_ADDED:card:999", None).await),
        "NOT_FOUND"
    );
    assert_eq!(
        error_code(&mark_group(&app, &alice, "", None).await),
        "BAD_USER_INPUT"
    );
    let long = "x".repeat(401);
    assert_eq!(
        error_code(&mark_group(&app, &alice, &long, None).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        error_code(&mark_group(&app, &alice, &key, Some("bad")).await),
        "BAD_USER_INPUT"
    );
    let anonymous = app
        .gql(
            None,
            "mutation { markNotificationGroupRead(key: \"k\") }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
    assert_eq!(
        unread_count(&app, &alice).await,
        1,
        "refusals changed nothing"
    );
}

const INBOX_GROUPS: &str = "subscription($u: ID!) { inbox(userId: $u) { \
     kind unreadCount readIds groupKeys groups { key count actorCount message } } }";

#[tokio::test]
async fn the_inbox_carries_each_change_of_a_group() {
    let (app, [alice, bob, carol, _dave, _eve], _board, card) = busy_card().await;
    comment(&app, &bob, &card, "a").await;
    let mut ws = app.ws(&alice.token).await;
    ws.subscribe("in", INBOX_GROUPS, json!({"u": alice.id}))
        .await;
    let state = next_update(&mut ws).await;
    assert_eq!(state["kind"], "STATE");
    assert_eq!(state["groupKeys"], json!([]));

    comment(&app, &carol, &card, "b").await;
    let update = next_update(&mut ws).await;
    assert_eq!(update["kind"], "NOTIFICATION");
    let key = update["groupKeys"][0].as_str().unwrap().to_owned();
    assert!(key.starts_with("COMMENT_ADDED:card:"), "{key}");
    assert_eq!(
        update["groups"],
        json!([{
            "key": key,
            "count": 2,
            "actorCount": 2,
            "message": "Carol and Bob commented on the card “Ship v1”",
        }])
    );

    // Read on another device: the group empties here.
    let marked = mark_group(&app, &alice, &key, None).await;
    assert_eq!(marked["data"]["markNotificationGroupRead"], 2);
    let update = next_update(&mut ws).await;
    assert_eq!(update["kind"], "READ");
    assert_eq!(update["readIds"].as_array().unwrap().len(), 2);
    assert_eq!(update["groupKeys"], json!([key]));
    assert_eq!(update["groups"], json!([]), "nothing unread is left in it");
    assert_eq!(update["unreadCount"], 0);
    ws.assert_quiet().await;
}

async fn next_update(ws: &mut crate::kit::WsClient) -> Value {
    let payload = ws.next_payload("in").await;
    assert!(payload.get("errors").is_none(), "{payload}");
    payload["data"]["inbox"].clone()
}

#[tokio::test]
async fn a_user_with_nothing_unread_has_no_groups() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let (listed, info) = groups_page(&app, &alice, json!({})).await;
    assert!(listed.is_empty());
    assert_eq!(info, json!({"hasNextPage": false, "endCursor": null}));
}

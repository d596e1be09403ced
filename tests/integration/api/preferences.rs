//! Notification preferences and mutes: what is off is never written nor
//! delivered, turning it back on restores it, and every change reaches
//! the user's other devices through `inbox`.

use serde_json::{Value, json};

use super::inbox_live::{inbox_ws, next_update};
use crate::kit::{TestApp, TestUser, error_code, shared_card, shared_room};

async fn set_kind(app: &TestApp, user: &TestUser, kind: &str, enabled: bool) -> Value {
    app.gql(
        Some(&user.token),
        "mutation($k: NotificationKind!, $on: Boolean!) { \
           setNotificationPreference(kind: $k, enabled: $on) { kinds { kind channel enabled } } }",
        json!({"k": kind, "on": enabled}),
    )
    .await
}

fn enabled(preferences: &Value, kind: &str) -> bool {
    preferences["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == kind && k["channel"] == "IN_APP")
        .unwrap()["enabled"]
        .as_bool()
        .unwrap()
}

#[tokio::test]
async fn a_kind_turned_off_is_neither_stored_nor_delivered() {
    let (app, alice, bob, _board, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;
    let (mut other_device, _) = inbox_ws(&app, &bob, "in", None).await;
    let mut ws = app.ws(&bob.token).await;
    ws.subscribe_notifications(&app, "n", &bob, None).await;

    let off = set_kind(&app, &bob, "CARD_UPDATED", false).await;
    assert!(!enabled(
        &off["data"]["setNotificationPreference"],
        "CARD_UPDATED"
    ));
    assert!(enabled(
        &off["data"]["setNotificationPreference"],
        "COMMENT_ADDED"
    ));
    let pushed = next_update(&mut other_device, "in").await;
    assert_eq!(pushed["kind"], "PREFERENCES");
    assert!(!enabled(&pushed["preferences"], "CARD_UPDATED"));

    app.update_title(&alice, &card, "Quiet").await;
    ws.assert_quiet().await;
    other_device.assert_quiet().await;
    assert_eq!(app.inbox(&bob).await.len(), 1, "only the assignment");

    // Turning it off again changes nothing and pushes nothing.
    set_kind(&app, &bob, "CARD_UPDATED", false).await;
    other_device.assert_quiet().await;

    let on = set_kind(&app, &bob, "CARD_UPDATED", true).await;
    assert!(enabled(
        &on["data"]["setNotificationPreference"],
        "CARD_UPDATED"
    ));
    assert_eq!(
        next_update(&mut other_device, "in").await["kind"],
        "PREFERENCES"
    );
    app.update_title(&alice, &card, "Loud").await;
    assert_eq!(
        ws.next_notification("n").await["message"],
        "Alice updated the card “Loud”"
    );
    let update = next_update(&mut other_device, "in").await;
    assert_eq!(
        (update["kind"].clone(), update["unreadCount"].clone()),
        (json!("NOTIFICATION"), json!(2))
    );
    let read = app
        .ok(
            Some(&bob.token),
            "{ notificationPreferences { kinds { kind channel enabled } } }",
            json!({}),
        )
        .await;
    assert!(enabled(&read["notificationPreferences"], "CARD_UPDATED"));
}

#[tokio::test]
async fn unknown_kinds_are_bad_input() {
    let (app, _alice, bob, _board, _card) = shared_card().await;
    let refused = set_kind(&app, &bob, "NOT_A_KIND", false).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    let refused = app
        .gql(
            Some(&bob.token),
            "mutation { setNotificationPreference(kind: NOPE, enabled: false) { kinds { kind } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    let preferences = app
        .ok(
            Some(&bob.token),
            "{ notificationPreferences { kinds { enabled } } }",
            json!({}),
        )
        .await;
    let kinds = preferences["notificationPreferences"]["kinds"]
        .as_array()
        .unwrap();
    assert_eq!(kinds.len(), 12, "six kinds on two channels");
    assert!(
        kinds.iter().all(|k| k["enabled"] == true),
        "nothing half-written"
    );
}

const MUTE_BOARD: &str = "mutation($b: ID!) { muteBoard(boardId: $b) { id muted } }";
const UNMUTE_BOARD: &str = "mutation($b: ID!) { unmuteBoard(boardId: $b) { id muted } }";

#[tokio::test]
async fn a_muted_board_is_silent_until_unmuted() {
    let (app, alice, bob, board, card) = shared_card().await;
    app.assign(&alice, &card, &bob).await;
    let mut ws = app.ws(&bob.token).await;
    ws.subscribe_notifications(&app, "n", &bob, None).await;
    let muted = app
        .ok(Some(&bob.token), MUTE_BOARD, json!({"b": board}))
        .await;
    assert_eq!(muted["muteBoard"], json!({"id": board, "muted": true}));
    let listed = app
        .ok(
            Some(&bob.token),
            "{ notificationPreferences { mutedBoards { id name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["notificationPreferences"]["mutedBoards"][0]["id"],
        board.as_str()
    );

    app.update_title(&alice, &card, "Muted").await;
    app.ok(
        Some(&alice.token),
        "mutation($c: ID!) { addComment(cardId: $c, body: \"hello\") { id } }",
        json!({"c": card}),
    )
    .await;
    ws.assert_quiet().await;
    assert_eq!(app.inbox(&bob).await.len(), 1);
    // Alice did not mute it: her board still notifies her.
    let alices = app
        .ok(
            Some(&alice.token),
            "query($b: ID!) { board(id: $b) { muted } }",
            json!({"b": board}),
        )
        .await;
    assert_eq!(alices["board"]["muted"], false);

    let unmuted = app
        .ok(Some(&bob.token), UNMUTE_BOARD, json!({"b": board}))
        .await;
    assert_eq!(unmuted["unmuteBoard"]["muted"], false);
    app.update_title(&alice, &card, "Loud").await;
    assert_eq!(
        ws.next_notification("n").await["message"],
        "Alice updated the card “Loud”"
    );
}

#[tokio::test]
async fn muting_needs_a_board_or_room_you_can_see() {
    let (app, alice, bob, board, _card) = shared_card().await;
    let carol = app.sign_up("Carol").await;
    let code = app
        .code_of(Some(&carol.token), MUTE_BOARD, json!({"b": board}))
        .await;
    assert_eq!(code, "FORBIDDEN");
    let code = app
        .code_of(Some(&bob.token), MUTE_BOARD, json!({"b": "999999"}))
        .await;
    assert_eq!(code, "NOT_FOUND");
    let code = app
        .code_of(Some(&bob.token), MUTE_BOARD, json!({"b": "x"}))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    let room = app.create_room(&alice, "Launch").await;
    let mute_room = "mutation($r: ID!) { muteChatRoom(roomId: $r) { id muted } }";
    let code = app
        .code_of(Some(&bob.token), mute_room, json!({"r": room}))
        .await;
    assert_eq!(code, "FORBIDDEN");
    let code = app
        .code_of(Some(&bob.token), mute_room, json!({"r": "999999"}))
        .await;
    assert_eq!(code, "NOT_FOUND");
    let code = app.code_of(None, mute_room, json!({"r": room})).await;
    assert_eq!(code, "UNAUTHENTICATED");
    let listed = app
        .ok(
            Some(&carol.token),
            "{ notificationPreferences { mutedBoards { id } mutedChatRooms { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["notificationPreferences"],
        json!({"mutedBoards": [], "mutedChatRooms": []})
    );
}

#[tokio::test]
async fn a_muted_room_mentions_nobody_who_muted_it() {
    let (app, alice, bob, room) = shared_room().await;
    app.join_room(&bob, &room).await;
    let mut ws = app.ws(&bob.token).await;
    ws.subscribe_notifications(&app, "n", &bob, None).await;
    let mute_room = "mutation($r: ID!) { muteChatRoom(roomId: $r) { id muted } }";
    let muted = app
        .ok(Some(&bob.token), mute_room, json!({"r": room}))
        .await;
    assert_eq!(muted["muteChatRoom"]["muted"], true);
    app.send_message(&alice, &room, "@Bob are you there?").await;
    ws.assert_quiet().await;
    assert!(app.inbox(&bob).await.is_empty());

    let unmute = "mutation($r: ID!) { unmuteChatRoom(roomId: $r) { id muted } }";
    app.ok(Some(&bob.token), unmute, json!({"r": room})).await;
    app.send_message(&alice, &room, "@Bob now?").await;
    let note = ws.next_notification("n").await;
    assert_eq!(note["kind"], "CHAT_MENTION");
}

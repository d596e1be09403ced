//! `schema.graphql` is the contract frontends generate types from: it must
//! be exactly what the server serves.

#[test]
fn checked_in_schema_matches_the_served_sdl() {
    let served = herald::graphql::sdl();
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
            .expect("schema.graphql at the top of the repository");
    assert!(
        served == checked_in,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

#[test]
fn the_schema_has_the_public_contract() {
    let sdl = herald::graphql::sdl();
    for needle in [
        "scalar DateTime",
        "scalar Upload",
        "enum NotificationKind",
        "notifications(userId: ID!, after: String): Notification!",
        "notifications(first: Int, after: String, unreadOnly: Boolean): NotificationConnection!",
        "uploadPost(file: Upload!, caption: String): Post!",
        "updateCard(id: ID!, input: UpdateCardInput!): Card!",
        "markAllNotificationsRead: Int!",
        "inbox(userId: ID!, after: String): InboxUpdate!",
        "notificationPreferences: NotificationPreferences!",
        "muteBoard(boardId: ID!): Board!",
        "muteChatRoom(roomId: ID!): ChatRoom!",
    ] {
        assert!(sdl.contains(needle), "missing from the schema: {needle}");
    }
}

//! Who is told what: pure functions from a domain event to its recipients
//! and message, and the one place where a write transaction is committed
//! and then published.

use std::sync::Arc;

use async_graphql::Enum;

use crate::{
    broker::{Broker, Event},
    store::{Card, Comment, Id, NewNotification, Notification, Post, StoreResult, User, WriteTx},
};

/// What happened, as the client sees it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    /// A card you are assigned to was edited.
    CardUpdated,
    /// You were assigned to a card.
    CardAssigned,
    /// Someone commented on a card you created or are assigned to.
    CommentAdded,
    /// Someone you follow posted a photo.
    PostUploaded,
}

impl NotificationKind {
    /// The value stored in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::CardUpdated => "CARD_UPDATED",
            NotificationKind::CardAssigned => "CARD_ASSIGNED",
            NotificationKind::CommentAdded => "COMMENT_ADDED",
            NotificationKind::PostUploaded => "POST_UPLOADED",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        [
            NotificationKind::CardUpdated,
            NotificationKind::CardAssigned,
            NotificationKind::CommentAdded,
            NotificationKind::PostUploaded,
        ]
        .into_iter()
        .find(|k| k.as_str() == stored)
    }
}

/// The people to notify among `candidates`: each once, in the order given,
/// and never the actor.
pub fn recipients_of(actor: Id, candidates: impl IntoIterator<Item = Id>) -> Vec<Id> {
    let mut out: Vec<Id> = Vec::new();
    for id in candidates {
        if id != actor && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Longest excerpt of a comment or caption quoted in a message.
const EXCERPT_CHARS: usize = 80;

fn excerpt(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= EXCERPT_CHARS {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(EXCERPT_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

pub fn card_updated(actor: &User, card: &Card) -> NewNotification {
    NewNotification {
        kind: NotificationKind::CardUpdated.as_str(),
        message: format!("{} updated the card “{}”", actor.name, card.title),
        actor_id: Some(actor.id),
        card_id: Some(card.id),
        ..Default::default()
    }
}

pub fn card_assigned(actor: &User, card: &Card) -> NewNotification {
    NewNotification {
        kind: NotificationKind::CardAssigned.as_str(),
        message: format!("{} assigned you to the card “{}”", actor.name, card.title),
        actor_id: Some(actor.id),
        card_id: Some(card.id),
        ..Default::default()
    }
}

pub fn comment_added(actor: &User, card: &Card, comment: &Comment) -> NewNotification {
    NewNotification {
        kind: NotificationKind::CommentAdded.as_str(),
        message: format!(
            "{} commented on the card “{}”: {}",
            actor.name,
            card.title,
            excerpt(&comment.body)
        ),
        actor_id: Some(actor.id),
        card_id: Some(card.id),
        comment_id: Some(comment.id),
        ..Default::default()
    }
}

pub fn post_uploaded(actor: &User, post: &Post) -> NewNotification {
    let message = match post.caption.as_deref().map(str::trim) {
        Some(caption) if !caption.is_empty() => {
            format!("{} posted a new photo: {}", actor.name, excerpt(caption))
        }
        _ => format!("{} posted a new photo", actor.name),
    };
    NewNotification {
        kind: NotificationKind::PostUploaded.as_str(),
        message,
        actor_id: Some(actor.id),
        post_id: Some(post.id),
        ..Default::default()
    }
}

/// Commits the transaction, then publishes the notifications it wrote.
/// A notification a client can see live is therefore always in the store;
/// if the process dies between the two, subscribers catch up by cursor.
pub async fn commit_then_publish(
    tx: WriteTx<'_>,
    broker: &dyn Broker,
    written: Vec<Notification>,
) -> StoreResult<()> {
    tx.commit().await?;
    if !written.is_empty() {
        broker
            .publish(
                written
                    .into_iter()
                    .map(|n| Event::Notification(Arc::new(n)))
                    .collect(),
            )
            .await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: Id, name: &str) -> User {
        User {
            id,
            name: name.into(),
            email: format!("{name}@example.com"),
            created_at: 0,
        }
    }

    #[test]
    fn the_actor_is_never_a_recipient_and_nobody_is_told_twice() {
        assert_eq!(recipients_of(1, [2, 1, 3, 2]), vec![2, 3]);
        assert_eq!(recipients_of(1, [1]), Vec::<Id>::new());
    }

    #[test]
    fn messages_name_the_actor_and_the_card() {
        let card = Card {
            id: 5,
            board_id: 1,
            title: "Ship v1".into(),
            description: None,
            creator_id: 1,
            created_at: 0,
            updated_at: 0,
        };
        let alice = user(1, "Alice");
        assert_eq!(
            card_updated(&alice, &card).message,
            "Alice updated the card “Ship v1”"
        );
        assert_eq!(
            card_assigned(&alice, &card).message,
            "Alice assigned you to the card “Ship v1”"
        );
        let long = "x".repeat(200);
        let comment = Comment {
            id: 1,
            card_id: 5,
            author_id: 1,
            body: long,
            created_at: 0,
        };
        let message = comment_added(&alice, &card, &comment).message;
        assert!(message.starts_with("Alice commented on the card “Ship v1”: xxx"));
        assert!(message.ends_with('…'));
        assert!(message.chars().count() < 140);
    }

    #[test]
    fn kinds_round_trip_through_their_stored_form() {
        for kind in [
            NotificationKind::CardUpdated,
            NotificationKind::CardAssigned,
            NotificationKind::CommentAdded,
            NotificationKind::PostUploaded,
        ] {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NotificationKind::parse("nope"), None);
    }
}

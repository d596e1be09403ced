//! Who is told what: pure functions from what happened to who must hear
//! of it (an `Audience`) and what they are told (an `Announcement`).
//!
//! The rule that nobody is told of their own action lives here, once:
//! `recipients_of` leaves the actor out of a list, and the audiences the
//! store selects itself carry the actor as their exception. The store
//! translates an audience into its query; it never decides who is told.
//! Nothing here reads or writes anything.

use std::{collections::HashMap, sync::Arc};

use crate::model::{
    Audience, Card, ChatMessage, ChatRoom, Comment, Id, NewNotification, NotificationKind, Post,
    Subjects, User,
};

/// What one event tells each of its recipients, and the rows it names
/// (shared by every recipient's live delivery).
#[derive(Clone, Debug)]
pub struct Announcement {
    pub new: NewNotification,
    pub subjects: Arc<Subjects>,
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

/// Who hears that `actor` updated `card`: every assignee but the actor.
pub fn card_updated_audience(actor: Id, card: &Card) -> Audience {
    Audience::CardAssignees {
        card: card.id,
        except: actor,
    }
}

/// Who hears that `actor` assigned `assignee`: the assignee, unless it is
/// the actor.
pub fn card_assigned_audience(actor: Id, assignee: Id) -> Audience {
    Audience::Users(recipients_of(actor, [assignee]))
}

/// Who hears of a comment on `card`: its creator and assignees, but not
/// the author.
pub fn comment_added_audience(actor: Id, card: &Card, assignees: &[Id]) -> Audience {
    let candidates = std::iter::once(card.creator_id).chain(assignees.iter().copied());
    Audience::Users(recipients_of(actor, candidates))
}

/// Who hears that `actor` posted a photo: every follower.
pub fn post_uploaded_audience(actor: Id) -> Audience {
    Audience::Followers {
        followee: actor,
        except: actor,
    }
}

/// Who hears of a chat message: the members it mentions, but not its
/// author.
pub fn chat_mention_audience(actor: Id, mentioned: Vec<Id>) -> Audience {
    Audience::Users(recipients_of(actor, mentioned))
}

/// Who hears of what an app published: the users it named and the
/// members of the topics it named, each once, never the actor.
pub fn published_audience(actor: Option<Id>, users: &[Id], topics: Vec<String>) -> Audience {
    // 0 is no user's id: without an actor, nobody is left out.
    let users = recipients_of(actor.unwrap_or(0), users.iter().copied());
    Audience::Published {
        users,
        topics,
        except: actor,
    }
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

/// The subjects of a notification about `card` by `actor`.
fn about(actor: &User, card: Option<&Card>) -> Subjects {
    Subjects {
        actor: Some(Arc::new(actor.clone())),
        card: card.map(|c| Arc::new(c.clone())),
        ..Default::default()
    }
}

fn announce(new: NewNotification, subjects: Subjects) -> Announcement {
    Announcement {
        new,
        subjects: Arc::new(subjects),
    }
}

pub fn card_updated(actor: &User, card: &Card) -> Announcement {
    announce(
        NewNotification {
            kind: NotificationKind::CardUpdated.as_str(),
            message: format!("{} updated the card “{}”", actor.name, card.title),
            actor_id: Some(actor.id),
            card_id: Some(card.id),
            group_key: group_key(NotificationKind::CardUpdated, "card", card.id),
            ..Default::default()
        },
        about(actor, Some(card)),
    )
}

pub fn card_assigned(actor: &User, card: &Card) -> Announcement {
    announce(
        NewNotification {
            kind: NotificationKind::CardAssigned.as_str(),
            message: format!("{} assigned you to the card “{}”", actor.name, card.title),
            actor_id: Some(actor.id),
            card_id: Some(card.id),
            group_key: group_key(NotificationKind::CardAssigned, "card", card.id),
            ..Default::default()
        },
        about(actor, Some(card)),
    )
}

pub fn comment_added(actor: &User, card: &Card, comment: &Comment) -> Announcement {
    announce(
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
            group_key: group_key(NotificationKind::CommentAdded, "card", card.id),
            ..Default::default()
        },
        Subjects {
            comment: Some(Arc::new(comment.clone())),
            ..about(actor, Some(card))
        },
    )
}

pub fn post_uploaded(actor: &User, post: &Post) -> Announcement {
    let message = match post.caption.as_deref().map(str::trim) {
        Some(caption) if !caption.is_empty() => {
            format!("{} posted a new photo: {}", actor.name, excerpt(caption))
        }
        _ => format!("{} posted a new photo", actor.name),
    };
    announce(
        NewNotification {
            kind: NotificationKind::PostUploaded.as_str(),
            message,
            actor_id: Some(actor.id),
            post_id: Some(post.id),
            group_key: group_key(NotificationKind::PostUploaded, "user", actor.id),
            ..Default::default()
        },
        Subjects {
            post: Some(Arc::new(post.clone())),
            ..about(actor, None)
        },
    )
}

pub fn chat_mention(actor: &User, room: &ChatRoom, message: &ChatMessage) -> Announcement {
    announce(
        NewNotification {
            kind: NotificationKind::ChatMention.as_str(),
            message: format!(
                "{} mentioned you in “{}”: {}",
                actor.name,
                room.name,
                excerpt(&message.body)
            ),
            actor_id: Some(actor.id),
            chat_message_id: Some(message.id),
            group_key: group_key(NotificationKind::ChatMention, "room", room.id),
            ..Default::default()
        },
        about(actor, None),
    )
}

/// What an app publishes, as checked by the API: its type, its sentence
/// and what it attached. Serialised, it identifies a publish request (to
/// tell a retry from another request reusing its idempotency key).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Published {
    pub custom_type: String,
    pub message: String,
    pub link: Option<String>,
    /// JSON text.
    pub data: Option<String>,
    /// What it is about (e.g. an invoice id), which groups it.
    pub subject: Option<String>,
}

/// An app's notification (CUSTOM): its message as the app wrote it,
/// grouped by type and subject.
pub fn published(actor: Option<&User>, what: &Published) -> Announcement {
    let group_key = match &what.subject {
        Some(subject) => format!(
            "{}:{}:{subject}",
            NotificationKind::Custom.as_str(),
            what.custom_type
        ),
        None => format!("{}:{}", NotificationKind::Custom.as_str(), what.custom_type),
    };
    announce(
        NewNotification {
            kind: NotificationKind::Custom.as_str(),
            message: what.message.clone(),
            actor_id: actor.map(|a| a.id),
            group_key,
            custom_type: Some(what.custom_type.clone()),
            link: what.link.clone(),
            data: what.data.clone(),
            ..Default::default()
        },
        Subjects {
            actor: actor.map(|a| Arc::new(a.clone())),
            ..Default::default()
        },
    )
}

/// A group of an app's notifications as one sentence: the newest one's
/// message, and how many more there are ("Invoice 42 was paid (and 2
/// more)").
pub fn published_group_message(newest: &str, count: i64) -> String {
    match count {
        ..=1 => newest.to_owned(),
        2 => format!("{newest} (and 1 more)"),
        n => format!("{newest} (and {} more)", n - 1),
    }
}

/// The group a notification is shown in: its kind and what it is about
/// (a card, a poster, a room), e.g. `COMMENT_ADDED:card:7`. The
/// `group_key` migration writes the same keys for rows older than it.
pub fn group_key(kind: NotificationKind, subject: &str, id: Id) -> String {
    format!("{}:{subject}:{id}", kind.as_str())
}

/// What a group of unread notifications is made of, for its sentence.
#[derive(Clone, Copy, Debug)]
pub struct GroupSummary<'a> {
    pub kind: NotificationKind,
    /// How many notifications it holds.
    pub count: i64,
    /// How many distinct people caused them.
    pub actor_count: i64,
    /// The names of the newest of them, newest first (two are used).
    pub actors: &'a [&'a str],
    /// The card's title or the room's name; `None` once it is gone.
    pub subject: Option<&'a str>,
}

/// A group as one sentence, e.g. "Alice and 3 others commented on the
/// card “Ship v1”" or "Bob posted 4 new photos". (A group of one shows the
/// notification's own message instead, which quotes what was said.)
pub fn group_message(group: &GroupSummary<'_>) -> String {
    let who = match (group.actor_count, group.actors) {
        (_, []) | (..=0, _) => "Someone".to_owned(),
        (1, [first, ..]) => (*first).to_owned(),
        (2, [first, second, ..]) => format!("{first} and {second}"),
        (n, [first, ..]) => format!("{first} and {} others", n - 1),
    };
    let one_actor_often = group.actor_count == 1 && group.count > 1;
    let times = if one_actor_often {
        format!(" {} times", group.count)
    } else {
        String::new()
    };
    let card = group.subject.map_or_else(
        || "a card that is gone".to_owned(),
        |title| format!("the card “{title}”"),
    );
    match group.kind {
        NotificationKind::CardUpdated => format!("{who} updated {card}{times}"),
        NotificationKind::CardAssigned => format!("{who} assigned you to {card}{times}"),
        NotificationKind::CommentAdded if one_actor_often => {
            format!("{who} left {} comments on {card}", group.count)
        }
        NotificationKind::CommentAdded => format!("{who} commented on {card}"),
        NotificationKind::PostUploaded if group.count > 1 => {
            format!("{who} posted {} new photos", group.count)
        }
        NotificationKind::PostUploaded => format!("{who} posted a new photo"),
        NotificationKind::ChatMention => {
            let room = group.subject.map_or_else(
                || "a room that is gone".to_owned(),
                |name| format!("“{name}”"),
            );
            format!("{who} mentioned you in {room}{times}")
        }
        // Shown with `published_group_message`, which knows the newest
        // message: an app's type says nothing Herald could phrase.
        NotificationKind::Custom => format!("{who}: {} notifications", group.count),
    }
}

/// The members that a chat message mentions, each once, in the order of
/// their first mention. `members` are (id, display name).
///
/// A mention is `@` followed by a member's name, compared without regard
/// to case, so names with spaces work as written: `@ann lee` mentions
/// “Ann Lee”. The `@` must start the message or follow a character that
/// is not a letter, digit or `_` (so `bob@example.com` mentions nobody),
/// and the name must end the message or be followed by such a character
/// (so `@Bobby` does not mention “Bob”). When several names fit, the
/// longest wins: `@Ann Lee` mentions “Ann Lee”, not “Ann”. Members who
/// share a name are all mentioned by it.
///
/// Names are looked up in a map, so the cost grows with the length of the
/// message, not with the number of members times the number of `@`s: it
/// runs inside the message's write transaction.
pub fn mentioned_members<'a>(
    body: &str,
    members: impl IntoIterator<Item = (Id, &'a str)>,
) -> Vec<Id> {
    if !body.contains('@') {
        return Vec::new();
    }
    let mut by_name: HashMap<String, Vec<Id>> = HashMap::new();
    let mut longest_name = 0;
    for (id, name) in members {
        let name = name.trim();
        if !name.is_empty() {
            longest_name = longest_name.max(name.chars().count());
            by_name.entry(name.to_lowercase()).or_default().push(id);
        }
    }
    let mut out: Vec<Id> = Vec::new();
    let mut previous: Option<char> = None;
    for (at, c) in body.char_indices() {
        let starts_mention = c == '@' && !previous.is_some_and(is_name_char);
        previous = Some(c);
        if !starts_mention {
            continue;
        }
        let rest = &body[at + 1..];
        // Where a name could end: after 1, 2, … characters, up to the
        // longest name, at a word boundary. Longest first.
        let ends: Vec<usize> = rest
            .char_indices()
            .map(|(i, _)| i)
            .skip(1)
            .chain(std::iter::once(rest.len()))
            .take(longest_name)
            .filter(|&end| !rest[end..].chars().next().is_some_and(is_name_char))
            .collect();
        let named = ends
            .iter()
            .rev()
            .find_map(|&end| by_name.get(&rest[..end].to_lowercase()));
        for &id in named.into_iter().flatten() {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: Id, name: &str) -> User {
        User {
            id,
            name: name.into(),
            email: Some(format!("{name}@example.com")),
            created_at: 0,
        }
    }

    #[test]
    fn the_actor_is_never_a_recipient_and_nobody_is_told_twice() {
        assert_eq!(recipients_of(1, [2, 1, 3, 2]), vec![2, 3]);
        assert_eq!(recipients_of(1, [1]), Vec::<Id>::new());
    }

    #[test]
    fn group_sentences_name_the_newest_actors_and_how_many_more() {
        let summary = |kind, count, actor_count, actors: &'static [&'static str], subject| {
            group_message(&GroupSummary {
                kind,
                count,
                actor_count,
                actors,
                subject,
            })
        };
        use NotificationKind::*;
        let cases = [
            (
                summary(CommentAdded, 5, 4, &["Alice", "Bob"], Some("Ship v1")),
                "Alice and 3 others commented on the card “Ship v1”",
            ),
            (
                summary(CommentAdded, 2, 2, &["Alice", "Bob"], Some("Ship v1")),
                "Alice and Bob commented on the card “Ship v1”",
            ),
            (
                summary(CommentAdded, 3, 1, &["Alice"], Some("Ship v1")),
                "Alice left 3 comments on the card “Ship v1”",
            ),
            (
                summary(CardUpdated, 4, 1, &["Bob"], Some("Ship v1")),
                "Bob updated the card “Ship v1” 4 times",
            ),
            (
                summary(CardUpdated, 4, 3, &["Bob", "Cy"], None),
                "Bob and 2 others updated a card that is gone",
            ),
            (
                summary(CardAssigned, 2, 2, &["Bob", "Cy"], Some("Ship v1")),
                "Bob and Cy assigned you to the card “Ship v1”",
            ),
            (
                summary(PostUploaded, 4, 1, &["Dee"], None),
                "Dee posted 4 new photos",
            ),
            (
                summary(PostUploaded, 1, 1, &["Dee"], None),
                "Dee posted a new photo",
            ),
            (
                summary(ChatMention, 2, 1, &["Eve"], Some("general")),
                "Eve mentioned you in “general” 2 times",
            ),
            (
                summary(ChatMention, 3, 0, &[], Some("general")),
                "Someone mentioned you in “general”",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn group_keys_name_the_kind_and_the_subject() {
        assert_eq!(
            group_key(NotificationKind::CommentAdded, "card", 7),
            "COMMENT_ADDED:card:7"
        );
        let alice = user(1, "Alice");
        let post = Post {
            id: 3,
            author_id: 1,
            caption: None,
            image_file: String::new(),
            created_at: 0,
        };
        assert_eq!(
            post_uploaded(&alice, &post).new.group_key,
            "POST_UPLOADED:user:1"
        );
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
            card_updated(&alice, &card).new.message,
            "Alice updated the card “Ship v1”"
        );
        assert_eq!(
            card_assigned(&alice, &card).new.message,
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
        let message = comment_added(&alice, &card, &comment).new.message;
        assert!(message.starts_with("Alice commented on the card “Ship v1”: xxx"));
        assert!(message.ends_with('…'));
        assert!(message.chars().count() < 140);
    }

    #[test]
    fn kinds_round_trip_through_their_stored_form() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NotificationKind::parse("nope"), None);
    }

    #[test]
    fn no_audience_holds_the_actor() {
        let card = Card {
            id: 5,
            board_id: 1,
            title: "t".into(),
            description: None,
            creator_id: 1,
            created_at: 0,
            updated_at: 0,
        };
        assert_eq!(card_assigned_audience(1, 1), Audience::Users(vec![]));
        assert_eq!(
            comment_added_audience(2, &card, &[2, 3, 1]),
            Audience::Users(vec![1, 3])
        );
        assert_eq!(
            card_updated_audience(2, &card),
            Audience::CardAssignees { card: 5, except: 2 }
        );
        assert_eq!(
            post_uploaded_audience(4),
            Audience::Followers {
                followee: 4,
                except: 4
            }
        );
        assert_eq!(
            chat_mention_audience(1, vec![1, 2]),
            Audience::Users(vec![2])
        );
    }

    fn mentions(body: &str) -> Vec<Id> {
        let members = [
            (1, "Alice"),
            (2, "Bob"),
            (3, "Ann"),
            (4, "Ann Lee"),
            (5, "Élodie"),
        ];
        mentioned_members(body, members)
    }

    #[test]
    fn mentions_match_member_names_without_regard_to_case() {
        assert_eq!(mentions("hi @Bob"), vec![2]);
        assert_eq!(mentions("@bob, @ALICE!"), vec![2, 1]);
        assert_eq!(mentions("@élodie: merci"), vec![5]);
        assert_eq!(mentions("no mention here"), Vec::<Id>::new());
    }

    #[test]
    fn mentions_are_distinct_and_in_first_mention_order() {
        assert_eq!(mentions("@Bob @alice @bob @Bob"), vec![2, 1]);
    }

    #[test]
    fn names_with_spaces_match_and_the_longest_name_wins() {
        assert_eq!(mentions("ping @Ann Lee about it"), vec![4]);
        assert_eq!(mentions("ping @Ann about it"), vec![3]);
        assert_eq!(mentions("@ann lee."), vec![4]);
    }

    #[test]
    fn members_who_share_a_name_are_all_mentioned() {
        let members = [(1, "Bob"), (2, "Alice"), (3, "bob ")];
        assert_eq!(mentioned_members("hi @BOB", members), vec![1, 3]);
    }

    #[test]
    fn a_mention_needs_word_boundaries_on_both_sides() {
        assert_eq!(mentions("mail bob@example.com"), Vec::<Id>::new());
        assert_eq!(mentions("@Bobby is not Bob"), Vec::<Id>::new());
        assert_eq!(mentions("@Bob_ no"), Vec::<Id>::new());
        assert_eq!(mentions("(@Bob)"), vec![2]);
        assert_eq!(mentions("@"), Vec::<Id>::new());
        assert_eq!(mentions("@@Bob"), vec![2]);
    }

    #[test]
    fn a_mention_message_names_the_author_and_the_room() {
        let room = ChatRoom {
            id: 1,
            name: "Launch party".into(),
            creator_id: 1,
            created_at: 0,
        };
        let message = ChatMessage {
            id: 9,
            room_id: 1,
            prev_id: 0,
            author_id: 1,
            body: "@Bob see you there".into(),
            created_at: 0,
        };
        let new = chat_mention(&user(1, "Alice"), &room, &message).new;
        assert_eq!(new.kind, "CHAT_MENTION");
        assert_eq!(
            new.message,
            "Alice mentioned you in “Launch party”: @Bob see you there"
        );
        assert_eq!(new.chat_message_id, Some(9));
        assert_eq!(new.actor_id, Some(1));
    }
}

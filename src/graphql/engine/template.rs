//! A rendered payload with holes for what differs per recipient, and the
//! few latest ones a plan keeps so that every recipient of one event
//! reuses one render.
//!
//! async-graphql renders an event once with marks in place of the
//! notification's `id` and `cursor`: two strings that carry a random
//! per-process nonce and so cannot come from data. The JSON text is cut
//! at the marks; filling the holes with a recipient's id and cursor gives
//! the bytes async-graphql would have written for that recipient.

use std::{
    any::Any,
    collections::VecDeque,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use tokio::sync::OnceCell;

use super::Renderable;
use crate::{
    graphql::NotificationCursor,
    model::{Id, Notified},
};

/// Latest events a plan keeps rendered. A fan-out's deliveries reach the
/// subscribers of one plan one after the other, so a few suffice.
const SLOTS: usize = 8;

/// What a render writes in place of the per-recipient fields, and whether
/// it read who is asking (then it is not shared).
pub struct RenderMarks {
    pub id: Arc<str>,
    pub cursor: Arc<str>,
    viewer_read: AtomicBool,
}

impl RenderMarks {
    pub(super) fn new(nonce: &str) -> RenderMarks {
        RenderMarks {
            id: format!("\u{1}{nonce}:id\u{1}").into(),
            cursor: format!("\u{1}{nonce}:cursor\u{1}").into(),
            viewer_read: AtomicBool::new(false),
        }
    }

    /// Called by every resolver that reads the caller: its result may
    /// differ between recipients.
    pub fn viewer_read(&self) {
        self.viewer_read.store(true, Ordering::Relaxed);
    }

    /// Before a renderer's next item.
    pub(super) fn reset(&self) {
        self.viewer_read.store(false, Ordering::Relaxed);
    }
}

#[derive(Debug)]
enum Part {
    Text(Box<str>),
    Id,
    Cursor,
}

/// A payload (the JSON of one execution result) with holes.
#[derive(Debug)]
pub struct Template {
    parts: Vec<Part>,
    /// Some field read who is asking: only the recipient it was rendered
    /// for may reuse it.
    pub for_viewer: Option<Id>,
    len: usize,
}

impl Template {
    /// Cuts `json` at `marks`.
    pub(super) fn cut(json: &str, marks: &RenderMarks, viewer: Id) -> Template {
        let id = serde_json::to_string(&*marks.id).expect("a string");
        let cursor = serde_json::to_string(&*marks.cursor).expect("a string");
        let mut parts = Vec::new();
        let mut rest = json;
        loop {
            let (at, len, part) = match (rest.find(&id), rest.find(&cursor)) {
                (Some(i), Some(c)) if c < i => (c, cursor.len(), Part::Cursor),
                (Some(i), _) => (i, id.len(), Part::Id),
                (None, Some(c)) => (c, cursor.len(), Part::Cursor),
                (None, None) => break,
            };
            if at > 0 {
                parts.push(Part::Text(rest[..at].into()));
            }
            parts.push(part);
            rest = &rest[at + len..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.into()));
        }
        Template {
            parts,
            for_viewer: marks.viewer_read.load(Ordering::Relaxed).then_some(viewer),
            len: json.len(),
        }
    }

    /// The payload for the notification `id`, appended to `out`.
    pub fn fill(&self, id: Option<Id>, out: &mut String) {
        use std::fmt::Write;
        out.reserve(self.len + 32);
        for part in &self.parts {
            match (part, id) {
                (Part::Text(text), _) => out.push_str(text),
                (Part::Id, Some(id)) => {
                    let _ = write!(out, "\"{id}\"");
                }
                (Part::Cursor, Some(id)) => {
                    let _ = write!(out, "\"{}\"", NotificationCursor(id).encode());
                }
                // An error carries no item, and so no holes.
                (Part::Id | Part::Cursor, None) => out.push_str("null"),
            }
        }
    }

    /// The payload for the notification `id`.
    pub fn filled(&self, id: Option<Id>) -> String {
        let mut out = String::new();
        self.fill(id, &mut out);
        out
    }
}

/// One event rendered with one plan and one set of render values.
pub(super) struct Slot {
    render_key: String,
    event: Arc<dyn Any + Send + Sync>,
    pub template: OnceCell<Arc<Template>>,
}

/// A plan's latest slots, newest last.
#[derive(Default)]
pub(super) struct Slots(Mutex<VecDeque<Arc<Slot>>>);

impl Slots {
    /// The slot of `event` under `render_key`: an existing one when an
    /// earlier recipient's delivery of the same event made it.
    pub fn of<T: Renderable>(&self, render_key: &str, event: &Arc<T>) -> (Arc<Slot>, bool) {
        let mut slots = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = slots.iter().rev().find(|s| {
            s.render_key == render_key
                && s.event
                    .downcast_ref::<T>()
                    .is_some_and(|e| e.same_event(event))
        }) {
            return (Arc::clone(slot), true);
        }
        let slot = Arc::new(Slot {
            render_key: render_key.to_owned(),
            event: Arc::clone(event) as Arc<dyn Any + Send + Sync>,
            template: OnceCell::new(),
        });
        if slots.len() == SLOTS {
            slots.pop_front();
        }
        slots.push_back(Arc::clone(&slot));
        (slot, false)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// Whether two recipients' notifications render alike but for their ids:
/// the same row apart from id, recipient and sequence, and the same rows
/// it names (one fan-out shares them).
pub(super) fn same_notification(a: &Notified, b: &Notified) -> bool {
    let subjects = match (&a.subjects, &b.subjects) {
        (Some(x), Some(y)) => Arc::ptr_eq(x, y),
        (None, None) => true,
        _ => false,
    };
    let (a, b) = (&a.row, &b.row);
    subjects
        && a.kind == b.kind
        && a.message == b.message
        && a.actor_id == b.actor_id
        && a.card_id == b.card_id
        && a.comment_id == b.comment_id
        && a.post_id == b.post_id
        && a.chat_message_id == b.chat_message_id
        && a.created_at == b.created_at
        && a.read_at == b.read_at
        && a.group_key == b.group_key
        && a.custom_type == b.custom_type
        && a.link == b.link
        && a.data == b.data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Notification;

    #[test]
    fn holes_are_filled_with_each_recipients_id_and_cursor() {
        let marks = RenderMarks::new("n0nce");
        let rendered = serde_json::json!({
            "data": {"n": {"id": &*marks.id, "c": &*marks.cursor, "again": &*marks.id, "m": "hi"}}
        })
        .to_string();
        let template = Template::cut(&rendered, &marks, 1);
        assert_eq!(template.for_viewer, None);
        let expected = serde_json::json!({
            "data": {"n": {"id": "42", "c": NotificationCursor(42).encode(), "again": "42", "m": "hi"}}
        })
        .to_string();
        assert_eq!(template.filled(Some(42)), expected);
        marks.viewer_read();
        assert_eq!(Template::cut(&rendered, &marks, 9).for_viewer, Some(9));
    }

    #[test]
    fn one_event_shares_a_slot_and_others_do_not() {
        let slots = Slots::default();
        let subjects = Some(Arc::new(crate::model::Subjects::default()));
        let event = |id, recipient| {
            Arc::new(Notified {
                row: Notification::bare(id, recipient, 0),
                subjects: subjects.clone(),
            })
        };
        let (first, reused) = slots.of("", &event(1, 10));
        assert!(!reused);
        let (second, reused) = slots.of("", &event(2, 11));
        assert!(reused && Arc::ptr_eq(&first, &second));
        assert!(!slots.of("{show: true}", &event(3, 12)).1);
        let mut other = Notification::bare(4, 13, 0);
        other.message = "something else".into();
        let other = Arc::new(Notified {
            row: other,
            subjects: subjects.clone(),
        });
        assert!(!slots.of("", &other).1);
        for n in 0..20 {
            let mut row = Notification::bare(100 + n, 1, 0);
            row.created_at = n;
            slots.of(
                "",
                &Arc::new(Notified {
                    row,
                    subjects: None,
                }),
            );
        }
        assert_eq!(slots.len(), SLOTS, "a plan keeps a bounded number");
    }
}

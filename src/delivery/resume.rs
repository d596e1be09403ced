//! What a transport tells a resumable subscription, and what the
//! subscription tells it back, whatever the transport.
//!
//! A client that reconnects names the last item it received: as the
//! `after` argument of the operation (every transport), or, over SSE, as
//! the `Last-Event-ID` a browser sends by itself (`LastEventId`, put in the
//! request's data by the transport). The other way round, a transport that
//! labels each event with the id of its item (SSE's `id:`) gives the
//! operation an `EventIds`, where the subscription records each item's id
//! before yielding it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Where subscription resolvers record the resumable id of each item they
/// yield, for the transport to send as the SSE `id:` of its event.
///
/// async-graphql resolves a subscription's items one at a time, and polls
/// the source stream for the next item only after the previous response
/// was taken; so when the transport receives the response for a field, the
/// entry of that field holds the id of exactly that item. Entries are keyed
/// by response key (the field's alias or name), so an operation with
/// several root fields cannot mix their ids up.
#[derive(Clone, Default)]
pub struct EventIds(Arc<Mutex<HashMap<String, String>>>);

impl EventIds {
    /// Records `id` as the id of the item that the field `response_key` is
    /// about to yield.
    pub fn record(&self, response_key: &str, id: String) {
        self.lock().insert(response_key.to_owned(), id);
    }

    /// The id recorded for the item a response carries, if its field
    /// records ids. Taking it leaves nothing behind for a later response.
    pub fn take_for(&self, response: &async_graphql::Response) -> Option<String> {
        let async_graphql::Value::Object(fields) = &response.data else {
            return None;
        };
        let mut ids = self.lock();
        // Subscriptions have one root field; with several, the last
        // recorded one names the event.
        fields
            .keys()
            .filter_map(|key| ids.remove(key.as_str()))
            .last()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        // A panic while holding this lock cannot leave the map half
        // updated (every critical section is one map operation).
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The `Last-Event-ID` a reconnecting client sent: the id of the last
/// event it received. A resumable subscription uses it as its `after`
/// cursor when the operation does not give one.
#[derive(Clone, Debug)]
pub struct LastEventId(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_taken_for_the_field_a_response_carries() {
        let ids = EventIds::default();
        ids.record("a", "c1".into());
        ids.record("b", "c2".into());
        let response = async_graphql::Response::new(async_graphql::value!({"a": {"x": 1}}));
        assert_eq!(ids.take_for(&response).as_deref(), Some("c1"));
        assert_eq!(ids.take_for(&response), None, "an id is used once");
        let errors_only = async_graphql::Response::from_errors(vec![]);
        assert_eq!(ids.take_for(&errors_only), None);
    }
}

//! The application layer: what every mutation that tells someone does
//! around its change, written once for all of them and every broker.
//!
//! A mutation opens a write transaction, checks and changes what it must,
//! then hands the notifications `notify` decided to `notify` here, which
//! writes them in the same transaction and returns the events to publish.
//! `commit_then_publish` then commits and publishes: a notification a
//! client can see live is always in the store, and if the process dies
//! between the two, subscribers catch up by cursor. A broker that delivers
//! through the database (LISTEN/NOTIFY) gets its notice sent inside the
//! transaction, so that it goes out on commit and only then.
//!
//! `retention` is the one piece of this layer that deletes: the sweep
//! that removes what the operator's policy says is expired.

pub mod push;
pub mod retention;

use std::sync::Arc;

use crate::{
    broker::Broker,
    model::{Audience, Event, Notified},
    notify::Announcement,
    store::{StoreResult, WriteTx},
    telemetry::metrics,
};

/// Writes `announcement` once for each member of `audience` inside `tx`
/// (one statement whatever their number) and returns the events that
/// deliver them live, each carrying the rows it names.
pub async fn notify(
    tx: &mut WriteTx,
    audience: &Audience,
    announcement: &Announcement,
) -> StoreResult<Vec<Event>> {
    let rows = tx.insert_notifications(audience, &announcement.new).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            Event::Notification(Arc::new(Notified {
                row,
                subjects: Some(Arc::clone(&announcement.subjects)),
            }))
        })
        .collect())
}

/// Commits `tx`, then publishes `events`.
///
/// The commit and the publish run in a task of their own: a request that
/// is cancelled while it waits (its deadline passed, its client left) must
/// not stop between a commit and its publish, or live subscribers would
/// see the change only at their next catch-up.
pub async fn commit_then_publish(
    mut tx: WriteTx,
    broker: &Arc<dyn Broker>,
    events: Vec<Event>,
) -> StoreResult<()> {
    if let Some((channel, payload)) = broker.notice_in_transaction(&events) {
        tx.notify(&channel, &payload).await?;
    }
    let broker = Arc::clone(broker);
    let publish = tokio::spawn(async move {
        tx.commit().await?;
        let written = events
            .iter()
            .filter(|event| matches!(event, Event::Notification(_)))
            .count();
        metrics::notifications_written(written);
        if !events.is_empty() {
            broker.publish(events).await;
        }
        Ok(())
    });
    match publish.await {
        Ok(result) => result,
        // The task panicked: surface it as the request's failure.
        Err(err) => std::panic::resume_unwind(err.into_panic()),
    }
}

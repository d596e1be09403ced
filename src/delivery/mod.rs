//! The gap-free subscription stream: what the store holds after a cursor,
//! then live events from the broker, each exactly once and in order.
//!
//! Every sequenced item carries its own id and the id of the item before
//! it on the same topic (`prev`). The stream remembers the last id it
//! delivered; a live item whose `prev` is that id (or older) is next in
//! line and goes out at once; one whose `prev` is newer means something in
//! between has not arrived (reordered across replicas, or dropped), so the
//! stream reads the gap from the store. Items at or below the last id are
//! duplicates and are skipped. A `Delivery::Resync` (buffer overflow,
//! broker reconnect) also reads the store from the last id. The broker is
//! thus only ever a fast path; the store decides what was missed.
//!
//! Here is where an item is handed on towards its connection, so this is
//! where deliveries (live or from the store), their latency since commit,
//! catch-up reads and gaps are counted.

mod resume;

use std::{future::Future, sync::Arc};

use async_stream::stream;
use futures_util::{Stream, StreamExt};

pub use resume::{EventIds, LastEventId};

use crate::{
    broker::{Delivery, Subscription},
    model::{ChatMessage, Event, Id, InboxItem, Notified},
    store::CATCH_UP_PAGE,
    telemetry::metrics::{self, Path, Resync},
};

/// An item with a position in its topic's sequence.
pub trait Sequenced {
    fn seq(&self) -> Id;
    fn prev_seq(&self) -> Id;
    /// When it was committed (Unix microseconds), for the delivery
    /// latency metric.
    fn committed_at(&self) -> i64;
}

impl Sequenced for Notified {
    fn seq(&self) -> Id {
        self.row.id
    }
    fn prev_seq(&self) -> Id {
        self.row.prev_id
    }
    fn committed_at(&self) -> i64 {
        self.row.created_at
    }
}

/// A user's inbox is sequenced by version: notifications and inbox
/// changes in one sequence.
impl Sequenced for InboxItem {
    fn seq(&self) -> Id {
        self.version()
    }
    fn prev_seq(&self) -> Id {
        self.prev_version()
    }
    fn committed_at(&self) -> i64 {
        self.created_at()
    }
}

/// A room's messages are sequenced like a recipient's notifications.
impl Sequenced for ChatMessage {
    fn seq(&self) -> Id {
        self.id
    }
    fn prev_seq(&self) -> Id {
        self.prev_id
    }
    fn committed_at(&self) -> i64 {
        self.created_at
    }
}

/// What a stream makes of one live event of its topic.
pub enum Picked<T> {
    /// An item of this stream.
    Item(Arc<T>),
    /// Not for this stream (another kind of event on the same topic).
    Skip,
    /// The subscriber may no longer read this topic (it left the room):
    /// the stream ends.
    End,
}

/// Merges `fetch_after` (the store, oldest first, at most `CATCH_UP_PAGE`
/// per call) with the live `subscription`, starting after `after`.
///
/// The subscription must have been opened before this is called, so that
/// nothing committed during the first read is missed. `read_first: false`
/// skips that first read: only for a caller that knows the store holds
/// nothing after `after` that the subscription will not see (a start at
/// the newest id, read while the router was quiet); a later gap or resync
/// still reads. The stream ends when
/// `pick` says `Picked::End`, or when a store read (the first one, and
/// every one after a gap or a resync) returns `None`: that read is where a
/// subscriber's right to the topic is re-checked, so that an event that
/// ends the stream but was lost in an overflow still ends it. A store
/// read that fails (`E`: a store error, or a refusal of the caller's)
/// ends the stream after yielding the error.
pub fn gap_free<T, E, P, F, Fut>(
    mut subscription: Subscription,
    after: Id,
    read_first: bool,
    pick: P,
    fetch_after: F,
) -> impl Stream<Item = Result<Arc<T>, E>> + Send
where
    T: Sequenced + Send + Sync + 'static,
    E: Send + 'static,
    P: Fn(Event) -> Picked<T> + Send + 'static,
    F: Fn(Id) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Option<Vec<T>>, E>> + Send,
{
    stream! {
        let mut last = after;
        let mut need_store_read = read_first;
        loop {
            if need_store_read {
                need_store_read = false;
                loop {
                    // Boxed: a store read is rare, and its future would
                    // otherwise be part of every idle stream's state.
                    let page = match Box::pin(fetch_after(last)).await {
                        Ok(Some(page)) => page,
                        Ok(None) => return,
                        Err(err) => {
                            yield Err(err);
                            return;
                        }
                    };
                    metrics::catch_up_read(page.len());
                    let full = page.len() as i64 >= CATCH_UP_PAGE;
                    // Shared before the loop: an item held across the
                    // `yield` would be part of every idle stream's state
                    // (twice its size), not only of this rare read's.
                    let page: Vec<Arc<T>> = page.into_iter().map(Arc::new).collect();
                    for item in page {
                        last = item.seq();
                        metrics::delivered(Path::Store, item.committed_at());
                        yield Ok(item);
                    }
                    if !full {
                        break;
                    }
                }
            }
            match subscription.next().await {
                None => return,
                Some(Delivery::Resync) => need_store_read = true,
                Some(Delivery::Event(event)) => {
                    let item = match pick(event) {
                        Picked::Item(item) => item,
                        Picked::Skip => continue,
                        Picked::End => return,
                    };
                    if item.seq() <= last {
                        continue;
                    }
                    if item.prev_seq() <= last {
                        last = item.seq();
                        metrics::delivered(Path::Live, item.committed_at());
                        yield Ok(item);
                    } else {
                        metrics::resync(Resync::Gap);
                        need_store_read = true;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::{
        broker::LocalRouter,
        model::{Notification, Topic},
        store::StoreError,
    };

    fn note(id: Id, prev: Id) -> Notified {
        Notified::stored(Notification::bare(id, 1, prev))
    }

    fn pick(event: Event) -> Picked<Notified> {
        match event {
            Event::Notification(n) => Picked::Item(n),
            _ => Picked::Skip,
        }
    }

    /// A stand-in store holding the given rows.
    fn store_of(rows: Vec<Notified>) -> Arc<Mutex<Vec<Notified>>> {
        Arc::new(Mutex::new(rows))
    }

    fn fetcher(
        rows: Arc<Mutex<Vec<Notified>>>,
    ) -> impl Fn(Id) -> std::future::Ready<Result<Option<Vec<Notified>>, StoreError>> {
        move |after| {
            let rows = rows.lock().unwrap();
            let page = rows.iter().filter(|n| n.row.id > after).cloned().collect();
            std::future::ready(Ok(Some(page)))
        }
    }

    async fn take_ids<S: Stream<Item = Result<Arc<Notified>, StoreError>> + Unpin>(
        stream: &mut S,
        n: usize,
    ) -> Vec<Id> {
        let mut out = Vec::new();
        for _ in 0..n {
            let item = tokio::time::timeout(std::time::Duration::from_secs(1), stream.next())
                .await
                .expect("stream stalled")
                .expect("stream ended")
                .expect("store error");
            out.push(item.row.id);
        }
        out
    }

    #[tokio::test]
    async fn backlog_then_live_without_duplicates() {
        let router = LocalRouter::new(None);
        let sub = router.subscribe(Topic::User(1));
        let rows = store_of(vec![note(3, 0), note(5, 3)]);
        let mut stream = Box::pin(gap_free(sub, 0, true, pick, fetcher(rows.clone())));
        assert_eq!(take_ids(&mut stream, 2).await, vec![3, 5]);
        // 5 again (published late) is a duplicate; 8 follows 5.
        rows.lock().unwrap().push(note(8, 5));
        router.deliver([
            Event::Notification(Arc::new(note(5, 3))),
            Event::Notification(Arc::new(note(8, 5))),
        ]);
        assert_eq!(take_ids(&mut stream, 1).await, vec![8]);
    }

    #[tokio::test]
    async fn a_reordered_event_makes_the_stream_read_the_gap() {
        let router = LocalRouter::new(None);
        let sub = router.subscribe(Topic::User(1));
        let rows = store_of(vec![note(2, 0)]);
        let mut stream = Box::pin(gap_free(sub, 0, true, pick, fetcher(rows.clone())));
        assert_eq!(take_ids(&mut stream, 1).await, vec![2]);
        rows.lock().unwrap().extend([note(4, 2), note(6, 4)]);
        // 6 arrives before 4: the stream fetches 4 and 6 from the store,
        // then ignores the late 4.
        router.deliver([
            Event::Notification(Arc::new(note(6, 4))),
            Event::Notification(Arc::new(note(4, 2))),
        ]);
        assert_eq!(take_ids(&mut stream, 2).await, vec![4, 6]);
        rows.lock().unwrap().push(note(9, 6));
        router.deliver([Event::Notification(Arc::new(note(9, 6)))]);
        assert_eq!(take_ids(&mut stream, 1).await, vec![9]);
    }

    #[tokio::test]
    async fn resync_reads_everything_after_the_last_delivered() {
        let router = LocalRouter::new(None);
        let sub = router.subscribe(Topic::User(1));
        let rows = store_of(vec![]);
        let mut stream = Box::pin(gap_free(sub, 10, true, pick, fetcher(rows.clone())));
        rows.lock().unwrap().extend([note(11, 10), note(12, 11)]);
        router.resync_all();
        assert_eq!(take_ids(&mut stream, 2).await, vec![11, 12]);
    }

    #[tokio::test]
    async fn a_quiet_start_reads_the_store_only_at_a_gap() {
        let router = LocalRouter::new(None);
        let sub = router.subscribe(Topic::User(1));
        // The store holds 3 (before the start at 3) and 5, whose publish
        // has not reached the router yet.
        let rows = store_of(vec![note(3, 0), note(5, 3)]);
        let reads = Arc::new(Mutex::new(0));
        let counted = {
            let (rows, reads) = (rows.clone(), reads.clone());
            move |after| {
                *reads.lock().unwrap() += 1;
                fetcher(rows.clone())(after)
            }
        };
        let mut stream = Box::pin(gap_free(sub, 3, false, pick, counted));
        // 5 follows 3: delivered live without a read.
        router.deliver([Event::Notification(Arc::new(note(5, 3)))]);
        assert_eq!(take_ids(&mut stream, 1).await, vec![5]);
        assert_eq!(*reads.lock().unwrap(), 0);
        // 9 follows 7, which was never published here: one read fills it.
        rows.lock().unwrap().extend([note(7, 5), note(9, 7)]);
        router.deliver([Event::Notification(Arc::new(note(9, 7)))]);
        assert_eq!(take_ids(&mut stream, 2).await, vec![7, 9]);
        assert_eq!(*reads.lock().unwrap(), 1);
    }

    /// The next item of a room stream, `None` when it ended; fails on a
    /// stall or a store error.
    async fn next_item<S>(stream: &mut S) -> Option<Arc<ChatMessage>>
    where
        S: Stream<Item = Result<Arc<ChatMessage>, StoreError>> + Unpin,
    {
        tokio::time::timeout(std::time::Duration::from_secs(1), stream.next())
            .await
            .expect("stream stalled")
            .map(|item| item.expect("store error"))
    }

    fn chat_message(id: Id, prev: Id) -> ChatMessage {
        ChatMessage {
            id,
            room_id: 7,
            prev_id: prev,
            author_id: 2,
            body: String::new(),
            created_at: 0,
        }
    }

    /// A room stream of user 1, which ends when user 1 leaves.
    fn pick_until_left(event: Event) -> Picked<ChatMessage> {
        match event {
            Event::ChatMessage(m) => Picked::Item(m),
            Event::ChatMemberLeft { user_id: 1, .. } => Picked::End,
            _ => Picked::Skip,
        }
    }

    #[tokio::test]
    async fn an_ending_event_ends_the_stream_and_others_are_skipped() {
        let router = LocalRouter::new(None);
        let sub = router.subscribe(Topic::Room(7));
        let mut stream = Box::pin(gap_free(sub, 0, true, pick_until_left, |_| {
            std::future::ready(Ok(Some(Vec::new())))
        }));
        router.deliver([
            Event::ChatMemberLeft {
                room_id: 7,
                user_id: 2,
            },
            Event::ChatMessage(Arc::new(chat_message(1, 0))),
            Event::ChatMemberLeft {
                room_id: 7,
                user_id: 1,
            },
            Event::ChatMessage(Arc::new(chat_message(2, 1))),
        ]);
        assert_eq!(next_item(&mut stream).await.map(|m| m.id), Some(1));
        assert!(
            next_item(&mut stream).await.is_none(),
            "the stream ends at the leave"
        );
    }

    #[tokio::test]
    async fn a_store_read_that_refuses_ends_the_stream_at_resync() {
        let router = LocalRouter::new(None);
        let sub = router.subscribe(Topic::Room(7));
        let allowed = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let check = allowed.clone();
        let mut stream = Box::pin(gap_free(sub, 0, true, pick_until_left, move |_| {
            let ok = check.load(std::sync::atomic::Ordering::SeqCst);
            std::future::ready(Ok(ok.then(Vec::new)))
        }));
        router.deliver([Event::ChatMessage(Arc::new(chat_message(1, 0)))]);
        assert_eq!(next_item(&mut stream).await.map(|m| m.id), Some(1));
        allowed.store(false, std::sync::atomic::Ordering::SeqCst);
        router.resync_all();
        assert!(
            next_item(&mut stream).await.is_none(),
            "the stream ends when the re-read refuses"
        );
    }
}

//! What every resumable subscription (`notifications`, `chatMessages`)
//! does around its gap-free stream, on every transport: find where to
//! resume, refuse a cursor that reaches into deleted rows
//! (CURSOR_EXPIRED), subscribe before the first store read, and label each
//! item for transports that send its id with it (SSE).

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use async_graphql::Context;
use futures_util::{Stream, StreamExt, future::BoxFuture};

use super::{ContextExt, Services};
use crate::{
    delivery::{EventIds, LastEventId, Picked, Sequenced, gap_free},
    error::{AppError, AppResult},
    model::{Event, Id, Topic},
    store::{Retained, Store, StoreError},
};

/// Where a subscription resumes: after the item its `after` argument
/// names, else after the one the transport says the client saw last
/// (SSE's `Last-Event-ID`), each decoded by `decode` (which is told which
/// of the two it reads, for its error). `None`: start with what comes next.
pub(super) fn resume_point(
    ctx: &Context<'_>,
    after: Option<&str>,
    decode: impl Fn(&'static str, &str) -> AppResult<Id>,
) -> AppResult<Option<Id>> {
    match (after, ctx.data_opt::<LastEventId>()) {
        (Some(after), _) => decode("after", after).map(Some),
        (None, Some(LastEventId(id))) => decode("Last-Event-ID", id).map(Some),
        (None, None) => Ok(None),
    }
}

/// A sequence a client resumes in.
#[derive(Clone, Copy, Debug)]
pub(super) enum ResumedIn {
    /// The notifications of one recipient, or the messages of one room.
    Sequence(Retained, Id),
    /// One user's inbox: notifications and inbox changes.
    Inbox(Id),
}

impl ResumedIn {
    async fn needs_deleted_rows(self, store: &Store, after: Id) -> Result<bool, StoreError> {
        match self {
            ResumedIn::Sequence(kind, key) => {
                store.resume_needs_deleted_rows(kind, key, after).await
            }
            ResumedIn::Inbox(user) => store.inbox_resume_needs_deleted_rows(user, after).await,
        }
    }
}

/// How a resumable subscription reads its topic.
pub(super) struct Source<P, F> {
    pub topic: Topic,
    /// The last item the subscriber has.
    pub after: Id,
    /// The retained sequence that `after` is a position in, when the
    /// client named it: the first store read then checks that the
    /// retention policy deleted none of the rows the replay needs. `None`
    /// when the stream starts from the newest item.
    pub resumed_in: Option<ResumedIn>,
    /// What a live event of the topic is to this subscription.
    pub pick: P,
    /// The store's items after an id; `None` when the subscriber may no
    /// longer read the topic.
    pub fetch_after: F,
    /// A broker epoch taken before `after` was read as the newest item:
    /// when the subscription is registered at that same epoch, nothing can
    /// have been committed since the read without reaching the
    /// subscription, so the stream skips its first store read (a burst of
    /// new subscribers then costs the store nothing more than `after`).
    pub newest_read_at: Option<u64>,
}

/// Subscribes to `source.topic`, then streams what the store holds after
/// `source.after` followed by live items, gap-free, each turned into its
/// GraphQL node by `node` and labelled with `event_id` for transports
/// that send ids.
pub(super) async fn resumable<T, N, P, F, Fut>(
    ctx: &Context<'_>,
    source: Source<P, F>,
    event_id: fn(&T) -> String,
    node: fn(Arc<T>) -> N,
) -> AppResult<impl Stream<Item = AppResult<N>> + use<T, N, P, F, Fut>>
where
    T: Sequenced + Send + Sync + 'static,
    N: Send + 'static,
    P: Fn(Event) -> Picked<T> + Send + 'static,
    F: Fn(Id) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Option<Vec<T>>, StoreError>> + Send + 'static,
{
    let stream = opened(ctx.services(), source).await?;
    let ids = ctx.data_opt::<EventIds>().cloned();
    let field = ctx.item.node.response_key().node.to_string();
    Ok(stream.map(move |item| {
        if let (Some(ids), Ok(item)) = (&ids, &item) {
            ids.record(&field, event_id(item));
        }
        item.map(node)
    }))
}

/// The gap-free items of `source`, subscribed before the first store
/// read, so that nothing committed while the backlog is read can fall
/// between the two. Shared by the resolvers and the subscription engine.
pub(super) async fn opened<T, P, F, Fut>(
    services: &Services,
    source: Source<P, F>,
) -> AppResult<impl Stream<Item = AppResult<Arc<T>>> + use<T, P, F, Fut>>
where
    T: Sequenced + Send + Sync + 'static,
    P: Fn(Event) -> Picked<T> + Send + 'static,
    F: Fn(Id) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Option<Vec<T>>, StoreError>> + Send + 'static,
{
    let subscription = services.broker.subscribe(source.topic).await?;
    tracing::debug!(topic = ?source.topic, after = source.after, "subscription started");
    let read_first = !source
        .newest_read_at
        .is_some_and(|mark| subscription.quiet_since(mark));
    let fetch_after = checked_resume(
        services.store.clone(),
        source.resumed_in,
        source.fetch_after,
    );
    Ok(gap_free(
        subscription,
        source.after,
        read_first,
        source.pick,
        fetch_after,
    ))
}

/// `fetch_after`, whose first read, when the client resumed in a retained
/// sequence, is followed by the check that none of the rows the replay
/// needs was deleted; if one was, the stream ends with CURSOR_EXPIRED.
///
/// The check runs after the read, and only then: the horizon only rises,
/// so a cursor it still allows once the rows are read had all its rows
/// when they were read. The first read is also where a chat subscription
/// re-checks membership; one that is refused (`None`) ends the stream
/// before anything about the room's retention is told. Later reads are
/// not checked: a live subscriber has everything up to where it is.
fn checked_resume<T, F, Fut>(
    store: Arc<Store>,
    resumed_in: Option<ResumedIn>,
    fetch_after: F,
) -> impl Fn(Id) -> BoxFuture<'static, AppResult<Option<Vec<T>>>> + Send + 'static
where
    T: Send + 'static,
    F: Fn(Id) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Option<Vec<T>>, StoreError>> + Send + 'static,
{
    let unchecked = AtomicBool::new(resumed_in.is_some());
    move |after| {
        let read = fetch_after(after);
        let check = resumed_in.filter(|_| unchecked.swap(false, Ordering::Relaxed));
        let store = store.clone();
        Box::pin(async move {
            let page = read.await?;
            if let (Some(_), Some(resumed_in)) = (&page, check)
                && resumed_in.needs_deleted_rows(&store, after).await?
            {
                return Err(AppError::CursorExpired);
            }
            Ok(page)
        })
    }
}

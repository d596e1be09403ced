//! DataLoaders for nested fields (`notification.actor`, `card.board`, …),
//! so that a page of 50 notifications costs a handful of queries, not 50.
//!
//! The loaders live in the schema data, shared by every request and
//! subscription, and do not cache: each batch reads the current rows, and
//! concurrent deliveries of one event to many subscribers share a batch.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::dataloader::{DataLoader, Loader};
use tokio::sync::oneshot;

use crate::{
    error::{AppError, AppResult},
    model::{Board, Card, ChatMessage, ChatRoom, Comment, Id, Post, User},
    store::{Store, StoreError},
};

/// Loads rows of one table by id.
pub struct ById<T> {
    store: Arc<Store>,
    _row: std::marker::PhantomData<fn() -> T>,
}

/// A row type that `ById` can load.
pub trait LoadById: Clone + Send + Sync + 'static {
    fn id(&self) -> Id;
    fn load(
        store: &Store,
        ids: &[Id],
    ) -> impl std::future::Future<Output = Result<Vec<Self>, StoreError>> + Send;
}

macro_rules! load_by_id {
    ($($row:ty => $method:ident),* $(,)?) => {$(
        impl LoadById for $row {
            fn id(&self) -> Id {
                self.id
            }
            async fn load(store: &Store, ids: &[Id]) -> Result<Vec<Self>, StoreError> {
                store.$method(ids).await
            }
        }
    )*};
}

load_by_id! {
    User => users_by_ids,
    Board => boards_by_ids,
    Card => cards_by_ids,
    Comment => comments_by_ids,
    Post => posts_by_ids,
    ChatRoom => chat_rooms_by_ids,
    ChatMessage => chat_messages_by_ids,
}

impl<T: LoadById> Loader<Id> for ById<T> {
    type Value = T;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Id]) -> Result<HashMap<Id, T>, Self::Error> {
        let rows = T::load(&self.store, keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|row| (row.id(), row)).collect())
    }
}

/// The newest notification id of each recipient (0 for none). A
/// subscription without a cursor starts there. Reads are single-flight:
/// while one runs, the recipients asking meanwhile queue up and the next
/// read answers all of them (up to `NEWEST_IDS_BATCH` at a time). When
/// thousands of clients reconnect at once (a deploy, a network blip) the
/// batches grow with the burst, a few reads serve every start, and the
/// burst holds one pool connection instead of queueing on all of them
/// until the store timeout refuses it.
#[derive(Clone)]
pub struct LatestNotificationIds {
    inner: Arc<NewestIdsQueue>,
}

/// Ends `NewestIdsQueue`'s reading state when its task ends: waiters
/// still queued get no answer (their ask fails), and the next ask reads.
struct ResetOnExit<'a> {
    queue: &'a NewestIdsQueue,
    /// Set when the task found the queue empty and ended the reading
    /// state itself: nothing is left to reset (a new read may have begun).
    finished: bool,
}

impl Drop for ResetOnExit<'_> {
    fn drop(&mut self) {
        if !self.finished {
            let mut waiting = self.queue.lock();
            waiting.0.clear();
            waiting.1 = false;
        }
    }
}

/// Recipients per read of `LatestNotificationIds`.
const NEWEST_IDS_BATCH: usize = 1000;

type NewestIdReply = oneshot::Sender<Result<Id, Arc<StoreError>>>;

struct NewestIdsQueue {
    store: Arc<Store>,
    /// The recipients waiting, and whether a read is under way (its task
    /// takes every waiter before it stops).
    waiting: Mutex<(Vec<(Id, NewestIdReply)>, bool)>,
}

impl LatestNotificationIds {
    fn new(store: Arc<Store>) -> Self {
        LatestNotificationIds {
            inner: Arc::new(NewestIdsQueue {
                store,
                waiting: Mutex::new((Vec::new(), false)),
            }),
        }
    }

    /// `user`'s newest notification id, `None` when they have none.
    pub async fn load_one(&self, user: Id) -> AppResult<Option<Id>> {
        let (reply, answer) = oneshot::channel();
        let start_reading = {
            let mut waiting = self.inner.lock();
            waiting.0.push((user, reply));
            !std::mem::replace(&mut waiting.1, true)
        };
        if start_reading {
            tokio::spawn(Arc::clone(&self.inner).read_until_empty());
        }
        // No answer: the reading task was stopped (a shutdown) before it
        // reached this waiter.
        let newest = answer.await.map_err(|_| {
            AppError::Unavailable("the server is shutting down; try again shortly".into())
        })??;
        Ok((newest != 0).then_some(newest))
    }
}

impl NewestIdsQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<(Id, NewestIdReply)>, bool)> {
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn read_until_empty(self: Arc<Self>) {
        // However this task ends (cancelled with the runtime, or a panic),
        // the waiters it did not answer are told, and the next ask starts
        // a new read.
        let mut reset = ResetOnExit {
            queue: &self,
            finished: false,
        };
        loop {
            let batch: Vec<(Id, NewestIdReply)> = {
                let mut waiting = self.lock();
                if waiting.0.is_empty() {
                    waiting.1 = false;
                    reset.finished = true;
                    return;
                }
                let take = waiting.0.len().min(NEWEST_IDS_BATCH);
                waiting.0.drain(..take).collect()
            };
            let mut users: Vec<Id> = batch.iter().map(|(user, _)| *user).collect();
            users.sort_unstable();
            users.dedup();
            match self.store.latest_notification_ids(&users).await {
                Ok(rows) => {
                    let newest: HashMap<Id, Id> = rows.into_iter().collect();
                    for (user, reply) in batch {
                        let _ = reply.send(Ok(newest.get(&user).copied().unwrap_or(0)));
                    }
                }
                Err(err) => {
                    let err = Arc::new(err);
                    for (_, reply) in batch {
                        let _ = reply.send(Err(Arc::clone(&err)));
                    }
                }
            }
        }
    }
}

/// One loader per table that nested fields point into, and the one that
/// starts subscriptions.
pub struct Loaders {
    pub latest_notification_ids: LatestNotificationIds,
    pub users: DataLoader<ById<User>>,
    pub boards: DataLoader<ById<Board>>,
    pub cards: DataLoader<ById<Card>>,
    pub comments: DataLoader<ById<Comment>>,
    pub posts: DataLoader<ById<Post>>,
    pub rooms: DataLoader<ById<ChatRoom>>,
    pub messages: DataLoader<ById<ChatMessage>>,
}

fn loader<T: LoadById>(store: &Arc<Store>) -> DataLoader<ById<T>> {
    DataLoader::new(
        ById {
            store: store.clone(),
            _row: std::marker::PhantomData,
        },
        tokio::spawn,
    )
}

impl Loaders {
    pub fn new(store: Arc<Store>) -> Self {
        Loaders {
            latest_notification_ids: LatestNotificationIds::new(store.clone()),
            users: loader(&store),
            boards: loader(&store),
            cards: loader(&store),
            comments: loader(&store),
            posts: loader(&store),
            rooms: loader(&store),
            messages: loader(&store),
        }
    }
}

/// Loads one row, turning a store failure into an internal error.
pub async fn load_one<T: LoadById>(loader: &DataLoader<ById<T>>, id: Id) -> AppResult<Option<T>> {
    Ok(loader.load_one(id).await?)
}

/// Loads a row that a foreign key guarantees exists.
pub async fn load_existing<T: LoadById>(loader: &DataLoader<ById<T>>, id: Id) -> AppResult<T> {
    load_one(loader, id).await?.ok_or_else(|| {
        AppError::internal(format!(
            "{} {id} referenced but missing",
            std::any::type_name::<T>()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewUser;

    #[tokio::test]
    async fn every_waiter_of_a_burst_gets_its_own_newest_id() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("herald.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let mut users = Vec::new();
        for n in 0..3 {
            let email = format!("u{n}@example.com");
            let new = NewUser {
                name: "u",
                email: &email,
                password_hash: "x",
            };
            users.push(store.create_user(new).await.unwrap().id);
        }
        let raw = sqlx::SqlitePool::connect(&url).await.unwrap();
        for recipient in [users[0], users[1], users[0]] {
            sqlx::query(
                "INSERT INTO notifications (recipient_id, prev_id, kind, message, created_at) \
                 VALUES (?, 0, 'CARD_UPDATED', 'm', 0)",
            )
            .bind(recipient)
            .execute(&raw)
            .await
            .unwrap();
        }
        let expected = |user: Id| match user {
            u if u == users[0] => Some(3),
            u if u == users[1] => Some(2),
            _ => None,
        };

        // More waiters than one read takes, all at once, for the three
        // users and for ids nobody has.
        let loader = LatestNotificationIds::new(store);
        let asks: Vec<Id> = (0..2_500)
            .map(|n| {
                if n % 2 == 0 {
                    users[n % 3]
                } else {
                    10_000 + n as Id
                }
            })
            .collect();
        let answers = futures_util::future::join_all(asks.iter().map(|&user| {
            let loader = loader.clone();
            async move { loader.load_one(user).await.unwrap() }
        }))
        .await;
        for (user, answer) in asks.iter().zip(answers) {
            assert_eq!(answer, expected(*user), "user {user}");
        }
        // The queue drained: a later ask starts a read of its own.
        assert_eq!(loader.load_one(users[1]).await.unwrap(), Some(2));
    }
}

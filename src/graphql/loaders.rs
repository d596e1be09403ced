//! DataLoaders for nested fields (`notification.actor`, `card.board`, …),
//! so that a page of 50 notifications costs a handful of queries, not 50.
//!
//! The loaders live in the schema data, shared by every request and
//! subscription, and do not cache: each batch reads the current rows, and
//! concurrent deliveries of one event to many subscribers share a batch.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex},
};

use async_graphql::dataloader::{DataLoader, Loader};
use futures_util::future::BoxFuture;
use tokio::sync::oneshot;

use crate::{
    error::{AppError, AppResult},
    model::{Board, Card, ChatMessage, ChatRoom, Comment, Id, Notification, Post, User},
    store::{InboxState, Store, StoreError, StoreResult, StoredGroup, StoredPreferences},
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
    Notification => notifications_by_ids,
}

impl<T: LoadById> Loader<Id> for ById<T> {
    type Value = T;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Id]) -> Result<HashMap<Id, T>, Self::Error> {
        let rows = T::load(&self.store, keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|row| (row.id(), row)).collect())
    }
}

/// Groups of unread notifications by (user, key): what the `inbox`
/// subscription's updates show of the groups they changed. Concurrent
/// deliveries (a fan-out reaching many subscribers at once) share a read.
pub struct GroupsByKey {
    store: Arc<Store>,
}

impl Loader<(Id, String)> for GroupsByKey {
    type Value = Arc<StoredGroup>;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[(Id, String)],
    ) -> Result<HashMap<(Id, String), Arc<StoredGroup>>, Self::Error> {
        let groups = self
            .store
            .notification_groups(keys)
            .await
            .map_err(Arc::new)?;
        Ok(groups.into_iter().map(|(k, g)| (k, Arc::new(g))).collect())
    }
}

/// Reads that start subscriptions, single-flight: while one read runs,
/// the keys asked for meanwhile queue up and the next read answers all of
/// them (up to `START_BATCH` at a time). When thousands of clients
/// (re)connect at once (a deploy, a network blip) the batches grow with
/// the burst, a few reads serve every start, and the burst holds one pool
/// connection instead of queueing on all of them until the store timeout
/// refuses it.
pub struct StartReads<K, V> {
    inner: Arc<StartQueue<K, V>>,
}

impl<K, V> Clone for StartReads<K, V> {
    fn clone(&self) -> Self {
        StartReads {
            inner: Arc::clone(&self.inner),
        }
    }
}

/// The newest notification id of each recipient (0 for none): where a
/// `notifications` subscription without a cursor starts.
pub type LatestNotificationIds = StartReads<Id, Id>;

/// A user's inbox now (`None`) or at a version: where an `inbox`
/// subscription starts.
pub type InboxStates = StartReads<(Id, Option<Id>), InboxState>;

/// What each user wants to be told: read where an `inbox` subscription
/// starts (its STATE shows them), and wherever preferences are shown.
pub type Preferences = StartReads<Id, Arc<StoredPreferences>>;

/// Keys per read of a `StartReads`.
const START_BATCH: usize = 1000;

type Reply<V> = oneshot::Sender<Result<V, Arc<StoreError>>>;

/// The keys waiting with where to answer each, and whether a read is
/// under way (its task takes every waiter before it stops).
type Waiting<K, V> = (Vec<(K, Reply<V>)>, bool);

/// Reads the values of a batch of distinct keys; a key left out of the
/// answer gets `V::default()`.
type BatchRead<K, V> = fn(Arc<Store>, Vec<K>) -> BoxFuture<'static, StoreResult<HashMap<K, V>>>;

struct StartQueue<K, V> {
    store: Arc<Store>,
    read: BatchRead<K, V>,
    waiting: Mutex<Waiting<K, V>>,
}

/// Ends a `StartQueue`'s reading state when its task ends: waiters still
/// queued get no answer (their ask fails), and the next ask reads.
struct ResetOnExit<'a, K, V> {
    queue: &'a StartQueue<K, V>,
    /// Set when the task found the queue empty and ended the reading
    /// state itself: nothing is left to reset (a new read may have begun).
    finished: bool,
}

impl<K, V> Drop for ResetOnExit<'_, K, V> {
    fn drop(&mut self) {
        if !self.finished {
            let mut waiting = self.queue.lock();
            waiting.0.clear();
            waiting.1 = false;
        }
    }
}

impl<K, V> StartReads<K, V>
where
    K: Copy + Eq + Hash + Ord + Send + Sync + 'static,
    V: Clone + Default + Send + Sync + 'static,
{
    fn new(store: Arc<Store>, read: BatchRead<K, V>) -> Self {
        StartReads {
            inner: Arc::new(StartQueue {
                store,
                read,
                waiting: Mutex::new((Vec::new(), false)),
            }),
        }
    }

    /// The value of `key`, read with whatever else is asked for meanwhile.
    pub async fn load_one(&self, key: K) -> AppResult<V> {
        let (reply, answer) = oneshot::channel();
        let start_reading = {
            let mut waiting = self.inner.lock();
            waiting.0.push((key, reply));
            !std::mem::replace(&mut waiting.1, true)
        };
        if start_reading {
            tokio::spawn(Arc::clone(&self.inner).read_until_empty());
        }
        // No answer: the reading task was stopped (a shutdown) before it
        // reached this waiter.
        Ok(answer.await.map_err(|_| {
            AppError::Unavailable("the server is shutting down; try again shortly".into())
        })??)
    }
}

impl<K, V> StartQueue<K, V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting<K, V>> {
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<K, V> StartQueue<K, V>
where
    K: Copy + Eq + Hash + Ord + Send + Sync + 'static,
    V: Clone + Default + Send + Sync + 'static,
{
    async fn read_until_empty(self: Arc<Self>) {
        // However this task ends (cancelled with the runtime, or a panic),
        // the waiters it did not answer are told, and the next ask starts
        // a new read.
        let mut reset = ResetOnExit {
            queue: &self,
            finished: false,
        };
        loop {
            let batch: Vec<(K, Reply<V>)> = {
                let mut waiting = self.lock();
                if waiting.0.is_empty() {
                    waiting.1 = false;
                    reset.finished = true;
                    return;
                }
                let take = waiting.0.len().min(START_BATCH);
                waiting.0.drain(..take).collect()
            };
            let mut keys: Vec<K> = batch.iter().map(|(key, _)| *key).collect();
            keys.sort_unstable();
            keys.dedup();
            match (self.read)(Arc::clone(&self.store), keys).await {
                Ok(values) => {
                    for (key, reply) in batch {
                        let _ = reply.send(Ok(values.get(&key).cloned().unwrap_or_default()));
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

fn read_latest_ids(
    store: Arc<Store>,
    users: Vec<Id>,
) -> BoxFuture<'static, StoreResult<HashMap<Id, Id>>> {
    Box::pin(async move {
        let rows = store.latest_notification_ids(&users).await?;
        Ok(rows.into_iter().collect())
    })
}

fn read_preferences(
    store: Arc<Store>,
    users: Vec<Id>,
) -> BoxFuture<'static, StoreResult<HashMap<Id, Arc<StoredPreferences>>>> {
    Box::pin(async move {
        let stored = store.preferences_of(&users).await?;
        Ok(stored
            .into_iter()
            .map(|(user, p)| (user, Arc::new(p)))
            .collect())
    })
}

/// Inbox states by (user, version), as `InboxStates` asks for them.
type InboxStateMap = HashMap<(Id, Option<Id>), InboxState>;

fn read_inbox_states(
    store: Arc<Store>,
    keys: Vec<(Id, Option<Id>)>,
) -> BoxFuture<'static, StoreResult<InboxStateMap>> {
    Box::pin(async move {
        let states = store.inbox_states(&keys).await?;
        Ok(keys.into_iter().zip(states).collect())
    })
}

/// One loader per table that nested fields point into, and the one that
/// starts subscriptions.
pub struct Loaders {
    pub latest_notification_ids: LatestNotificationIds,
    pub inbox_states: InboxStates,
    pub preferences: Preferences,
    pub users: DataLoader<ById<User>>,
    pub boards: DataLoader<ById<Board>>,
    pub cards: DataLoader<ById<Card>>,
    pub comments: DataLoader<ById<Comment>>,
    pub posts: DataLoader<ById<Post>>,
    pub rooms: DataLoader<ById<ChatRoom>>,
    pub messages: DataLoader<ById<ChatMessage>>,
    pub notifications: DataLoader<ById<Notification>>,
    pub groups: DataLoader<GroupsByKey>,
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
            latest_notification_ids: StartReads::new(store.clone(), read_latest_ids),
            inbox_states: StartReads::new(store.clone(), read_inbox_states),
            preferences: StartReads::new(store.clone(), read_preferences),
            users: loader(&store),
            boards: loader(&store),
            cards: loader(&store),
            comments: loader(&store),
            posts: loader(&store),
            rooms: loader(&store),
            messages: loader(&store),
            notifications: loader(&store),
            groups: DataLoader::new(
                GroupsByKey {
                    store: store.clone(),
                },
                tokio::spawn,
            ),
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
            u if u == users[0] => 3,
            u if u == users[1] => 2,
            _ => 0,
        };

        // More waiters than one read takes, all at once, for the three
        // users and for ids nobody has.
        let loader: LatestNotificationIds = StartReads::new(store, read_latest_ids);
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
        assert_eq!(loader.load_one(users[1]).await.unwrap(), 2);
    }
}

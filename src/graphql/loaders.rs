//! DataLoaders for nested fields (`notification.actor`, `card.board`, …),
//! so that a page of 50 notifications costs a handful of queries, not 50.
//!
//! The loaders live in the schema data, shared by every request and
//! subscription, and do not cache: each batch reads the current rows, and
//! concurrent deliveries of one event to many subscribers share a batch.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};

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
/// subscription without a cursor starts there; when thousands of clients
/// reconnect at once (a deploy, a network blip), their starts share a few
/// reads instead of one each.
pub struct LatestNotificationIds {
    store: Arc<Store>,
}

impl Loader<Id> for LatestNotificationIds {
    type Value = Id;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Id]) -> Result<HashMap<Id, Id>, Self::Error> {
        let rows = self
            .store
            .latest_notification_ids(keys)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().collect())
    }
}

/// One loader per table that nested fields point into, and the one that
/// starts subscriptions.
pub struct Loaders {
    pub latest_notification_ids: DataLoader<LatestNotificationIds>,
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
            latest_notification_ids: DataLoader::new(
                LatestNotificationIds {
                    store: store.clone(),
                },
                tokio::spawn,
            ),
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

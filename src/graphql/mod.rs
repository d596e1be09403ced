//! The GraphQL API, one file per domain, merged into one schema here.
//!
//! Resolvers check who is calling and what they may do, validate input,
//! call the store, and — for mutations that notify — commit, then publish
//! (`notify::commit_then_publish`). They never build SQL.

mod boards;
mod chat;
mod comments;
mod documents;
mod loaders;
mod notifications;
mod posts;
mod users;
pub mod validate;

use std::sync::Arc;

use async_graphql::{Context, ID, MergedObject, MergedSubscription, Schema};

pub use documents::HeraldExecutor;
pub use loaders::Loaders;
pub use notifications::NotificationCursor;

use crate::{
    auth::{Auth, TokenKeys},
    broker::Broker,
    config::Config,
    error::{AppError, AppResult},
    store::{Id, Store, User, WriteTx},
};

#[derive(MergedObject, Default)]
pub struct Query(
    users::UserQuery,
    boards::BoardQuery,
    notifications::NotificationQuery,
    chat::ChatQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    users::UserMutation,
    boards::BoardMutation,
    comments::CommentMutation,
    posts::PostMutation,
    notifications::NotificationMutation,
    chat::ChatMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(
    notifications::NotificationSubscription,
    chat::ChatSubscription,
);

pub type HeraldSchema = Schema<Query, Mutation, Subscription>;

/// What every resolver can reach, shared by all requests.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<Store>,
    pub broker: Arc<dyn Broker>,
    pub keys: Arc<TokenKeys>,
    pub config: Arc<Config>,
}

/// Builds the schema with the shared services and DataLoaders.
pub fn build_schema(services: Services) -> HeraldSchema {
    let loaders = Loaders::new(services.store.clone());
    let chat_loaders = chat::ChatLoaders::new(services.store.clone());
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .data(services)
    .data(loaders)
    .data(chat_loaders)
    .finish()
}

/// The schema's SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .finish()
    .sdl()
}

/// Shorthands for resolvers.
trait ContextExt {
    fn services(&self) -> &Services;
    fn loaders(&self) -> &Loaders;
    /// The signed-in caller, or UNAUTHENTICATED.
    fn caller(&self) -> AppResult<Id>;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> &Services {
        self.data_unchecked::<Services>()
    }

    fn loaders(&self) -> &Loaders {
        self.data_unchecked::<Loaders>()
    }

    fn caller(&self) -> AppResult<Id> {
        match self.data_opt::<Auth>() {
            Some(auth) => auth.require(),
            None => Auth::Anonymous.require(),
        }
    }
}

/// The caller's own row, for the mutations that name them in a
/// notification. Read in the mutation's transaction rather than through
/// the user DataLoader: a mutation needs one row, and the loader's
/// batching wait would only delay it.
async fn acting_user(tx: &mut WriteTx<'_>, me: Id) -> AppResult<User> {
    tx.user(me)
        .await?
        .ok_or_else(|| AppError::internal(format!("signed-in user {me} has no row")))
}

/// Parses a GraphQL `ID` argument into a row id.
fn parse_id(field: &'static str, id: &ID) -> AppResult<Id> {
    match id.parse::<Id>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(AppError::bad_input(
            field,
            format!("“{}” is not a valid id", id.as_str()),
        )),
    }
}

/// Microseconds since the epoch, as the `DateTime` scalar.
fn datetime(micros: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

//! The GraphQL API, one file per domain, merged into one schema here.
//!
//! Resolvers check who is calling and what they may do, validate input,
//! call the store, and — for mutations that notify — hand what `notify`
//! decided to the application layer (`app`), which writes it, commits,
//! then publishes. They never build SQL, and know nothing of transports.

mod boards;
mod chat;
mod comments;
mod documents;
pub mod engine;
mod executor;
mod groups;
pub mod guard;
mod inbox;
mod loaders;
mod notifications;
mod posts;
mod preferences;
mod publish;
mod push;
mod subscriptions;
mod users;
pub mod validate;

use std::sync::Arc;

use async_graphql::{
    Context, ID, MergedObject, MergedSubscription, Schema, SchemaBuilder,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute},
};

pub use executor::HeraldExecutor;
pub use loaders::Loaders;
pub use notifications::NotificationCursor;

pub use crate::services::Services;
use crate::{
    auth::{AppKey, Auth, ClientIp, Principal},
    config::Limits,
    error::{AppError, AppResult},
    model::{Id, User},
    store::WriteTx,
};

#[derive(MergedObject, Default)]
pub struct Query(
    users::UserQuery,
    boards::BoardQuery,
    notifications::NotificationQuery,
    groups::GroupQuery,
    preferences::PreferenceQuery,
    push::PushQuery,
    chat::ChatQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    users::UserMutation,
    boards::BoardMutation,
    comments::CommentMutation,
    posts::PostMutation,
    notifications::NotificationMutation,
    groups::GroupMutation,
    preferences::PreferenceMutation,
    push::PushMutation,
    chat::ChatMutation,
    publish::PublishMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(
    notifications::NotificationSubscription,
    inbox::InboxSubscription,
    chat::ChatSubscription,
);

pub type HeraldSchema = Schema<Query, Mutation, Subscription>;

/// Builds the schema with the shared services and DataLoaders, and the
/// limits validation applies to every operation: depth (fragments
/// expanded), complexity (list fields cost their page size times their
/// selection), recursion and directives per field. The checks that must
/// run before validation are in `guard`.
pub fn build_schema(services: Services) -> HeraldSchema {
    let loaders = Arc::new(Loaders::new(services.store.clone()));
    schema_with(services, loaders)
}

/// The schema and the executor every transport runs operations through,
/// with the subscription engine unless `--subscription-engine false`.
pub fn build(services: Services) -> (HeraldSchema, HeraldExecutor) {
    let loaders = Arc::new(Loaders::new(services.store.clone()));
    let schema = schema_with(services.clone(), Arc::clone(&loaders));
    let executor = HeraldExecutor::new(schema.clone(), &services.config.limits);
    let executor = match services.config.subscription_engine {
        true => executor.with_engine(services, loaders),
        false => executor,
    };
    (schema, executor)
}

fn schema_with(services: Services, loaders: Arc<Loaders>) -> HeraldSchema {
    let limits = services.config.limits.clone();
    limited_schema(&limits)
        .data(services)
        .data(loaders)
        .finish()
}

/// The schema with its validation limits, without services.
fn limited_schema(limits: &Limits) -> SchemaBuilder<Query, Mutation, Subscription> {
    let depth = usize::try_from(limits.max_query_depth).unwrap_or(usize::MAX);
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(depth)
    .limit_recursive_depth(depth.max(RECURSIVE_DEPTH))
    .limit_complexity(usize::try_from(limits.max_query_complexity).unwrap_or(usize::MAX))
    .limit_directives(usize::try_from(limits.max_directives).unwrap_or(usize::MAX))
}

/// An executor that checks, parses and validates operations exactly as a
/// served one does, then stops before any resolver runs (it has no
/// services to run them with). The fuzz targets drive it.
pub fn validation_only(limits: &Limits) -> HeraldExecutor {
    let schema = limited_schema(limits)
        .extension(StopBeforeExecution)
        .finish();
    HeraldExecutor::new(schema, limits)
}

/// Answers an operation that passed validation with an empty response.
struct StopBeforeExecution;

impl ExtensionFactory for StopBeforeExecution {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(StopBeforeExecution)
    }
}

#[async_trait::async_trait]
impl Extension for StopBeforeExecution {
    async fn execute(
        &self,
        _ctx: &ExtensionContext<'_>,
        _operation_name: Option<&str>,
        _next: NextExecute<'_>,
    ) -> async_graphql::Response {
        async_graphql::Response::default()
    }
}

/// async-graphql's own bound on selection-set recursion (its default),
/// kept at least as deep as the depth limit.
const RECURSIVE_DEPTH: usize = 32;

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
    /// The signed-in caller's token, or UNAUTHENTICATED.
    fn principal(&self) -> AppResult<&Principal>;
    /// The app calling with an API key; FORBIDDEN for a user's token,
    /// UNAUTHENTICATED without a valid key.
    fn app(&self) -> AppResult<&AppKey>;
    /// The client's address, when the transport knows it.
    fn client_ip(&self) -> Option<std::net::IpAddr>;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> &Services {
        self.data_unchecked::<Services>()
    }

    fn loaders(&self) -> &Loaders {
        self.data_unchecked::<Arc<Loaders>>()
    }

    fn caller(&self) -> AppResult<Id> {
        self.principal().map(|p| p.user)
    }

    fn principal(&self) -> AppResult<&Principal> {
        // What a render reads of the caller may differ per recipient.
        if let Some(marks) = self.data_opt::<Arc<engine::RenderMarks>>() {
            marks.viewer_read();
        }
        self.data_opt::<Auth>()
            .unwrap_or(&Auth::Anonymous)
            .principal()
    }

    fn app(&self) -> AppResult<&AppKey> {
        self.data_opt::<Auth>().unwrap_or(&Auth::Anonymous).app()
    }

    fn client_ip(&self) -> Option<std::net::IpAddr> {
        self.data_opt::<ClientIp>().map(|ip| ip.0)
    }
}

/// The caller's own row, for the mutations that name them in a
/// notification. Read in the mutation's transaction rather than through
/// the user DataLoader: a mutation needs one row, and the loader's
/// batching wait would only delay it.
async fn acting_user(tx: &mut WriteTx, me: Id) -> AppResult<User> {
    tx.user(me)
        .await?
        .ok_or_else(|| AppError::internal(format!("signed-in user {me} has no row")))
}

/// Most items a nested list field (followers, members, cards, …) returns,
/// and what it returns when `first` is omitted: every list that grows with
/// the data is bounded, so that no request reads a table whole. Cards and
/// comments page on with `after`; the lists of people are cut here.
pub const LIST_CAP: i32 = 100;

/// The page size a list field was asked for: `first`, at most `LIST_CAP`.
fn list_limit(first: Option<i32>) -> AppResult<i64> {
    match first {
        None => Ok(i64::from(LIST_CAP)),
        Some(n) if (0..=LIST_CAP).contains(&n) => Ok(i64::from(n)),
        Some(_) => Err(AppError::bad_input(
            "first",
            format!("must be between 0 and {LIST_CAP}"),
        )),
    }
}

/// What a list field costs in the complexity limit: one, plus its page
/// size times what its selection costs per item.
fn list_cost(first: Option<i32>, per_item: usize) -> usize {
    let size = first.unwrap_or(LIST_CAP).clamp(0, LIST_CAP) as usize;
    size.saturating_mul(per_item).saturating_add(1)
}

/// The id after which a page starts, from an optional `after` argument.
fn after_id(after: Option<&ID>) -> AppResult<Id> {
    after.map_or(Ok(0), |id| parse_id("after", id))
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

//! Web Push registration: the key browsers subscribe with, and the push
//! subscriptions a user registers and removes.
//!
//! A page calls `PushManager.subscribe({ applicationServerKey:
//! webPushPublicKey })` and hands the subscription's endpoint and keys to
//! `registerPushSubscription`; from then on a notification whose kind the
//! user has on for the PUSH channel is also sent to that browser (see
//! `app::push`).

use async_graphql::{Context, ID, Object, SimpleObject};

use super::{ContextExt, datetime};
use crate::{
    error::{AppError, AppResult},
    push::PushTarget,
    store::StoredPushSubscription,
};

/// A browser registered for Web Push.
#[derive(SimpleObject)]
#[graphql(name = "PushSubscription")]
pub struct PushSubscriptionNode {
    id: ID,
    /// The push service's URL for that browser.
    endpoint: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<StoredPushSubscription> for PushSubscriptionNode {
    fn from(row: StoredPushSubscription) -> Self {
        PushSubscriptionNode {
            id: ID(row.id.to_string()),
            endpoint: row.endpoint,
            created_at: datetime(row.created_at),
        }
    }
}

#[derive(Default)]
pub struct PushQuery;

#[Object]
impl PushQuery {
    /// The VAPID public key (base64url, an uncompressed P-256 point) to
    /// pass as `applicationServerKey` to `PushManager.subscribe()`. Not a
    /// secret: anyone may read it.
    async fn web_push_public_key(&self, ctx: &Context<'_>) -> String {
        ctx.services().push.keys.public_key_base64url().to_owned()
    }

    /// The browsers you registered for Web Push, oldest first.
    async fn push_subscriptions(&self, ctx: &Context<'_>) -> AppResult<Vec<PushSubscriptionNode>> {
        let me = ctx.caller()?;
        let rows = ctx.services().store.push_subscriptions_of(me).await?;
        Ok(rows.into_iter().map(PushSubscriptionNode::from).collect())
    }
}

#[derive(Default)]
pub struct PushMutation;

#[Object]
impl PushMutation {
    /// Registers this browser's push subscription (`endpoint` and the
    /// `p256dh` and `auth` keys of `PushSubscription.toJSON()`) for your
    /// notifications. Registering the same endpoint again updates it (and
    /// moves it to you if another user of that browser had it). The
    /// endpoint must be `https://`; at most
    /// `--max-push-subscriptions-per-user` (10) per user
    /// (PUSH_SUBSCRIPTION_LIMIT).
    async fn register_push_subscription(
        &self,
        ctx: &Context<'_>,
        endpoint: String,
        #[graphql(name = "p256dh")] p256dh: String,
        auth: String,
    ) -> AppResult<PushSubscriptionNode> {
        let me = ctx.caller()?;
        let services = ctx.services();
        let target = PushTarget {
            endpoint: endpoint.trim().to_owned(),
            p256dh: p256dh.trim().to_owned(),
            auth: auth.trim().to_owned(),
        };
        target
            .validate(&services.push.rules)
            .map_err(|invalid| AppError::bad_input(invalid.field, invalid.reason))?;
        let mut tx = services.store.begin_write().await?;
        let row = tx
            .register_push_subscription(
                me,
                &target.endpoint,
                &target.p256dh,
                &target.auth,
                services.push.max_per_user,
            )
            .await?
            .ok_or_else(|| {
                AppError::limit(
                    "PUSH_SUBSCRIPTION_LIMIT",
                    "max-push-subscriptions-per-user",
                    format!(
                        "you have {} push subscriptions already; unregister one first",
                        services.push.max_per_user
                    ),
                )
            })?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Removes one of your push subscriptions, with the pushes still
    /// queued for it. False if you have none at `endpoint`.
    async fn unregister_push_subscription(
        &self,
        ctx: &Context<'_>,
        endpoint: String,
    ) -> AppResult<bool> {
        let me = ctx.caller()?;
        let mut tx = ctx.services().store.begin_write().await?;
        let removed = tx.unregister_push_subscription(me, endpoint.trim()).await?;
        tx.commit().await?;
        Ok(removed)
    }
}

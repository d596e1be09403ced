//! The publish API: an app's backend, signed with an API key, tells its
//! users (by the app's own ids) and its topics' members that something
//! happened. Herald stores, groups, delivers and pushes it like its own
//! notifications: one transaction, one fan-out statement, then publish.
//! `POST /v1/notifications` (http/rest.rs) runs the same mutation.

use async_graphql::{Context, InputObject, Json, Object, SimpleObject};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use super::{ContextExt, validate};
use crate::{
    app::{commit_then_publish, notify},
    error::{AppError, AppResult},
    notify::{self as rules, Published},
    store::Claim,
};

/// What an app publishes.
#[derive(InputObject, Debug)]
pub struct PublishNotificationInput {
    /// The app's ids of the users to tell (each created on first use;
    /// the same ids its tokens carry in `--jwt-user-claim`).
    #[graphql(default)]
    recipients: Vec<String>,
    /// Topics whose members are told too.
    #[graphql(default)]
    topics: Vec<String>,
    /// The app's name for what happened, e.g. `invoice.paid`: the
    /// notification's `type`, under kind CUSTOM.
    r#type: String,
    /// The sentence shown.
    message: String,
    /// The app's id of who caused it; never told of it.
    actor: Option<String>,
    /// Where a click goes: an http(s) URL or a path (`/invoices/42`).
    link: Option<String>,
    /// Anything else the app's client needs, as JSON.
    data: Option<Json<serde_json::Value>>,
    /// What it is about (e.g. an invoice id): unread notifications of
    /// one type and subject are shown as one group.
    subject: Option<String>,
    /// A retry with the same key (within the idempotency window) is
    /// answered with the first result and tells nobody twice.
    idempotency_key: Option<String>,
}

/// What a publish did.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct PublishResult {
    /// How many users were told (those who turned the type off are not).
    notified: i32,
    /// True when this answered a retry with the first result.
    replayed: bool,
}

/// A topic: users the app groups to publish to them at once.
#[derive(SimpleObject, Debug)]
pub struct Topic {
    name: String,
    /// How many users are members.
    member_count: i32,
}

/// A publish, checked.
#[derive(serde::Serialize)]
struct Checked {
    recipients: Vec<String>,
    topics: Vec<String>,
    actor: Option<String>,
    what: Published,
}

impl Checked {
    /// What identifies the request, to tell a retry from another request
    /// that reuses its idempotency key.
    fn hash(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
    }
}

/// The external ids in `ids`, each checked, each once, at most `max`.
fn external_ids(field: &'static str, ids: &[String], max: u64) -> AppResult<Vec<String>> {
    if ids.len() as u64 > max {
        return Err(AppError::bad_input(
            field,
            format!(
                "names {} users; at most {max} per request (--max-publish-recipients)",
                ids.len()
            ),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        let id = validate::key(field, id)?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// A topic's name: letters, digits and `.`, `_`, `-`, `:`, `/`.
fn topic_name(field: &'static str, name: &str) -> AppResult<String> {
    let name = validate::key(field, name)?;
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '/'))
    {
        return Err(AppError::bad_input(
            field,
            "may hold only letters, digits and . _ - : /",
        ));
    }
    Ok(name)
}

fn check(
    input: PublishNotificationInput,
    ctx: &Context<'_>,
) -> AppResult<(Checked, Option<String>)> {
    let limits = &ctx.services().config.limits;
    let recipients = external_ids(
        "recipients",
        &input.recipients,
        limits.max_publish_recipients,
    )?;
    if input.topics.len() as u64 > limits.max_publish_topics {
        return Err(AppError::bad_input(
            "topics",
            format!(
                "names {} topics; at most {} per request (--max-publish-topics)",
                input.topics.len(),
                limits.max_publish_topics
            ),
        ));
    }
    let mut topics: Vec<String> = Vec::new();
    for topic in &input.topics {
        let topic = topic_name("topics", topic)?;
        if !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    if recipients.is_empty() && topics.is_empty() {
        return Err(AppError::bad_input(
            "recipients",
            "name at least one recipient or topic",
        ));
    }
    let data = match input.data {
        None | Some(Json(serde_json::Value::Null)) => None,
        Some(Json(value)) => {
            let text = serde_json::to_string(&value)
                .map_err(|e| AppError::bad_input("data", format!("is not JSON: {e}")))?;
            if text.len() as u64 > limits.max_publish_data_bytes {
                return Err(AppError::bad_input(
                    "data",
                    format!(
                        "is {} bytes of JSON; at most {} (--max-publish-data-bytes)",
                        text.len(),
                        limits.max_publish_data_bytes
                    ),
                ));
            }
            Some(text)
        }
    };
    let checked = Checked {
        recipients,
        topics,
        actor: input
            .actor
            .as_deref()
            .map(|a| validate::key("actor", a))
            .transpose()?,
        what: Published {
            custom_type: validate::notification_type("type", &input.r#type)?,
            message: validate::text("message", &input.message, validate::MAX_MESSAGE_CHARS)?,
            link: input.link.as_deref().map(validate::link).transpose()?,
            data,
            subject: input
                .subject
                .as_deref()
                .map(|s| validate::key("subject", s))
                .transpose()?,
        },
    };
    let key = input
        .idempotency_key
        .as_deref()
        .map(|k| validate::key("idempotencyKey", k))
        .transpose()?;
    Ok((checked, key))
}

#[derive(Default)]
pub struct PublishMutation;

#[Object]
impl PublishMutation {
    /// Tells the users the app names (by its own ids) and the members of
    /// the topics it names that something happened (kind CUSTOM, with the
    /// app's `type`). For an app's API key only (FORBIDDEN for a user's
    /// token). Stored, grouped, delivered live and pushed like every
    /// notification; a user who turned the type (or CUSTOM) off is not
    /// told. With an `idempotencyKey`, a retry returns the first result
    /// and tells nobody twice; reusing a key for a different request is
    /// a CONFLICT.
    async fn publish_notification(
        &self,
        ctx: &Context<'_>,
        input: PublishNotificationInput,
    ) -> AppResult<PublishResult> {
        let app = ctx.app()?.clone();
        let (checked, key) = check(input, ctx)?;
        let services = ctx.services();
        let window = services.config.limits.idempotency_window_secs;
        let hash = checked.hash();
        let mut tx = services.store.begin_write().await?;
        if let Some(key) = &key {
            let forget_before = crate::store::now_micros().saturating_sub(
                i64::try_from(window)
                    .unwrap_or(i64::MAX)
                    .saturating_mul(1_000_000),
            );
            if let Claim::Seen {
                request_hash,
                notified,
            } = tx
                .claim_publish_key(app.id, key, &hash, forget_before)
                .await?
            {
                tx.commit().await?;
                if request_hash != hash {
                    return Err(AppError::Conflict(
                        "this idempotencyKey was used for a different request".into(),
                    ));
                }
                return Ok(PublishResult {
                    notified: i32::try_from(notified).unwrap_or(i32::MAX),
                    replayed: true,
                });
            }
        }
        let Checked {
            recipients,
            topics,
            actor,
            what,
        } = checked;
        let users = tx.users_by_external_ids(&recipients, true).await?;
        let actor = match actor {
            Some(actor) => {
                let ids = tx.users_by_external_ids(&[actor], true).await?;
                match ids.first() {
                    Some(&id) => tx.user(id).await?,
                    None => None,
                }
            }
            None => None,
        };
        let audience = rules::published_audience(actor.as_ref().map(|a| a.id), &users, topics);
        let announcement = rules::published(actor.as_ref(), &what);
        let events = notify(&mut tx, &audience, &announcement).await?;
        let notified = events.len() as i64;
        if let Some(key) = &key {
            tx.settle_publish_key(app.id, key, notified).await?;
        }
        commit_then_publish(tx, &services.broker, events).await?;
        tracing::debug!(app = %app.name, notified, "published");
        Ok(PublishResult {
            notified: i32::try_from(notified).unwrap_or(i32::MAX),
            replayed: false,
        })
    }

    /// Adds users (by the app's ids, each created on first use) to a
    /// topic, created on first use. For an app's API key only.
    async fn subscribe_to_topic(
        &self,
        ctx: &Context<'_>,
        topic: String,
        users: Vec<String>,
    ) -> AppResult<Topic> {
        change_topic(ctx, &topic, &users, true).await
    }

    /// Removes users (by the app's ids) from a topic. For an app's API
    /// key only.
    async fn unsubscribe_from_topic(
        &self,
        ctx: &Context<'_>,
        topic: String,
        users: Vec<String>,
    ) -> AppResult<Topic> {
        change_topic(ctx, &topic, &users, false).await
    }
}

async fn change_topic(
    ctx: &Context<'_>,
    topic: &str,
    users: &[String],
    join: bool,
) -> AppResult<Topic> {
    ctx.app()?;
    let services = ctx.services();
    let topic = topic_name("topic", topic)?;
    let users = external_ids(
        "users",
        users,
        services.config.limits.max_publish_recipients,
    )?;
    if users.is_empty() {
        return Err(AppError::bad_input("users", "name at least one user"));
    }
    let mut tx = services.store.begin_write().await?;
    let ids = tx.users_by_external_ids(&users, join).await?;
    if join {
        tx.join_topic(&topic, &ids).await?;
    } else {
        tx.leave_topic(&topic, &ids).await?;
    }
    tx.commit().await?;
    let members = services.store.topic_member_count(&topic).await?;
    Ok(Topic {
        name: topic,
        member_count: i32::try_from(members).unwrap_or(i32::MAX),
    })
}

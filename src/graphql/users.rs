//! Users: sign-up, log-in, tokens (refresh, log out), profiles and
//! follows.
//!
//! A user's e-mail is private: only its owner reads it, whatever path
//! reaches the user (`me`, `user(id)`, followers, members, authors, …).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::{ContextExt, datetime, list_cost, list_limit, loaders::load_one, parse_id, validate};
use crate::{
    app::commit_then_publish,
    auth::{Issued, now_secs},
    error::{AppError, AppResult},
    model::{Event, Revocation, User},
    store::NewUser,
};

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.name
    }

    /// Your own e-mail; `null` on everybody else (and on accounts that
    /// sign in through an identity provider that gave none).
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        match ctx.caller() {
            Ok(me) if me == self.id => self.email.as_deref(),
            _ => None,
        }
    }

    /// The first `first` users who follow this user (at most and by
    /// default 100), oldest follow first.
    #[graphql(complexity = "list_cost(first, child_complexity)")]
    async fn followers(&self, ctx: &Context<'_>, first: Option<i32>) -> AppResult<Vec<User>> {
        let limit = list_limit(first)?;
        Ok(ctx.services().store.followers(self.id, limit).await?)
    }

    /// The first `first` users this user follows (at most and by default
    /// 100), oldest follow first.
    #[graphql(complexity = "list_cost(first, child_complexity)")]
    async fn following(&self, ctx: &Context<'_>, first: Option<i32>) -> AppResult<Vec<User>> {
        let limit = list_limit(first)?;
        Ok(ctx.services().store.following(self.id, limit).await?)
    }
}

/// A token to send as `Authorization: Bearer <token>`, until when it is
/// valid, and whose it is. Call `refreshToken` before `expiresAt`.
#[derive(SimpleObject)]
pub struct AuthPayload {
    token: String,
    expires_at: chrono::DateTime<chrono::Utc>,
    user: User,
}

impl AuthPayload {
    fn new(issued: Issued, user: User) -> Self {
        let expires_at = i64::try_from(issued.expires_at)
            .unwrap_or(i64::MAX / 1_000_000)
            .saturating_mul(1_000_000);
        AuthPayload {
            token: issued.token,
            expires_at: datetime(expires_at),
            user,
        }
    }
}

#[derive(InputObject)]
pub struct SignUpInput {
    name: String,
    email: String,
    /// At least 8 characters.
    password: String,
}

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> AppResult<User> {
        let me = ctx.caller()?;
        load_one(&ctx.loaders().users, me)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("the token's user no longer exists".into()))
    }

    /// A user by id; NOT_FOUND if there is none.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<User>> {
        ctx.caller()?;
        let id = parse_id("id", &id)?;
        match load_one(&ctx.loaders().users, id).await? {
            Some(user) => Ok(Some(user)),
            None => Err(AppError::not_found("user")),
        }
    }
}

/// Commits a revocation, applies it here at once (so that the caller's
/// next request is refused whatever the broker's delay), and publishes it
/// to every replica.
async fn revoke(
    ctx: &Context<'_>,
    tx: crate::store::WriteTx,
    revocation: Revocation,
) -> AppResult<bool> {
    let services = ctx.services();
    commit_then_publish(
        tx,
        &services.broker,
        vec![Event::Revoked(revocation.clone())],
    )
    .await?;
    let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
    services.auth.sessions().apply(&revocation, now);
    tracing::info!(user.id = ?ctx.caller().ok(), "tokens revoked");
    Ok(true)
}

#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Registers a user and signs them in. CONFLICT if the email is taken.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> AppResult<AuthPayload> {
        let name = validate::line("name", &input.name, validate::MAX_NAME_CHARS)?;
        let email = validate::email(&input.email)?;
        validate::password(&input.password)?;
        let services = ctx.services();
        services.throttle.sign_up(ctx.client_ip())?;
        let password_hash = services.passwords.hash(input.password).await?;
        let user = services
            .store
            .create_user(NewUser {
                name: &name,
                email: &email,
                password_hash: &password_hash,
            })
            .await
            .map_err(|err| {
                if err.is_unique_violation() {
                    AppError::Conflict(format!("the email {email} is already registered"))
                } else {
                    err.into()
                }
            })?;
        tracing::info!(user.id = user.id, "user signed up");
        let issued = services.auth.issue(user.id)?;
        Ok(AuthPayload::new(issued, user))
    }

    /// Signs in. UNAUTHENTICATED when the email or the password is wrong
    /// (the error does not say which).
    async fn log_in(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> AppResult<AuthPayload> {
        let services = ctx.services();
        let email = email.trim().to_lowercase();
        let client = ctx.client_ip();
        services.throttle.log_in(client, &email)?;
        // An unknown e-mail is verified against a dummy hash and refused
        // with the same error as a wrong password: neither the answer nor
        // its timing tells whether the account exists.
        let found = services.store.credentials_by_email(&email).await?;
        let (user, matches) = match found {
            Some((user, Some(hash))) => {
                let matches = services.passwords.verify(password, hash).await?;
                (Some(user), matches)
            }
            // An account of an identity provider has no password here;
            // it is refused like an unknown one, after as much work.
            Some((_, None)) => (None, services.passwords.verify_unknown(password).await?),
            None => (None, services.passwords.verify_unknown(password).await?),
        };
        let Some(user) = user.filter(|_| matches) else {
            services.throttle.log_in_failed(client, &email);
            return Err(AppError::Unauthenticated("wrong email or password".into()));
        };
        let issued = services.auth.issue(user.id)?;
        Ok(AuthPayload::new(issued, user))
    }

    /// A fresh token in the same session, for a caller whose token is
    /// still valid: reconnect with it (and your last cursor) before the
    /// old one expires. Tokens of an identity provider are refreshed by
    /// the provider (FORBIDDEN here).
    async fn refresh_token(&self, ctx: &Context<'_>) -> AppResult<AuthPayload> {
        let principal = ctx.principal()?.clone();
        if !principal.refreshable {
            return Err(AppError::forbidden(
                "this token comes from your identity provider: refresh it there",
            ));
        }
        let user = load_one(&ctx.loaders().users, principal.user)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("the token's user no longer exists".into()))?;
        let issued = ctx.services().auth.refresh(&principal)?;
        Ok(AuthPayload::new(issued, user))
    }

    /// Logs this token's session out: it, and every token refreshed from
    /// the same log-in, is refused from now on, and the connections that
    /// use them are closed, on every replica.
    async fn log_out(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let principal = ctx.principal()?.clone();
        let services = ctx.services();
        let now = now_secs();
        // A token of this session may have been issued up to a lifetime
        // ago and refreshed since: none outlives now + a lifetime.
        let until = if principal.refreshable {
            now + services.auth.keys().ttl_secs()
        } else {
            principal.expires_at
        };
        let revocation = Revocation::Session {
            user_id: principal.user,
            session: principal.session.session.to_string(),
            until: i64::try_from(until).unwrap_or(i64::MAX),
        };
        let mut tx = services.store.begin_write().await?;
        tx.revoke_session(
            principal.user,
            &principal.session.session,
            i64::try_from(until).unwrap_or(i64::MAX),
        )
        .await?;
        revoke(ctx, tx, revocation).await
    }

    /// Logs every session of the caller out: every token issued so far,
    /// on any device, is refused from now on, and the connections that
    /// use them are closed, on every replica.
    async fn log_out_everywhere(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let me = ctx.caller()?;
        let services = ctx.services();
        let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
        let mut tx = services.store.begin_write().await?;
        let generation = tx.raise_token_generation(me, now).await?;
        let revocation = Revocation::AllSessions {
            user_id: me,
            generation,
            at: now,
        };
        revoke(ctx, tx, revocation).await
    }

    /// Follows a user (idempotent); their photo posts will notify you.
    /// Returns the followed user.
    async fn follow(&self, ctx: &Context<'_>, user_id: ID) -> AppResult<User> {
        let me = ctx.caller()?;
        let target = parse_id("userId", &user_id)?;
        if target == me {
            return Err(AppError::bad_input("userId", "you cannot follow yourself"));
        }
        let store = &ctx.services().store;
        let user = store
            .user(target)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        store.follow(me, target).await?;
        Ok(user)
    }

    /// Stops following a user (idempotent). Returns that user.
    async fn unfollow(&self, ctx: &Context<'_>, user_id: ID) -> AppResult<User> {
        let me = ctx.caller()?;
        let target = parse_id("userId", &user_id)?;
        let store = &ctx.services().store;
        let user = store
            .user(target)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        store.unfollow(me, target).await?;
        Ok(user)
    }
}

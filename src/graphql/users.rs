//! Users: sign-up, log-in, profiles and follows.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::{ContextExt, list_cost, list_limit, loaders::load_one, parse_id, validate};
use crate::{
    error::{AppError, AppResult},
    store::{NewUser, User},
};

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.name
    }

    async fn email(&self) -> &str {
        &self.email
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

/// A token to send as `Authorization: Bearer <token>`, and whose it is.
#[derive(SimpleObject)]
pub struct AuthPayload {
    token: String,
    user: User,
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
        let token = services.keys.issue(user.id)?;
        Ok(AuthPayload { token, user })
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
            Some((user, hash)) => {
                let matches = services.passwords.verify(password, hash).await?;
                (Some(user), matches)
            }
            None => (None, services.passwords.verify_unknown(password).await?),
        };
        let Some(user) = user.filter(|_| matches) else {
            services.throttle.log_in_failed(client, &email);
            return Err(AppError::Unauthenticated("wrong email or password".into()));
        };
        let token = services.keys.issue(user.id)?;
        Ok(AuthPayload { token, user })
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

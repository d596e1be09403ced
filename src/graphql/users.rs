//! Users: sign-up, log-in, profiles and follows.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::{ContextExt, loaders::load_one, parse_id, validate};
use crate::{
    auth::{hash_password, verify_password},
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

    /// Users who follow this user, oldest follow first.
    async fn followers(&self, ctx: &Context<'_>) -> AppResult<Vec<User>> {
        Ok(ctx.services().store.followers(self.id).await?)
    }

    /// Users this user follows, oldest follow first.
    async fn following(&self, ctx: &Context<'_>) -> AppResult<Vec<User>> {
        Ok(ctx.services().store.following(self.id).await?)
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
        let password_hash = hash_password(input.password).await?;
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
        let refused = || AppError::Unauthenticated("wrong email or password".into());
        let Some((user, hash)) = services.store.credentials_by_email(&email).await? else {
            return Err(refused());
        };
        if !verify_password(password, hash).await? {
            return Err(refused());
        }
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

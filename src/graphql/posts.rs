//! Photo posts: an upload notifies every follower of the uploader.

use async_graphql::{Context, ID, Object, Upload};

use super::{ContextExt, acting_user, datetime, loaders::load_existing, validate};
use crate::{
    app::{commit_then_publish, notify},
    error::{AppError, AppResult},
    media::{self, UploadRejected},
    model::{Post, User},
    notify::{self as rules},
};

#[Object]
impl Post {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }

    async fn author(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_existing(&ctx.loaders().users, self.author_id).await
    }

    async fn caption(&self) -> Option<&str> {
        self.caption.as_deref()
    }

    /// Where the image is served, relative to the server's origin.
    async fn image_url(&self) -> String {
        media::url_of(&self.image_file)
    }

    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        datetime(self.created_at)
    }
}

#[derive(Default)]
pub struct PostMutation;

#[Object]
impl PostMutation {
    /// Posts a photo (PNG, JPEG, GIF or WebP, recognised by its bytes).
    /// Notifies every follower (POST_UPLOADED), in one batched insert.
    async fn upload_post(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        caption: Option<String>,
    ) -> AppResult<Post> {
        let me = ctx.caller()?;
        let caption =
            validate::optional_text("caption", caption.as_deref(), validate::MAX_CAPTION_CHARS)?;
        let services = ctx.services();
        let upload = file
            .value(ctx)
            .map_err(|e| AppError::bad_input("file", format!("unreadable upload: {e}")))?;
        let stored = media::store_image(
            &services.config.uploads_dir(),
            services.config.limits.max_upload_bytes,
            upload.content,
        )
        .await
        .map_err(|err| match err {
            UploadRejected::NotAnImage => {
                AppError::bad_input("file", "must be a PNG, JPEG, GIF or WebP image")
            }
            UploadRejected::TooLarge(max) => {
                AppError::bad_input("file", format!("must be at most {max} bytes"))
            }
            UploadRejected::Io(err) => err.into(),
        })?;
        let result = async {
            let mut tx = services.store.begin_write().await?;
            let actor = acting_user(&mut tx, me).await?;
            let post = tx.insert_post(me, caption.as_deref(), &stored).await?;
            // Every follower, selected by the insert itself: a fan-out to
            // thousands is one statement, and their ids never leave the
            // database.
            let events = notify(
                &mut tx,
                &rules::post_uploaded_audience(me),
                &rules::post_uploaded(&actor, &post),
            )
            .await?;
            commit_then_publish(tx, &services.broker, events).await?;
            Ok::<_, AppError>(post)
        }
        .await;
        if result.is_err() {
            // The row was not written, so the file is an orphan.
            media::remove(&services.config.uploads_dir(), &stored).await;
        }
        result
    }
}

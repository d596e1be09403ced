//! Setup steps on a board that the card scenarios share (`p2p`, and
//! `fanout --via card`): adding the subscribers as members, and assigning
//! cards to them, so that a card's update notifies its assignees. Each
//! runs `--setup-concurrency` requests at a time behind a progress bar; the
//! caller says, in the error's context, which step of its setup failed.

use std::sync::Arc;

use super::concurrently;
use crate::{
    Common,
    api::{Account, Api},
};

/// Adds every one of `users` to `board`, as its owner `owner`.
pub async fn add_members(
    common: &Common,
    api: &Api,
    owner: &Arc<Account>,
    board: &str,
    users: &[Account],
) -> anyhow::Result<()> {
    let board = Arc::new(board.to_owned());
    concurrently(
        common,
        "members",
        users.to_vec(),
        common.setup_concurrency,
        |user| {
            let (api, owner, board) = (api.clone(), owner.clone(), board.clone());
            async move { api.add_member(&owner, &board, &user.id).await }
        },
    )
    .await?;
    Ok(())
}

/// Assigns each (card, user id) pair's card to its user, as `actor`.
pub async fn assign(
    common: &Common,
    api: &Api,
    actor: &Arc<Account>,
    pairs: Vec<(String, String)>,
) -> anyhow::Result<()> {
    concurrently(
        common,
        "assign",
        pairs,
        common.setup_concurrency,
        |(card, user)| {
            let (api, actor) = (api.clone(), actor.clone());
            async move { api.assign(&actor, &card, &user).await }
        },
    )
    .await?;
    Ok(())
}

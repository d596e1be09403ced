//! The subscribe step of the delivery scenarios: one websocket per
//! subscriber, a number of notification subscriptions on each, and a
//! reader task per socket that hands every frame, with the subscriber's
//! index and the instant it was read, to the scenario's ledger.

use std::sync::Arc;

use anyhow::Context as _;
use tokio::{task::JoinHandle, time::Instant};

use super::{concurrently, notifications_query};
use crate::{
    Common,
    api::Account,
    ws::{self, Connector},
};

/// What the readers hand their frames to: a scenario's ledger.
pub trait Recorder: Send + Sync + 'static {
    /// Records `frame`, read at `at` on the socket of subscriber `index`.
    fn on_frame(&self, index: usize, frame: &str, at: Instant);
}

/// The reader tasks of every subscriber's socket; they run until stopped.
pub struct Subscribers {
    readers: Vec<JoinHandle<()>>,
}

impl Subscribers {
    /// Opens a websocket for each of `users`, starts `per_user`
    /// subscriptions selecting `fields` on it, and hands every frame read
    /// to `recorder`, with the index of the user in `users`.
    pub async fn open(
        common: &Common,
        fields: &str,
        users: &[Account],
        per_user: usize,
        recorder: Arc<impl Recorder>,
    ) -> anyhow::Result<Self> {
        let connector = Arc::new(Connector::new(&common.url, common.source_addrs)?);
        let query = Arc::new(notifications_query(fields));
        let indexed: Vec<(usize, Account)> = users.iter().cloned().enumerate().collect();
        let readers = concurrently(
            common,
            "subscribe",
            indexed,
            common.setup_concurrency,
            |(i, user)| {
                let (connector, query, recorder) =
                    (connector.clone(), query.clone(), recorder.clone());
                async move {
                    let mut socket = connector.open(&user.token).await?;
                    ws::subscribe_notifications(&mut socket, &query, &user.id, per_user).await?;
                    Ok(ws::spawn_reader(socket, move |frame, at| {
                        recorder.on_frame(i, frame, at)
                    }))
                }
            },
        )
        .await
        .context("opening subscriptions")?;
        Ok(Subscribers { readers })
    }

    /// Stops reading: frames that arrive from now on are not counted.
    pub fn stop(self) {
        for reader in self.readers {
            reader.abort();
        }
    }
}

//! Which sessions are revoked, and the live connections to close when one
//! is.
//!
//! Revocation is checked on every request and must cost no store read, so
//! this process keeps it in memory: the sessions logged out (until no
//! token of theirs can still be valid) and, for each user who logged out
//! everywhere, the token generation and time from which tokens count. The
//! store is the record (`revoked_sessions`, `users.token_generation`); a
//! replica loads it at start and again whenever the broker may have lost
//! a message, and learns of each new revocation through the broker
//! (`Event::Revoked`), so every replica refuses a revoked token within a
//! broker round trip.
//!
//! Open websockets and SSE streams register here (`watch`) with the
//! session they were opened with; a revocation that covers one ends it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::model::{Id, Revocation, RevokedSession};

/// Who a live connection is, for the checks that may end it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionKey {
    pub user: Id,
    pub session: Arc<str>,
    /// For Herald's own tokens, the generation they carry.
    pub generation: Option<i64>,
    /// For other issuers' tokens, when they were issued (seconds).
    pub issued_at: Option<i64>,
}

/// A user's "log out everywhere" mark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Everywhere {
    generation: i64,
    at: i64,
}

/// The revocation state and the live connections of this process.
#[derive(Default)]
pub struct Sessions {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    revoked: HashMap<(Id, Arc<str>), i64>,
    everywhere: HashMap<Id, Everywhere>,
    live: HashMap<Id, Vec<Live>>,
    next_live: u64,
}

struct Live {
    id: u64,
    key: SessionKey,
    ended: CancellationToken,
}

impl Sessions {
    /// True when `key` is revoked at `now` (seconds).
    pub fn is_revoked(&self, key: &SessionKey, now: i64) -> bool {
        self.lock().covers(key, now)
    }

    /// The generation Herald's new tokens for `user` must carry.
    pub fn generation_of(&self, user: Id) -> i64 {
        self.lock()
            .everywhere
            .get(&user)
            .map_or(0, |e| e.generation)
    }

    /// Records a revocation and ends the live connections it covers.
    pub fn apply(&self, revocation: &Revocation, now: i64) {
        let mut state = self.lock();
        match revocation {
            Revocation::Session {
                user_id,
                session,
                until,
            } => {
                let key = (*user_id, Arc::<str>::from(session.as_str()));
                let until = state.revoked.get(&key).copied().unwrap_or(0).max(*until);
                state.revoked.insert(key, until);
            }
            Revocation::AllSessions {
                user_id,
                generation,
                at,
            } => {
                let mark = state.everywhere.entry(*user_id).or_default();
                mark.generation = mark.generation.max(*generation);
                mark.at = mark.at.max(*at);
            }
        }
        state.end_covered(revocation_user(revocation), now);
    }

    /// Replaces the state with what the store holds (at start, and after
    /// the broker may have lost a message), ending what it covers.
    pub fn load(&self, revoked: Vec<RevokedSession>, everywhere: Vec<(Id, i64, i64)>, now: i64) {
        let mut state = self.lock();
        state.revoked = revoked
            .into_iter()
            .map(|r| ((r.user_id, Arc::from(r.session.as_str())), r.until))
            .collect();
        state.everywhere = everywhere
            .into_iter()
            .map(|(user, generation, at)| (user, Everywhere { generation, at }))
            .collect();
        let users: Vec<Id> = state.live.keys().copied().collect();
        for user in users {
            state.end_covered(user, now);
        }
    }

    /// Forgets revoked sessions that no token can outlive any more.
    pub fn prune(&self, now: i64) {
        self.lock().revoked.retain(|_, until| *until > now);
    }

    /// Registers a live connection of `key`; the returned watch ends when
    /// a revocation covers it, and unregisters when dropped.
    pub fn watch(self: &Arc<Self>, key: SessionKey) -> SessionWatch {
        let ended = CancellationToken::new();
        let mut state = self.lock();
        state.next_live += 1;
        let id = state.next_live;
        state.live.entry(key.user).or_default().push(Live {
            id,
            key: key.clone(),
            ended: ended.clone(),
        });
        SessionWatch {
            sessions: Arc::clone(self),
            user: key.user,
            id,
            ended,
        }
    }

    /// Live connections registered now.
    pub fn live(&self) -> usize {
        self.lock().live.values().map(Vec::len).sum()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the maps whole.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn revocation_user(revocation: &Revocation) -> Id {
    match revocation {
        Revocation::Session { user_id, .. } | Revocation::AllSessions { user_id, .. } => *user_id,
    }
}

impl State {
    fn covers(&self, key: &SessionKey, now: i64) -> bool {
        if self
            .revoked
            .get(&(key.user, Arc::clone(&key.session)))
            .is_some_and(|until| *until > now)
        {
            return true;
        }
        let Some(mark) = self.everywhere.get(&key.user) else {
            return false;
        };
        match (key.generation, key.issued_at) {
            (Some(generation), _) => generation < mark.generation,
            (None, Some(issued_at)) => issued_at <= mark.at,
            // Another issuer's token that does not say when it was issued
            // predates every mark.
            (None, None) => true,
        }
    }

    fn end_covered(&mut self, user: Id, now: i64) {
        let Some(live) = self.live.get(&user) else {
            return;
        };
        let ended: Vec<CancellationToken> = live
            .iter()
            .filter(|l| self.covers(&l.key, now))
            .map(|l| l.ended.clone())
            .collect();
        for token in ended {
            token.cancel();
        }
    }
}

/// A live connection's registration: `ended()` resolves when its session
/// is revoked. Dropping it unregisters.
pub struct SessionWatch {
    sessions: Arc<Sessions>,
    user: Id,
    id: u64,
    ended: CancellationToken,
}

impl SessionWatch {
    pub fn ended(&self) -> WaitForCancellationFutureOwned {
        self.ended.clone().cancelled_owned()
    }
}

impl Drop for SessionWatch {
    fn drop(&mut self) {
        let mut state = self.sessions.lock();
        if let Some(live) = state.live.get_mut(&self.user) {
            live.retain(|l| l.id != self.id);
            if live.is_empty() {
                state.live.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(user: Id, session: &str, generation: i64) -> SessionKey {
        SessionKey {
            user,
            session: session.into(),
            generation: Some(generation),
            issued_at: None,
        }
    }

    #[test]
    fn a_revoked_session_is_refused_until_its_tokens_cannot_be_valid() {
        let sessions = Sessions::default();
        sessions.apply(
            &Revocation::Session {
                user_id: 1,
                session: "a".into(),
                until: 100,
            },
            10,
        );
        assert!(sessions.is_revoked(&own(1, "a", 0), 50));
        assert!(!sessions.is_revoked(&own(1, "b", 0), 50));
        assert!(!sessions.is_revoked(&own(2, "a", 0), 50));
        assert!(!sessions.is_revoked(&own(1, "a", 0), 100));
        sessions.prune(100);
        assert!(sessions.lock().revoked.is_empty());
    }

    #[test]
    fn logging_out_everywhere_revokes_older_tokens_of_every_issuer() {
        let sessions = Sessions::default();
        sessions.apply(
            &Revocation::AllSessions {
                user_id: 1,
                generation: 2,
                at: 1_000,
            },
            1_000,
        );
        assert_eq!(sessions.generation_of(1), 2);
        assert!(sessions.is_revoked(&own(1, "a", 1), 1_001));
        assert!(!sessions.is_revoked(&own(1, "a", 2), 1_001));
        let external = |issued_at| SessionKey {
            user: 1,
            session: "x".into(),
            generation: None,
            issued_at,
        };
        assert!(sessions.is_revoked(&external(Some(999)), 1_001));
        assert!(!sessions.is_revoked(&external(Some(1_001)), 1_002));
        assert!(sessions.is_revoked(&external(None), 1_002));
    }

    #[tokio::test]
    async fn live_connections_end_when_covered_and_unregister_when_dropped() {
        let sessions = Arc::new(Sessions::default());
        let a = sessions.watch(own(1, "a", 0));
        let b = sessions.watch(own(1, "b", 0));
        let other = sessions.watch(own(2, "a", 0));
        assert_eq!(sessions.live(), 3);
        sessions.apply(
            &Revocation::Session {
                user_id: 1,
                session: "a".into(),
                until: i64::MAX,
            },
            0,
        );
        tokio::time::timeout(std::time::Duration::from_secs(1), a.ended())
            .await
            .expect("a ends");
        assert!(!b.ended.is_cancelled());
        assert!(!other.ended.is_cancelled());
        sessions.apply(
            &Revocation::AllSessions {
                user_id: 1,
                generation: 1,
                at: 0,
            },
            0,
        );
        assert!(b.ended.is_cancelled());
        assert!(!other.ended.is_cancelled());
        drop((a, b, other));
        assert_eq!(sessions.live(), 0);
    }
}

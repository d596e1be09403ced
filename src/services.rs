//! What every request can reach: the shared services, built once by
//! `build` and handed to the API and the transports alike.

use std::sync::Arc;

use crate::{
    app::push::PushSetup,
    auth::{AuthThrottle, Authenticator, Passwords},
    broker::Broker,
    config::Config,
    store::Store,
};

/// The services shared by all requests. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<Store>,
    pub broker: Arc<dyn Broker>,
    /// Checks tokens, issues Herald's own, and knows what is revoked.
    pub auth: Arc<Authenticator>,
    /// Password hashing, a bounded number at a time.
    pub passwords: Arc<Passwords>,
    /// Throttles of sign-up and failed log-in.
    pub throttle: Arc<AuthThrottle>,
    /// The Web Push key and rules that registrations are checked against.
    pub push: Arc<PushSetup>,
    pub config: Arc<Config>,
}

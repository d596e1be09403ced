//! The subscription engine: `notifications` subscriptions run from a plan
//! shared by every subscription of one operation, and each event is
//! rendered once per plan rather than once per subscriber.
//!
//! async-graphql runs a subscription as its own `execute_stream`: a copy
//! of the document, the variables and the execution state per
//! subscription, and every delivery executes and serialises the selection
//! set again for one recipient. Here a subscription is a small record
//! (its plan, the caller, the values of the variables its selection uses,
//! and its gap-free stream, which is unchanged), and a delivery is:
//!
//! 1. find the plan's slot for the event (one fan-out's recipients share
//!    the event's row apart from their ids, and the rows it names);
//! 2. the first recipient renders it through async-graphql itself, with
//!    marks in place of `id` and `cursor`; the JSON is cut at the marks;
//! 3. every recipient fills the holes with its own id and cursor.
//!
//! The bytes are async-graphql's, so aliases, fragments, `__typename`,
//! `@include`/`@skip`, variables and errors mean what they always mean
//! (`tests/integration/api/engine.rs` compares both byte for byte). A
//! render that read who is asking (`User.email`, `Board.muted`) is not
//! shared. Operations the engine does not plan, and requests whose
//! variables or arguments it would have to coerce or refuse, run through
//! async-graphql as before, which also words every refusal.

mod plan;
mod template;

use std::{
    any::{Any, TypeId},
    collections::{HashMap, VecDeque},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
};

use async_graphql::{Data, Executor, Request, Response, Variables};
use futures_util::{StreamExt, stream, stream::BoxStream};
use rand::RngCore;

pub use template::{RenderMarks, Template};

use self::plan::{Plan, RenderValues, Start};
use super::{
    HeraldExecutor, Loaders, NotificationCursor, Services, notifications::notification_source,
    parse_id, subscriptions::opened,
};
use crate::{
    auth::Auth,
    delivery::LastEventId,
    error::{AppResult, UNSERIALISABLE_RESULT},
    model::{Id, Notified},
};

/// Distinct operations (text and name) whose plan is kept.
const MAX_PLANS: usize = 1024;

/// What a subscription sends: a result of async-graphql's, or a payload
/// the engine rendered.
pub enum Delivery {
    Response(Response),
    Rendered(Rendered),
}

/// One recipient's payload: a shared template and the notification that
/// fills it.
pub struct Rendered {
    template: Arc<Template>,
    item: Option<Id>,
}

impl Rendered {
    /// The payload's JSON (what async-graphql's response serialises to),
    /// appended to `out`.
    pub fn payload_into(&self, out: &mut String) {
        self.template.fill(self.item, out);
    }

    pub fn payload(&self) -> String {
        self.template.filled(self.item)
    }

    /// The item's cursor, which SSE sends as the event's id.
    pub fn event_id(&self) -> Option<String> {
        self.item.map(|id| NotificationCursor(id).encode())
    }
}

/// The one item a render (or a validation, with none) hands the root
/// field's resolver instead of a stream.
pub struct RenderItem<T>(Mutex<Option<AppResult<Arc<T>>>>);

impl<T: Send + Sync + 'static> RenderItem<T> {
    fn new(item: Option<AppResult<Arc<T>>>) -> Self {
        RenderItem(Mutex::new(item))
    }

    pub fn take(&self) -> BoxStream<'static, AppResult<Arc<T>>> {
        let item = self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
        stream::iter(item).boxed()
    }
}

/// The engine's counters: what it holds now and what it has done.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EngineStats {
    /// Subscriptions the engine runs now.
    pub live: usize,
    /// Plans kept (including operations found not to fit).
    pub plans: usize,
    /// Renders through async-graphql.
    pub renders: u64,
    /// Deliveries that reused another recipient's render.
    pub shared: u64,
    /// Subscriptions handed to async-graphql.
    pub handed_over: u64,
}

#[derive(Default)]
struct Counts {
    live: AtomicUsize,
    renders: AtomicU64,
    shared: AtomicU64,
    handed_over: AtomicU64,
}

type PlanKey = (String, Option<String>);

#[derive(Default)]
struct Plans {
    by_operation: HashMap<PlanKey, Option<Arc<Plan>>>,
    order: VecDeque<PlanKey>,
}

pub struct Engine {
    /// Runs the renders and what the engine hands over (without an engine
    /// of its own).
    exec: HeraldExecutor,
    services: Services,
    loaders: Arc<Loaders>,
    nonce: String,
    plans: Mutex<Plans>,
    counts: Counts,
}

impl Engine {
    pub fn new(exec: HeraldExecutor, services: Services, loaders: Arc<Loaders>) -> Engine {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        Engine {
            exec,
            services,
            loaders,
            nonce: nonce.iter().map(|b| format!("{b:02x}")).collect(),
            plans: Mutex::default(),
            counts: Counts::default(),
        }
    }

    pub fn stats(&self) -> EngineStats {
        EngineStats {
            live: self.counts.live.load(Ordering::Relaxed),
            plans: self.lock_plans().by_operation.len(),
            renders: self.counts.renders.load(Ordering::Relaxed),
            shared: self.counts.shared.load(Ordering::Relaxed),
            handed_over: self.counts.handed_over.load(Ordering::Relaxed),
        }
    }

    fn lock_plans(&self) -> std::sync::MutexGuard<'_, Plans> {
        // Every critical section leaves the map whole.
        self.plans.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs the subscription `request`: through a plan when one fits,
    /// else through async-graphql.
    pub(super) fn subscribe(
        self: &Arc<Self>,
        mut request: Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Delivery> {
        let Some(ready) = self.ready(&mut request, session.as_deref()) else {
            return self.hand_over(request, session);
        };
        let engine = Arc::clone(self);
        // Boxed, so that the stream keeps none of the start's state once
        // it has started.
        let started = Box::pin(async move {
            let Ready {
                plan,
                start,
                auth,
                me,
                resumed,
            } = ready;
            let valid = match plan.validated(&start.render.key) {
                Some(valid) => valid,
                None => {
                    let valid = engine
                        .validate(&plan, &start, &auth, session.clone(), me)
                        .await;
                    plan.record_validation(start.render.key.clone(), valid);
                    valid
                }
            };
            if !valid {
                return engine.hand_over(request, session);
            }
            let items =
                match notification_source(&engine.services, &engine.loaders, me, resumed).await {
                    Ok(source) => opened(&engine.services, source).await,
                    Err(err) => Err(err),
                };
            let Ok(items) = items else {
                // async-graphql meets the same failure and reports it.
                return engine.hand_over(request, session);
            };
            // The session's own caller (a websocket's) is not copied.
            let auth = request
                .data
                .contains_key(&TypeId::of::<Auth>())
                .then(|| Box::new(auth));
            drop(request);
            engine.counts.live.fetch_add(1, Ordering::Relaxed);
            let subscriber = Arc::new(Subscriber {
                engine,
                plan,
                auth,
                session,
                render: Some(start.render)
                    .filter(|r| !r.values.is_empty())
                    .map(Box::new),
                me,
            });
            items
                .then(move |item| {
                    let subscriber = Arc::clone(&subscriber);
                    Box::pin(async move { subscriber.deliver(item).await })
                })
                .boxed()
        });
        stream::once(started).flatten().boxed()
    }

    fn hand_over(
        &self,
        request: Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Delivery> {
        self.counts.handed_over.fetch_add(1, Ordering::Relaxed);
        self.exec
            .execute_stream(request, session)
            .map(Delivery::Response)
            .boxed()
    }

    /// The plan and the caller for `request`, when a plan fits it and its
    /// root field's checks pass (a refusal is async-graphql's to word).
    fn ready(&self, request: &mut Request, session: Option<&Data>) -> Option<Ready> {
        let plan = self.plan(request)?;
        let start = plan.start(request)?;
        let auth = found::<Auth>(&request.data, session)?.clone();
        let me = auth.principal().ok()?.user;
        let user_id = start.user_id.as_deref()?;
        if parse_id("userId", &user_id.into()).ok()? != me {
            return None;
        }
        let resumed = match (&start.after, found::<LastEventId>(&request.data, session)) {
            (Some(after), _) => Some(NotificationCursor::decode("after", after).ok()?),
            (None, Some(LastEventId(id))) => {
                Some(NotificationCursor::decode("Last-Event-ID", id).ok()?)
            }
            (None, None) => None,
        };
        Some(Ready {
            plan,
            start,
            auth,
            me,
            resumed,
        })
    }

    /// The plan of `request`'s operation, made on its first use.
    fn plan(&self, request: &mut Request) -> Option<Arc<Plan>> {
        let key = (request.query.clone(), request.operation_name.clone());
        if let Some(plan) = self.lock_plans().by_operation.get(&key) {
            return plan.clone();
        }
        self.exec.prepare(request).ok()?;
        let document = request.parsed_query().ok()?;
        let plan = Plan::of(document, &key.0, key.1.as_deref()).map(Arc::new);
        let mut plans = self.lock_plans();
        if plans.order.len() >= MAX_PLANS
            && let Some(oldest) = plans.order.pop_front()
        {
            plans.by_operation.remove(&oldest);
        }
        if plans
            .by_operation
            .insert(key.clone(), plan.clone())
            .is_none()
        {
            plans.order.push_back(key);
        }
        plan
    }

    /// Whether async-graphql validates the operation with these render
    /// values: it runs it with nothing to stream, and answers only when
    /// the operation is refused.
    async fn validate(
        &self,
        plan: &Plan,
        start: &Start,
        auth: &Auth,
        session: Option<Arc<Data>>,
        me: Id,
    ) -> bool {
        let request = plan
            .request(plan.render_variables(&start.render.values, me))
            .data(RenderItem::<Notified>::new(None))
            .data(auth.clone());
        self.exec
            .execute_stream(request, session)
            .next()
            .await
            .is_none()
    }
}

/// What a request that a plan fits needs to start.
struct Ready {
    plan: Arc<Plan>,
    start: Start,
    auth: Auth,
    me: Id,
    resumed: Option<Id>,
}

/// One subscription the engine runs: what a render needs, and no more.
struct Subscriber {
    engine: Arc<Engine>,
    plan: Arc<Plan>,
    /// The caller, when the request rather than the session carries it.
    auth: Option<Box<Auth>>,
    session: Option<Arc<Data>>,
    /// The values of the variables the selection uses, when it uses any.
    render: Option<Box<RenderValues>>,
    me: Id,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.engine.counts.live.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Subscriber {
    async fn deliver(&self, item: AppResult<Arc<Notified>>) -> Delivery {
        let notified = match item {
            Ok(notified) => notified,
            Err(err) => {
                return Delivery::Rendered(Rendered {
                    template: self.render(Err(err)).await,
                    item: None,
                });
            }
        };
        let id = notified.row.id;
        let key = self.render.as_ref().map_or("", |r| r.key.as_str());
        let (slot, reused) = self.plan.slots.of(key, &notified);
        let template = slot
            .template
            .get_or_init(|| self.render(Ok(Arc::clone(&notified))))
            .await;
        let template = match template.for_viewer {
            Some(viewer) if viewer != self.me => self.render(Ok(notified)).await,
            _ => {
                if reused {
                    self.engine.counts.shared.fetch_add(1, Ordering::Relaxed);
                }
                Arc::clone(template)
            }
        };
        Delivery::Rendered(Rendered {
            template,
            item: Some(id),
        })
    }

    /// Renders `item` through async-graphql, marks in place of its ids.
    async fn render(&self, item: AppResult<Arc<Notified>>) -> Arc<Template> {
        let marks = Arc::new(RenderMarks::new(&self.engine.nonce));
        let values = match &self.render {
            Some(render) => self.plan.render_variables(&render.values, self.me),
            None => self.plan.render_variables(&Variables::default(), self.me),
        };
        let mut request = self
            .plan
            .request(values)
            .data(RenderItem::new(Some(item)))
            .data(Arc::clone(&marks));
        if let Some(auth) = &self.auth {
            request = request.data(Auth::clone(auth));
        }
        let response = self
            .engine
            .exec
            .execute_stream(request, self.session.clone())
            .next()
            .await
            .unwrap_or_default();
        self.engine.counts.renders.fetch_add(1, Ordering::Relaxed);
        let json = serde_json::to_string(&response).unwrap_or_else(|err| {
            tracing::error!(error = %err, "could not serialise a result");
            UNSERIALISABLE_RESULT.to_owned()
        });
        Arc::new(Template::cut(&json, &marks, self.me))
    }
}

/// A value of type `T` in the request's data, else in the session's.
fn found<'a, T: Any>(request: &'a Data, session: Option<&'a Data>) -> Option<&'a T> {
    let key = TypeId::of::<T>();
    request
        .get(&key)
        .or_else(|| session.and_then(|s| s.get(&key)))
        .and_then(|value| value.downcast_ref::<T>())
}

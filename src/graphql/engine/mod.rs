//! The subscription engine: `notifications` and `chatMessages`
//! subscriptions run from a plan shared by every subscription of one
//! operation, and each event is rendered once per plan rather than once
//! per subscriber.
//!
//! async-graphql runs a subscription as its own `execute_stream`: a copy
//! of the document, the variables and the execution state per
//! subscription, and every delivery executes and serialises the selection
//! set again for one recipient. Here a subscription is a small record
//! (its plan, the caller, the values of the variables its selection uses,
//! and its gap-free stream, which is unchanged), and a delivery is:
//!
//! 1. find the plan's slot for the event (one fan-out's recipients share
//!    the event's row apart from their ids, and the rows it names; a
//!    room's members share its message);
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
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::UnboundedReceiverStream;

pub use template::{RenderMarks, Template};

use self::plan::{Plan, RenderValues, Root, Start};
use super::{
    HeraldExecutor, Loaders, NotificationCursor, Services, chat::room_source,
    notifications::notification_source, parse_id, subscriptions::opened,
};
use crate::{
    auth::Auth,
    delivery::LastEventId,
    error::{AppError, AppResult, UNSERIALISABLE_RESULT},
    model::{ChatMessage, Id, Notified},
    telemetry::metrics::{self, Engine as Event},
};

/// Distinct operations (text and name) whose plan is kept.
const MAX_PLANS: usize = 1024;

/// What a subscription sends: a result of async-graphql's, or a payload
/// the engine rendered.
pub enum Delivery {
    Response(Response),
    Rendered(Rendered),
}

/// One recipient's payload: a shared template and the item that fills
/// it.
pub struct Rendered {
    template: Arc<Template>,
    item: Option<Id>,
    event_id: fn(Id) -> String,
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

    /// The item's cursor (a notification's) or id (a chat message's),
    /// which SSE sends as the event's id.
    pub fn event_id(&self) -> Option<String> {
        self.item.map(self.event_id)
    }
}

/// An item a plan renders: what tells two recipients' items apart, and
/// what names it to SSE.
pub trait Renderable: Any + Send + Sync {
    fn id(&self) -> Id;
    /// Whether `self` and `other` render alike but for their ids.
    fn same_event(&self, other: &Self) -> bool;
    fn event_id(id: Id) -> String;
}

impl Renderable for Notified {
    fn id(&self) -> Id {
        self.row.id
    }
    fn same_event(&self, other: &Self) -> bool {
        template::same_notification(self, other)
    }
    fn event_id(id: Id) -> String {
        NotificationCursor(id).encode()
    }
}

/// A room's message is one item for every member: the same id, the same
/// payload.
impl Renderable for ChatMessage {
    fn id(&self) -> Id {
        self.id
    }
    fn same_event(&self, other: &Self) -> bool {
        self.id == other.id && self.room_id == other.room_id
    }
    fn event_id(id: Id) -> String {
        id.to_string()
    }
}

/// What a render hands the root field's resolver instead of its stream:
/// one item (none for a validation), or the feed of a plan's renderer.
pub struct RenderItem<T>(Mutex<Option<Feed<T>>>);

enum Feed<T> {
    One(Option<AppResult<Arc<T>>>),
    Renderer(mpsc::UnboundedReceiver<Arc<T>>),
}

impl<T: Send + Sync + 'static> RenderItem<T> {
    fn new(item: Option<AppResult<Arc<T>>>) -> Self {
        RenderItem(Mutex::new(Some(Feed::One(item))))
    }

    fn feed(items: mpsc::UnboundedReceiver<Arc<T>>) -> Self {
        RenderItem(Mutex::new(Some(Feed::Renderer(items))))
    }

    pub fn take(&self) -> BoxStream<'static, AppResult<Arc<T>>> {
        match self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            Some(Feed::One(item)) => stream::iter(item).boxed(),
            Some(Feed::Renderer(items)) => UnboundedReceiverStream::new(items).map(Ok).boxed(),
            None => stream::empty().boxed(),
        }
    }
}

/// What a render hands the root field's resolver of `T`, as its nodes;
/// `None` outside renders. The first thing `notifications` and
/// `chatMessages` ask.
pub fn rendering<T, N>(
    ctx: &async_graphql::Context<'_>,
    node: fn(Arc<T>) -> N,
) -> Option<BoxStream<'static, AppResult<N>>>
where
    T: Send + Sync + 'static,
    N: Send + 'static,
{
    let rendered = ctx.data_opt::<RenderItem<T>>()?;
    Some(rendered.take().map(move |item| item.map(node)).boxed())
}

/// A request to a plan's renderer: an item, and where its template goes.
type RenderJob<T> = (Arc<T>, oneshot::Sender<Arc<Template>>);

/// Starts a renderer: one async-graphql execution of `request`, kept for
/// the plan's life, that renders each item sent to it. A render then
/// costs what executing the selection costs, without a request's parse,
/// validation and set-up. It runs in a task of its own, so that a
/// subscriber that goes away mid-render cannot leave a result behind for
/// the next one.
fn start_renderer<T: Renderable>(
    exec: HeraldExecutor,
    request: Request,
    session: Option<Arc<Data>>,
    marks: Arc<RenderMarks>,
    viewer: Id,
) -> mpsc::UnboundedSender<RenderJob<T>> {
    let (jobs, mut queue) = mpsc::unbounded_channel::<RenderJob<T>>();
    let (feed, items) = mpsc::unbounded_channel();
    let request = request
        .data(RenderItem::<T>::feed(items))
        .data(Arc::clone(&marks));
    tokio::spawn(async move {
        let mut results = exec.execute_stream(request, session);
        while let Some((item, reply)) = queue.recv().await {
            marks.reset();
            if feed.send(item).is_err() {
                break;
            }
            let Some(response) = results.next().await else {
                break;
            };
            let _ = reply.send(Arc::new(Template::cut(
                &payload_json(&response),
                &marks,
                viewer,
            )));
        }
    });
    jobs
}

fn payload_json(response: &Response) -> String {
    serde_json::to_string(response).unwrap_or_else(|err| {
        tracing::error!(error = %err, "could not serialise a result");
        UNSERIALISABLE_RESULT.to_owned()
    })
}

/// The engine's counters: what it holds now and what it has done.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EngineStats {
    /// Subscriptions the engine runs now.
    pub live: usize,
    /// Plans kept.
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

#[derive(Default)]
struct Plans {
    by_operation: HashMap<u64, Arc<Plan>>,
    /// Their keys, oldest first.
    order: VecDeque<u64>,
}

/// A plan's key: a hash of the operation's text and name. Two operations
/// with one hash only take turns in the cache (`Plan::is_for`).
fn plan_key(query: &str, operation_name: Option<&str>) -> u64 {
    use std::hash::{BuildHasher, RandomState};
    static KEYS: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
    KEYS.get_or_init(RandomState::new)
        .hash_one((query, operation_name))
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

    /// Counts `event` here and in the metrics.
    fn count(&self, event: Event) {
        let counter = match event {
            Event::Rendered => &self.counts.renders,
            Event::Shared => &self.counts.shared,
            Event::HandedOver => &self.counts.handed_over,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        metrics::engine(event);
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
                room,
                resumed,
            } = ready;
            let valid = match plan.validated(&start.render.key) {
                Some(valid) => valid,
                None => {
                    let valid = engine.validate(&plan, &start, &auth, session.clone()).await;
                    plan.record_validation(start.render.key.clone(), valid);
                    valid
                }
            };
            if !valid {
                return engine.hand_over(request, session);
            }
            // The session's own caller (a websocket's) is not copied.
            let in_request = request.data.contains_key(&TypeId::of::<Auth>());
            // Counted from here; the subscriber's drop uncounts it.
            engine.counts.live.fetch_add(1, Ordering::Relaxed);
            let subscriber = Subscriber {
                engine: Arc::clone(&engine),
                plan,
                auth: in_request.then(|| Box::new(auth)),
                session: session.clone(),
                render: Some(start.render)
                    .filter(|r| !r.values.is_empty())
                    .map(Box::new),
                me,
            };
            let services = &engine.services;
            let items = async {
                Ok::<_, AppError>(match room {
                    None => {
                        let source =
                            notification_source(services, &engine.loaders, me, resumed).await?;
                        subscriber.run(opened(services, source).await?)
                    }
                    Some(room) => {
                        let source = room_source(services, me, room, resumed).await?;
                        subscriber.run(opened(services, source).await?)
                    }
                })
            };
            match items.await {
                Ok(items) => items,
                // async-graphql meets the same failure or refusal, and
                // words it.
                Err(_) => engine.hand_over(request, session),
            }
        });
        stream::once(started).flatten().boxed()
    }

    fn hand_over(
        &self,
        request: Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Delivery> {
        self.count(Event::HandedOver);
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
        let key = parse_id("key", &start.key.as_deref()?.into()).ok()?;
        let room = match plan.root {
            // Only one's own notifications; the refusal is async-graphql's.
            Root::Notifications if key != me => return None,
            Root::Notifications => None,
            Root::ChatMessages => Some(key),
        };
        let decode = |field, text: &str| match plan.root {
            Root::Notifications => NotificationCursor::decode(field, text).ok(),
            Root::ChatMessages => parse_id(field, &text.into()).ok(),
        };
        let resumed = match (&start.after, found::<LastEventId>(&request.data, session)) {
            (Some(after), _) => Some(decode("after", after)?),
            (None, Some(LastEventId(id))) => Some(decode("Last-Event-ID", id)?),
            (None, None) => None,
        };
        Some(Ready {
            plan,
            start,
            auth,
            me,
            room,
            resumed,
        })
    }

    /// The plan of `request`'s operation, made on its first use. Only
    /// plans are kept, by a hash of the operation's text and name, each
    /// holding the one copy of its text; other operations' documents are
    /// cached by the executor already.
    fn plan(&self, request: &mut Request) -> Option<Arc<Plan>> {
        let key = plan_key(&request.query, request.operation_name.as_deref());
        if let Some(plan) = self.lock_plans().by_operation.get(&key)
            && plan.is_for(&request.query, request.operation_name.as_deref())
        {
            return Some(Arc::clone(plan));
        }
        self.exec.prepare(request).ok()?;
        let (query, operation_name) = (request.query.clone(), request.operation_name.clone());
        let document = request.parsed_query().ok()?;
        let plan = Arc::new(Plan::of(document, &query, operation_name.as_deref())?);
        let mut plans = self.lock_plans();
        if plans.by_operation.insert(key, Arc::clone(&plan)).is_none() {
            plans.order.push_back(key);
            if plans.order.len() > MAX_PLANS
                && let Some(oldest) = plans.order.pop_front()
            {
                plans.by_operation.remove(&oldest);
            }
        }
        Some(plan)
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
    ) -> bool {
        let request = plan
            .request(plan.render_variables(&start.render.values))
            .data(RenderItem::<Notified>::new(None))
            .data(RenderItem::<ChatMessage>::new(None))
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
    /// The room of a `chatMessages` subscription.
    room: Option<Id>,
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
    /// The deliveries of `items`.
    fn run<T: Renderable>(
        self,
        items: impl futures_util::Stream<Item = AppResult<Arc<T>>> + Send + 'static,
    ) -> BoxStream<'static, Delivery> {
        let subscriber = Arc::new(self);
        items
            .then(move |item| {
                let subscriber = Arc::clone(&subscriber);
                Box::pin(async move { subscriber.deliver(item).await })
            })
            .boxed()
    }

    async fn deliver<T: Renderable>(&self, item: AppResult<Arc<T>>) -> Delivery {
        let item = match item {
            Ok(item) => item,
            Err(err) => {
                return Delivery::Rendered(Rendered {
                    template: self.render::<T>(Err(err)).await,
                    item: None,
                    event_id: T::event_id,
                });
            }
        };
        let id = item.id();
        let key = self.render.as_ref().map_or("", |r| r.key.as_str());
        let (slot, reused) = self.plan.slots.of(key, &item);
        let template = slot
            .template
            .get_or_init(|| self.render_shared(Arc::clone(&item)))
            .await;
        let template = match template.for_viewer {
            Some(viewer) if viewer != self.me => self.render(Ok(item)).await,
            _ => {
                if reused {
                    self.engine.count(Event::Shared);
                }
                Arc::clone(template)
            }
        };
        Delivery::Rendered(Rendered {
            template,
            item: Some(id),
            event_id: T::event_id,
        })
    }

    /// Renders `item` with the plan's renderer for these render values,
    /// started by the first subscriber that needs it.
    async fn render_shared<T: Renderable>(&self, item: Arc<T>) -> Arc<Template> {
        let key = self.render.as_ref().map_or("", |r| r.key.as_str());
        let renderer = self.plan.renderer(key, || {
            let mut request = self.plan.request(self.render_values());
            if let Some(auth) = &self.auth {
                request = request.data(Auth::clone(auth));
            }
            let marks = Arc::new(RenderMarks::new(&self.engine.nonce));
            start_renderer::<T>(
                self.engine.exec.clone(),
                request,
                self.session.clone(),
                marks,
                self.me,
            )
        });
        let (reply, template) = oneshot::channel();
        if let Some(renderer) = renderer
            && renderer.send((Arc::clone(&item), reply)).is_ok()
            && let Ok(template) = template.await
        {
            self.engine.count(Event::Rendered);
            return template;
        }
        // No renderer (too many render values), or it has stopped.
        self.render(Ok(item)).await
    }

    fn render_values(&self) -> Variables {
        match &self.render {
            Some(render) => self.plan.render_variables(&render.values),
            None => self.plan.render_variables(&Variables::default()),
        }
    }

    /// Renders `item` through async-graphql in a request of its own,
    /// marks in place of its ids.
    async fn render<T: Renderable>(&self, item: AppResult<Arc<T>>) -> Arc<Template> {
        let marks = Arc::new(RenderMarks::new(&self.engine.nonce));
        let mut request = self
            .plan
            .request(self.render_values())
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
        self.engine.count(Event::Rendered);
        Arc::new(Template::cut(&payload_json(&response), &marks, self.me))
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

//! `HeraldExecutor`: the one door through which every transport (HTTP,
//! both websocket subprotocols, SSE) runs an operation.
//!
//! Before async-graphql sees a request, its text and document are checked
//! and parsed once (`DocumentCache`, `guard`); a refused request is
//! answered with a coded error and costs nothing more. A query or mutation
//! runs under a deadline: when it passes, the work is dropped (a write
//! transaction not yet committed rolls back) and the client gets TIMEOUT.
//! Every response then passes through `finish`, which gives
//! async-graphql's own limit errors Herald's codes and logs the cause of
//! internal errors once per response.

use std::{sync::Arc, time::Duration};

use async_graphql::{Data, Executor, Request, Response, ServerError, parser::types::OperationType};
use futures_util::{StreamExt, stream, stream::BoxStream};

use super::{
    HeraldSchema, Loaders, Services,
    documents::DocumentCache,
    engine::{Delivery, Engine, EngineStats},
    guard::{DocumentLimits, code_input_errors, code_limit_errors},
};
use crate::{
    config::Limits,
    error::{AppError, InternalCause, log_internal},
};

/// The schema, behind Herald's checks. Cheap to clone.
#[derive(Clone)]
pub struct HeraldExecutor {
    schema: HeraldSchema,
    documents: Arc<DocumentCache>,
    deadline: Duration,
    /// Runs the subscriptions it has a plan for (`engine`).
    engine: Option<Arc<Engine>>,
}

impl HeraldExecutor {
    pub fn new(schema: HeraldSchema, limits: &Limits) -> Self {
        HeraldExecutor {
            schema,
            documents: Arc::new(DocumentCache::new(DocumentLimits::from_config(limits))),
            deadline: limits.request_timeout(),
            engine: None,
        }
    }

    /// The same, with subscriptions run by the engine where it has a
    /// plan for them.
    pub fn with_engine(mut self, services: Services, loaders: Arc<Loaders>) -> Self {
        let engine = Engine::new(self.clone(), services, loaders);
        self.engine = Some(Arc::new(engine));
        self
    }

    /// The engine's counters, when it runs.
    pub fn engine_stats(&self) -> Option<EngineStats> {
        self.engine.as_ref().map(|engine| engine.stats())
    }

    /// Runs a subscription (or any operation a subscription transport
    /// carries): through the engine when it has a plan for it, else
    /// through async-graphql.
    pub fn subscribe(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Delivery> {
        match &self.engine {
            Some(engine) => engine.subscribe(request, session_data),
            None => self
                .execute_stream(request, session_data)
                .map(Delivery::Response)
                .boxed(),
        }
    }

    /// Checks `request` and gives it its parsed document; a refusal comes
    /// back as the response to send.
    pub fn prepare(&self, request: &mut Request) -> Result<(), Box<Response>> {
        self.documents.prepare(request).map_err(|refusal| {
            Box::new(Response::from_errors(vec![
                AppError::from(refusal).into_server_error(),
            ]))
        })
    }

    /// The types of the operations `request` holds, after `prepare`; empty
    /// when it does not parse (execution then reports why).
    pub fn operation_types(&self, request: &mut Request) -> Vec<OperationType> {
        match request.parsed_query() {
            Ok(document) => document
                .operations
                .iter()
                .map(|(_, op)| op.node.ty)
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl Executor for HeraldExecutor {
    async fn execute(&self, mut request: Request) -> Response {
        if let Err(refused) = self.prepare(&mut request) {
            return *refused;
        }
        let response = match tokio::time::timeout(self.deadline, self.schema.execute(request)).await
        {
            Ok(response) => response,
            Err(_) => Response::from_errors(vec![deadline_passed(self.deadline)]),
        };
        finish(response)
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        if let Err(refused) = self.prepare(&mut request) {
            return stream::once(async move { *refused }).boxed();
        }
        self.schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
            .map(finish)
            .boxed()
    }
}

fn deadline_passed(deadline: Duration) -> ServerError {
    AppError::limit(
        "TIMEOUT",
        "request-timeout-secs",
        format!(
            "the operation did not finish within {} s and was cancelled",
            deadline.as_secs()
        ),
    )
    .into_server_error()
}

/// Codes async-graphql's limit and input errors and logs the first
/// internal error's cause, once for the whole response.
fn finish(mut response: Response) -> Response {
    code_limit_errors(&mut response.errors);
    code_input_errors(&mut response.errors);
    let mut causes = response
        .errors
        .iter()
        .filter_map(|error| error.source::<InternalCause>());
    if let Some(first) = causes.next() {
        log_internal(&first.0, causes.count());
    }
    response
}

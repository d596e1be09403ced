//! Entry points for the fuzz targets (`fuzz/`) and for the bounded pass
//! over their corpus that `cargo test` runs (`tests/fuzz.rs`): each takes
//! arbitrary bytes, as a client could send them, through one part of
//! Herald that reads client input. None may panic, overflow its stack or
//! run away; what they return does not matter.

use std::sync::OnceLock;

use async_graphql::{
    BatchRequest, Executor,
    http::{MultipartOptions, receive_batch_body},
};

use crate::{
    config::Config,
    graphql::{HeraldExecutor, NotificationCursor, validation_only},
    http::ws::protocol,
};

/// One runtime and one validating executor for every input: building them
/// costs far more than checking an input.
fn harness() -> &'static (tokio::runtime::Runtime, HeraldExecutor) {
    static HARNESS: OnceLock<(tokio::runtime::Runtime, HeraldExecutor)> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let limits = Config::for_data_dir("/nonexistent").limits;
        let executor = runtime.block_on(async { validation_only(&limits) });
        (runtime, executor)
    })
}

/// A `POST /graphql` JSON body: decoded as one operation or a batch, then
/// each operation checked, parsed and validated.
pub fn graphql_body(data: &[u8]) {
    let Ok(batch) = serde_json::from_slice::<BatchRequest>(data) else {
        return;
    };
    let (runtime, executor) = harness();
    runtime.block_on(async {
        let _ = executor.execute_batch(batch).await;
    });
}

/// A `GET /graphql` or `/graphql/stream` query string.
pub fn query_string(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(request) = async_graphql::http::parse_query_string(text) else {
        return;
    };
    let (runtime, executor) = harness();
    runtime.block_on(async {
        let _ = executor.execute(request).await;
    });
}

/// A multipart upload request (the GraphQL multipart request spec), with
/// the options the HTTP handler uses.
pub fn multipart(data: &[u8]) {
    let (runtime, executor) = harness();
    runtime.block_on(async {
        let options = MultipartOptions::default()
            .max_file_size(64 * 1024)
            .max_num_files(4);
        let body = futures_util::io::Cursor::new(data.to_vec());
        let content_type = Some("multipart/form-data; boundary=herald".to_owned());
        if let Ok(batch) = receive_batch_body(content_type, body, options).await {
            let _ = executor.execute_batch(batch).await;
        }
    });
}

/// A websocket text message, read by both subprotocols.
pub fn ws_message(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for legacy in [false, true] {
        if let Ok(protocol::ClientMessage::ConnectionInit { payload }) =
            protocol::parse(text, legacy)
        {
            let _ = protocol::token_in(payload.as_ref());
        }
    }
}

/// A notification cursor, as `after` or `Last-Event-ID`.
pub fn cursor(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = NotificationCursor::decode("after", text);
    }
}

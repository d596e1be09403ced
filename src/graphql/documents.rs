//! Parsed operations, kept by their text.
//!
//! Clients send the same few operations over and over: every inbox
//! subscribes with the same `notifications` document, every board edit
//! runs the same `updateCard`. async-graphql parses each request's text
//! anew. `HeraldExecutor` parses a text once and hands each later request
//! a copy of the parsed document: the parse is saved on every request,
//! and the document a live subscription keeps for its whole life is
//! smaller, since a copy is allocated to size (the parser's vectors grow
//! by doubling) and shares its names with the original.
//!
//! Only parsing is cached. Validation, the depth check and execution run
//! for every request as before, so a cached document behaves exactly as a
//! freshly parsed one.

use std::{
    num::NonZeroUsize,
    sync::{Arc, Mutex},
};

use async_graphql::{
    Data, Executor, Request, Response,
    parser::{parse_query, types::ExecutableDocument},
};
use futures_util::stream::BoxStream;
use lru::LruCache;

use super::HeraldSchema;

/// Distinct operation texts kept. A deployment's clients send tens of
/// them; the bound keeps a client that sends endless distinct texts from
/// growing the cache (they only evict each other).
pub const DOCUMENT_CACHE_ENTRIES: usize = 512;

/// Longer texts are parsed for every request and not kept: real
/// operations are a few hundred bytes, and the cache should not hold a
/// client's megabyte of query.
pub const MAX_CACHED_QUERY_BYTES: usize = 8 * 1024;

/// Parsed documents by query text, least recently used evicted first.
pub struct DocumentCache {
    documents: Mutex<LruCache<Box<str>, ExecutableDocument>>,
}

impl Default for DocumentCache {
    fn default() -> Self {
        let entries = NonZeroUsize::new(DOCUMENT_CACHE_ENTRIES).expect("a non-zero constant");
        DocumentCache {
            documents: Mutex::new(LruCache::new(entries)),
        }
    }
}

impl DocumentCache {
    /// The parsed document of `query`, from the cache or parsed now and
    /// kept. `None` when it does not parse (async-graphql then parses it
    /// again and reports the error as usual) or is too long to keep.
    pub fn document(&self, query: &str) -> Option<ExecutableDocument> {
        if query.len() > MAX_CACHED_QUERY_BYTES {
            return None;
        }
        // The lock is held for a hash lookup and a copy, never while
        // parsing: a slow parse must not stall every other request.
        if let Some(document) = self.lock().get(query) {
            return Some(document.clone());
        }
        let document = parse_query(query).ok()?;
        self.lock().put(query.into(), document.clone());
        Some(document)
    }

    /// How many documents are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<Box<str>, ExecutableDocument>> {
        // A panic while holding the lock cannot leave the map half
        // updated in a way that matters: every entry is a whole document.
        self.documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn prepare(&self, request: &mut Request) {
        if let Some(document) = self.document(&request.query) {
            request.set_parsed_query(document);
        }
    }
}

/// The schema, with parsed documents reused across requests. Every
/// transport (HTTP, websocket, SSE) executes through it.
#[derive(Clone)]
pub struct HeraldExecutor {
    schema: HeraldSchema,
    documents: Arc<DocumentCache>,
}

impl HeraldExecutor {
    pub fn new(schema: HeraldSchema) -> Self {
        HeraldExecutor {
            schema,
            documents: Arc::default(),
        }
    }
}

impl Executor for HeraldExecutor {
    async fn execute(&self, mut request: Request) -> Response {
        self.documents.prepare(&mut request);
        self.schema.execute(request).await
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        self.documents.prepare(&mut request);
        self.schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUERY: &str = "subscription($u: ID!) { notifications(userId: $u) { id message } }";

    #[test]
    fn a_text_is_parsed_once_and_copies_are_equal() {
        let cache = DocumentCache::default();
        let first = cache.document(QUERY).expect("parses");
        let again = cache.document(QUERY).expect("cached");
        assert_eq!(cache.len(), 1);
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
        assert_eq!(
            format!("{first:?}"),
            format!("{:?}", parse_query(QUERY).unwrap())
        );
    }

    #[test]
    fn bad_and_oversized_texts_are_not_kept() {
        let cache = DocumentCache::default();
        assert!(cache.document("query { ").is_none());
        let long = format!(
            "query {{ me {{ id }} }} #{}",
            "x".repeat(MAX_CACHED_QUERY_BYTES)
        );
        assert!(cache.document(&long).is_none());
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = DocumentCache::default();
        for i in 0..DOCUMENT_CACHE_ENTRIES + 10 {
            cache.document(&format!("query Q{i} {{ me {{ id }} }}"));
        }
        assert_eq!(cache.len(), DOCUMENT_CACHE_ENTRIES);
    }
}

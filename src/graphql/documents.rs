//! Parsed operations, kept by their text, each checked once.
//!
//! Clients send the same few operations over and over: every inbox
//! subscribes with the same `notifications` document, every board edit
//! runs the same `updateCard`. async-graphql parses each request's text
//! anew. `DocumentCache` parses a text once, checks what it may cost
//! (`guard`), and hands each later request a copy of the parsed document:
//! the parse and the checks are saved on every request, and the document a
//! live subscription keeps for its whole life is smaller, since a copy is
//! allocated to size (the parser's vectors grow by doubling) and shares
//! its names with the original.
//!
//! Validation (with the schema's depth, complexity, recursion and
//! directive limits) and execution run for every request as before, so a
//! cached document behaves exactly as a freshly parsed one.

use std::{
    num::NonZeroUsize,
    sync::{Mutex, MutexGuard},
};

use async_graphql::{
    Request,
    parser::{parse_query, types::ExecutableDocument},
};
use lru::LruCache;

use super::guard::{DocumentLimits, Refusal, check_document, check_text};

/// Distinct operation texts kept. A deployment's clients send tens of
/// them; the bound keeps a client that sends endless distinct texts from
/// growing the cache (they only evict each other).
pub const DOCUMENT_CACHE_ENTRIES: usize = 512;

/// Longer texts are parsed for every request and not kept: real
/// operations are a few hundred bytes, and the cache should not hold a
/// client's 32 KiB of query.
pub const MAX_CACHED_QUERY_BYTES: usize = 8 * 1024;

/// What the cache knows of a text: its checked document, or why it was
/// refused.
type Checked = Result<ExecutableDocument, Refusal>;

/// Checked documents by query text, least recently used evicted first.
pub struct DocumentCache {
    limits: DocumentLimits,
    documents: Mutex<LruCache<Box<str>, Checked>>,
}

impl DocumentCache {
    pub fn new(limits: DocumentLimits) -> Self {
        let entries = NonZeroUsize::new(DOCUMENT_CACHE_ENTRIES).expect("a non-zero constant");
        DocumentCache {
            limits,
            documents: Mutex::new(LruCache::new(entries)),
        }
    }

    /// The checked document of `query`, from the cache or parsed now.
    /// `Ok(None)` when it does not parse: async-graphql then parses it
    /// again and reports the syntax error as usual, which is safe because
    /// the text passed the nesting check.
    pub fn document(&self, query: &str) -> Result<Option<ExecutableDocument>, Refusal> {
        // The length first, before the text is hashed for the lookup.
        if query.len() > self.limits.max_bytes {
            return Err(Refusal::TooLarge {
                max: self.limits.max_bytes,
            });
        }
        let cacheable = query.len() <= MAX_CACHED_QUERY_BYTES;
        // The lock is held for a hash lookup and a copy, never while
        // parsing: a slow parse must not stall every other request.
        if cacheable && let Some(checked) = self.lock().get(query) {
            return checked.clone().map(Some);
        }
        check_text(query, &self.limits)?;
        let Ok(document) = parse_query(query) else {
            return Ok(None);
        };
        let checked = check_document(&document, &self.limits).map(|()| document);
        if cacheable {
            self.lock().put(query.into(), checked.clone());
        }
        checked.map(Some)
    }

    /// Checks `request`'s text and gives it its parsed document.
    pub fn prepare(&self, request: &mut Request) -> Result<(), Refusal> {
        if let Some(document) = self.document(&request.query)? {
            request.set_parsed_query(document);
        }
        Ok(())
    }

    /// How many documents are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> MutexGuard<'_, LruCache<Box<str>, Checked>> {
        // A panic while holding the lock cannot leave the map half
        // updated in a way that matters: every entry is a whole document.
        self.documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUERY: &str = "subscription($u: ID!) { notifications(userId: $u) { id message } }";

    fn cache() -> DocumentCache {
        DocumentCache::new(DocumentLimits {
            max_bytes: 32 * 1024,
            max_nesting: 64,
            max_fields: 2_000,
            max_root_fields: 32,
        })
    }

    #[test]
    fn a_text_is_parsed_once_and_copies_are_equal() {
        let cache = cache();
        let first = cache.document(QUERY).unwrap().expect("parses");
        let again = cache.document(QUERY).unwrap().expect("cached");
        assert_eq!(cache.len(), 1);
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
        assert_eq!(
            format!("{first:?}"),
            format!("{:?}", parse_query(QUERY).unwrap())
        );
    }

    #[test]
    fn bad_and_oversized_texts_are_not_kept() {
        let cache = cache();
        assert!(matches!(cache.document("query { "), Ok(None)));
        let long = format!(
            "query {{ me {{ id }} }} #{}",
            "x".repeat(MAX_CACHED_QUERY_BYTES)
        );
        assert!(cache.document(&long).unwrap().is_some());
        assert_eq!(cache.len(), 0);
        let too_long = "#".repeat(33 * 1024);
        assert_eq!(
            cache.document(&too_long).err(),
            Some(Refusal::TooLarge { max: 32 * 1024 })
        );
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = cache();
        for i in 0..DOCUMENT_CACHE_ENTRIES + 10 {
            cache
                .document(&format!("query Q{i} {{ me {{ id }} }}"))
                .unwrap();
        }
        assert_eq!(cache.len(), DOCUMENT_CACHE_ENTRIES);
    }
}

#[cfg(test)]
mod refusal_tests {
    use super::*;

    #[test]
    fn refusals_are_cached_like_documents() {
        let cache = DocumentCache::new(DocumentLimits {
            max_bytes: 1024,
            max_nesting: 4,
            max_fields: 2_000,
            max_root_fields: 2,
        });
        let wide = "{ a: me { id } b: me { id } c: me { id } }";
        for _ in 0..2 {
            assert!(matches!(
                cache.document(wide),
                Err(Refusal::TooComplex {
                    limit: "max-root-fields",
                    ..
                })
            ));
        }
        assert_eq!(
            cache.document("{ a { b { c { d { e } } } } }").err(),
            Some(Refusal::TooDeep { max: 4 })
        );
    }
}

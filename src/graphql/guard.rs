//! What a GraphQL document may cost, checked before async-graphql sees it.
//!
//! Two checks run before anything else, on every transport:
//!
//! - on the text, before parsing: its length, and how deep brackets,
//!   braces and parentheses nest outside strings and comments. The parser
//!   recurses once per nesting level of a value (`[[[[…]]]]`), so a few
//!   thousand levels would overflow a worker's stack and abort the whole
//!   process; the scan is one pass over the bytes and recurses not at all.
//! - on the parsed document, before validation: how many fields it selects
//!   once every fragment spread is expanded, aliases included, and how
//!   many root fields each operation has. async-graphql's own checks and
//!   validation rules expand fragment spreads without memoising them, so a
//!   chain of fragments that each spread the next twice costs 2^n before
//!   any limit on the executed query applies. Here each fragment is
//!   counted once (memoised), so the count itself is linear in the text.
//!
//! What passes then meets async-graphql's depth, complexity, recursion and
//! directive limits (set in `schema.rs`) and the execution deadline.

use std::collections::HashMap;

use async_graphql::{
    ServerError,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use crate::{config::Limits, error::AppError, telemetry::metrics};

/// The bounds this module checks, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct DocumentLimits {
    pub max_bytes: usize,
    pub max_nesting: usize,
    pub max_fields: u64,
    pub max_root_fields: u64,
}

impl DocumentLimits {
    pub fn from_config(limits: &Limits) -> Self {
        DocumentLimits {
            max_bytes: usize::try_from(limits.max_query_bytes).unwrap_or(usize::MAX),
            max_nesting: usize::try_from(limits.max_query_nesting).unwrap_or(usize::MAX),
            max_fields: limits.max_query_fields,
            max_root_fields: limits.max_root_fields,
        }
    }
}

/// Why a document was refused before execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The text is longer than `max` bytes.
    TooLarge { max: usize },
    /// Brackets, braces or parentheses nest deeper than `max`, or the
    /// selection sets do (see `schema.rs`).
    TooDeep { max: usize },
    /// The document selects too much: `limit` names the flag.
    TooComplex { limit: &'static str, max: u64 },
}

impl Refusal {
    /// The `extensions.code` of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::TooLarge { .. } => "QUERY_TOO_LARGE",
            Refusal::TooDeep { .. } => "QUERY_TOO_DEEP",
            Refusal::TooComplex { .. } => "QUERY_TOO_COMPLEX",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refusal::TooLarge { max } => format!("the query is longer than {max} bytes"),
            Refusal::TooDeep { max } => format!("the query nests deeper than {max} levels"),
            Refusal::TooComplex { limit, max } => match *limit {
                "max-root-fields" => format!("an operation may select at most {max} root fields"),
                _ => format!(
                    "the query selects more than {max} fields once its fragments are expanded"
                ),
            },
        }
    }

    /// The flag that sets the limit this refusal is about.
    pub fn limit(&self) -> &'static str {
        match self {
            Refusal::TooLarge { .. } => "max-query-bytes",
            Refusal::TooDeep { .. } => "max-query-nesting",
            Refusal::TooComplex { limit, .. } => limit,
        }
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        AppError::limit(refusal.code(), refusal.limit(), refusal.message())
    }
}

/// Checks the text of a query before it is parsed: its length, then how
/// deep `{`, `[` and `(` nest outside strings and comments.
pub fn check_text(query: &str, limits: &DocumentLimits) -> Result<(), Refusal> {
    if query.len() > limits.max_bytes {
        return Err(Refusal::TooLarge {
            max: limits.max_bytes,
        });
    }
    if nesting_depth(query.as_bytes(), limits.max_nesting) > limits.max_nesting {
        return Err(Refusal::TooDeep {
            max: limits.max_nesting,
        });
    }
    Ok(())
}

/// The deepest nesting of brackets, braces and parentheses in GraphQL
/// source, skipping strings, block strings and comments. Stops counting
/// once `stop_above` is exceeded.
fn nesting_depth(text: &[u8], stop_above: usize) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'#' => {
                // A comment runs to the end of the line.
                while i < text.len() && text[i] != b'\n' && text[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if text[i..].starts_with(b"\"\"\"") => {
                // A block string ends at the next `"""` that is not
                // escaped as `\"""`.
                i += 3;
                while i < text.len() && !text[i..].starts_with(b"\"\"\"") {
                    i += if text[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                // A string ends at an unescaped quote or at the line's end
                // (where the parser will report it).
                i += 1;
                while i < text.len() && text[i] != b'"' && text[i] != b'\n' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > deepest {
                    deepest = depth;
                    if deepest > stop_above {
                        return deepest;
                    }
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// Checks a parsed document: the fields it selects with every fragment
/// spread expanded (each fragment counted once, then reused), and the root
/// fields of each operation.
pub fn check_document(
    document: &ExecutableDocument,
    limits: &DocumentLimits,
) -> Result<(), Refusal> {
    let mut counter = FieldCounter {
        document,
        counted: HashMap::new(),
        counted_roots: HashMap::new(),
    };
    let too_many = Refusal::TooComplex {
        limit: "max-query-fields",
        max: limits.max_fields,
    };
    let mut total: u64 = 0;
    for (_, operation) in document.operations.iter() {
        let selection = &operation.node.selection_set.node;
        let root = counter.root_fields(selection);
        if root > limits.max_root_fields {
            return Err(Refusal::TooComplex {
                limit: "max-root-fields",
                max: limits.max_root_fields,
            });
        }
        total = total.saturating_add(counter.fields(selection));
        if total > limits.max_fields {
            return Err(too_many);
        }
    }
    // A fragment no operation uses is still validated.
    for name in document.fragments.keys() {
        if counter.fragment(name.as_str()) > limits.max_fields {
            return Err(too_many);
        }
    }
    Ok(())
}

/// Counts fields with fragment spreads expanded, memoising each fragment.
struct FieldCounter<'a> {
    document: &'a ExecutableDocument,
    /// Expanded field count of each fragment; `None` while it is being
    /// counted, so that a cycle (which validation reports) counts as 0
    /// instead of recursing forever.
    counted: HashMap<&'a str, Option<u64>>,
    /// The same for the fields each fragment puts at its own top level.
    counted_roots: HashMap<&'a str, Option<u64>>,
}

impl<'a> FieldCounter<'a> {
    fn fields(&mut self, set: &'a SelectionSet) -> u64 {
        let mut n: u64 = 0;
        for item in &set.items {
            let more = match &item.node {
                Selection::Field(field) => {
                    1u64.saturating_add(self.fields(&field.node.selection_set.node))
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str())
                }
                Selection::InlineFragment(inline) => self.fields(&inline.node.selection_set.node),
            };
            n = n.saturating_add(more);
        }
        n
    }

    fn fragment(&mut self, name: &'a str) -> u64 {
        match self.counted.get(name) {
            Some(Some(n)) => return *n,
            Some(None) => return 0,
            None => {}
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            // Unknown fragments are reported by validation.
            return 0;
        };
        self.counted.insert(name, None);
        let n = self.fields(&fragment.node.selection_set.node);
        self.counted.insert(name, Some(n));
        n
    }

    /// Fields at the top of an operation, through fragments and inline
    /// fragments at that level, each fragment counted once.
    fn root_fields(&mut self, set: &'a SelectionSet) -> u64 {
        let mut n: u64 = 0;
        for item in &set.items {
            let more = match &item.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(inline) => {
                    self.root_fields(&inline.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment_root_fields(spread.node.fragment_name.node.as_str())
                }
            };
            n = n.saturating_add(more);
        }
        n
    }

    fn fragment_root_fields(&mut self, name: &'a str) -> u64 {
        match self.counted_roots.get(name) {
            Some(Some(n)) => return *n,
            Some(None) => return 0,
            None => {}
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            return 0;
        };
        self.counted_roots.insert(name, None);
        let n = self.root_fields(&fragment.node.selection_set.node);
        self.counted_roots.insert(name, Some(n));
        n
    }
}

/// Gives async-graphql's own limit errors (depth, complexity, directives,
/// recursion) the codes Herald's refusals use, and counts them as the
/// refusals made from an `AppError` are counted. They come out of
/// validation as bare messages.
pub fn code_limit_errors(errors: &mut [ServerError]) {
    for error in errors.iter_mut().filter(|e| !has_code(e)) {
        let too_deep = error.message == "Query is nested too deep."
            || error
                .message
                .starts_with("The recursion depth of the query");
        let (code, limit) = if too_deep {
            ("QUERY_TOO_DEEP", "max-query-depth")
        } else if error.message == "Query is too complex." {
            ("QUERY_TOO_COMPLEX", "max-query-complexity")
        } else if error
            .message
            .starts_with("The number of directives on the field")
        {
            ("QUERY_TOO_COMPLEX", "max-directives")
        } else {
            continue;
        };
        metrics::refusal(code);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", code);
        extensions.set("limit", limit);
    }
}

/// Gives async-graphql's own errors about argument values (a literal or a
/// variable's value that is not of the argument's type: an unknown enum
/// value, a string for an Int, a null for a required argument) the code
/// Herald gives every other bad input, BAD_USER_INPUT.
pub fn code_input_errors(errors: &mut [ServerError]) {
    for error in errors.iter_mut().filter(|e| !has_code(e)) {
        if error.message.starts_with("Invalid value for argument") {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", "BAD_USER_INPUT");
        }
    }
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    const LIMITS: DocumentLimits = DocumentLimits {
        max_bytes: 32 * 1024,
        max_nesting: 64,
        max_fields: 2_000,
        max_root_fields: 32,
    };

    #[test]
    fn nesting_counts_brackets_braces_and_parentheses() {
        assert_eq!(nesting_depth(b"{ me { id } }", 100), 2);
        assert_eq!(nesting_depth(b"query($a: [[Int]]) { f(x: [[1]]) }", 100), 4);
        assert_eq!(nesting_depth(b"", 100), 0);
        assert_eq!(nesting_depth(b"}}}}{", 100), 1, "closers never go negative");
    }

    #[test]
    fn nesting_inside_strings_and_comments_does_not_count() {
        assert_eq!(nesting_depth(b"{ f(s: \"[[[[{{{\") }", 100), 2);
        assert_eq!(nesting_depth(b"{ f(s: \"\\\"[[[\") }", 100), 2);
        assert_eq!(
            nesting_depth(b"{ f(s: \"\"\"[[[ \\\"\"\" [[[\"\"\") }", 100),
            2
        );
        assert_eq!(nesting_depth(b"# [[[[[[\n{ a }", 100), 1);
    }

    #[test]
    fn a_bracket_bomb_is_refused_before_parsing() {
        let bomb = format!("{{ f(x: {}1{}) }}", "[".repeat(5_000), "]".repeat(5_000));
        assert_eq!(
            check_text(&bomb, &LIMITS),
            Err(Refusal::TooDeep { max: 64 })
        );
        let long = "#".repeat(40_000);
        assert_eq!(
            check_text(&long, &LIMITS),
            Err(Refusal::TooLarge { max: 32 * 1024 })
        );
        assert_eq!(check_text("{ me { id } }", &LIMITS), Ok(()));
    }

    #[test]
    fn fragment_doubling_is_counted_without_expanding_it() {
        // F0 spreads F1 twice, F1 spreads F2 twice, …: 2^40 fields.
        let mut text = String::from("query { me { ...F0 } }\n");
        for i in 0..40 {
            text.push_str(&format!(
                "fragment F{i} on User {{ ...F{next} ...F{next} }}\n",
                next = i + 1
            ));
        }
        text.push_str("fragment F40 on User { id }\n");
        let document = parse_query(&text).unwrap();
        assert_eq!(
            check_document(&document, &LIMITS),
            Err(Refusal::TooComplex {
                limit: "max-query-fields",
                max: 2_000
            })
        );
    }

    #[test]
    fn fragment_doubling_at_the_root_is_counted_too() {
        let mut text = String::from("query { ...F0 }\n");
        for i in 0..40 {
            text.push_str(&format!(
                "fragment F{i} on Query {{ ...F{next} ...F{next} }}\n",
                next = i + 1
            ));
        }
        text.push_str("fragment F40 on Query { me { id } }\n");
        let document = parse_query(&text).unwrap();
        assert!(matches!(
            check_document(&document, &LIMITS),
            Err(Refusal::TooComplex { .. })
        ));
    }

    #[test]
    fn aliases_count_as_fields_and_as_root_fields() {
        let aliases: String = (0..100).map(|i| format!("a{i}: me {{ id }} ")).collect();
        let document = parse_query(format!("{{ {aliases} }}")).unwrap();
        assert_eq!(
            check_document(&document, &LIMITS),
            Err(Refusal::TooComplex {
                limit: "max-root-fields",
                max: 32
            })
        );
    }

    #[test]
    fn fragment_cycles_terminate() {
        let document =
            parse_query("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
                .unwrap();
        assert_eq!(check_document(&document, &LIMITS), Ok(()));
    }

    #[test]
    fn ordinary_documents_pass() {
        let document = parse_query(
            "query Inbox { unreadNotificationCount notifications(first: 10) { edges { node { ...N } } } } \
             fragment N on Notification { id kind message actor { name } }",
        )
        .unwrap();
        assert_eq!(check_document(&document, &LIMITS), Ok(()));
    }
}

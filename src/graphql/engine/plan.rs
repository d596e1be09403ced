//! A plan: what the engine needs to know of one subscription operation
//! (its text and operation name), read once from the parsed document and
//! shared by every subscription that sends the same operation.
//!
//! Only the operations the engine can run exactly as async-graphql would
//! get a plan: a subscription whose one root field is `notifications` or
//! `chatMessages`, without directives, with literal or variable arguments, and with
//! variables of scalar types. Everything else (and every request a plan
//! does not fit, e.g. a variable of the wrong type) runs through
//! async-graphql, which then also words the errors.

use std::{
    any::Any,
    collections::{BTreeSet, HashMap},
    sync::{Arc, Mutex},
};

use async_graphql::parser::Positioned;
use async_graphql::{
    Name, Request, Value, Variables,
    parser::types::{
        BaseType, ExecutableDocument, OperationType, Selection, SelectionSet, VariableDefinition,
    },
};
use async_graphql_value::Value as Written;

use super::template::Slots;

/// Distinct values of the variables a render depends on that one plan
/// keeps validated; a further one runs through async-graphql.
const MAX_VALIDATED: usize = 64;

/// Renderers one plan keeps (each an async-graphql execution and a task):
/// past them, a render is a request of its own. With `MAX_PLANS`, this
/// bounds the renderers of the process.
const MAX_RENDERERS: usize = 8;

/// Where a root argument comes from.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Argument {
    Absent,
    Null,
    Literal(String),
    Variable(Name),
}

/// A variable the operation declares, and the JSON it accepts.
#[derive(Debug)]
struct Declared {
    name: Name,
    scalar: Scalar,
    nullable: bool,
    has_default: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Scalar {
    Id,
    String,
    Boolean,
    Int,
    Float,
}

/// The root field a plan streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Root {
    /// `notifications(userId, after)`.
    Notifications,
    /// `chatMessages(roomId, after)`.
    ChatMessages,
}

impl Root {
    fn of(field: &str) -> Option<(Root, &'static str)> {
        match field {
            "notifications" => Some((Root::Notifications, "userId")),
            "chatMessages" => Some((Root::ChatMessages, "roomId")),
            _ => None,
        }
    }
}

pub(super) struct Plan {
    pub query: std::sync::Arc<str>,
    pub operation_name: Option<std::sync::Arc<str>>,
    pub root: Root,
    /// Whose stream: `userId`, or `roomId`.
    pub key: Argument,
    pub after: Argument,
    declared: Vec<Declared>,
    /// The variables the root field's selection uses: their values are
    /// part of a render's key. The others only pick the stream.
    render_variables: BTreeSet<Name>,
    /// Validation by async-graphql, per distinct render key.
    validated: Mutex<HashMap<String, bool>>,
    /// The latest events rendered with this plan.
    pub slots: Slots,
    /// A renderer per distinct render values (of the plan's item type).
    renderers: Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>,
}

/// The values of the variables a plan's selection uses, and the same as
/// one key.
#[derive(Default)]
pub(super) struct RenderValues {
    pub values: Variables,
    pub key: String,
}

/// What one request asks of a plan.
pub(super) struct Start {
    pub render: RenderValues,
    pub key: Option<String>,
    pub after: Option<String>,
}

impl Plan {
    /// The plan of `document`'s operation `operation_name`, when the
    /// engine can run it.
    pub fn of(
        document: &ExecutableDocument,
        query: &str,
        operation_name: Option<&str>,
    ) -> Option<Plan> {
        let operation = document
            .operations
            .iter()
            .find(|(name, _)| match operation_name {
                Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
                None => true,
            })
            .map(|(_, op)| &op.node)?;
        if operation_name.is_none() && document.operations.iter().count() != 1 {
            return None;
        }
        if operation.ty != OperationType::Subscription || !operation.directives.is_empty() {
            return None;
        }
        let [root] = operation.selection_set.node.items.as_slice() else {
            return None;
        };
        let Selection::Field(root) = &root.node else {
            return None;
        };
        let root = &root.node;
        let (kind, key_name) = Root::of(root.name.node.as_str())?;
        if !root.directives.is_empty() {
            return None;
        }
        let (mut key, mut after) = (Argument::Absent, Argument::Absent);
        for (name, value) in &root.arguments {
            let argument = match &value.node {
                Written::String(s) => Argument::Literal(s.clone()),
                Written::Variable(v) => Argument::Variable(v.clone()),
                Written::Null => Argument::Null,
                _ => return None,
            };
            match name.node.as_str() {
                "after" => after = argument,
                name if name == key_name => key = argument,
                _ => return None,
            }
        }
        let declared = operation
            .variable_definitions
            .iter()
            .map(|d| declared(&d.node))
            .collect::<Option<Vec<_>>>()?;
        let mut render_variables = BTreeSet::new();
        let mut seen_fragments = BTreeSet::new();
        variables_in(
            document,
            &root.selection_set.node,
            &mut render_variables,
            &mut seen_fragments,
        );
        Some(Plan {
            query: query.into(),
            operation_name: operation_name.map(Into::into),
            root: kind,
            key,
            after,
            declared,
            render_variables,
            validated: Mutex::new(HashMap::new()),
            slots: Slots::default(),
            renderers: Mutex::new(HashMap::new()),
        })
    }

    /// What `request` asks of this plan; `None` when its variables are not
    /// all of the declared types (async-graphql then says which).
    pub fn start(&self, request: &Request) -> Option<Start> {
        let variables = &request.variables;
        for declared in &self.declared {
            if !declared.accepts(variables.get(&declared.name)) {
                return None;
            }
        }
        let mut render_values = Variables::default();
        for name in &self.render_variables {
            if let Some(value) = variables.get(name) {
                render_values.insert(name.clone(), value.clone());
            }
        }
        let render_key = if render_values.is_empty() {
            String::new()
        } else {
            render_values.to_string()
        };
        let argument = |argument: &Argument| match argument {
            Argument::Absent | Argument::Null => Some(None),
            Argument::Literal(s) => Some(Some(s.clone())),
            Argument::Variable(name) => match variables.get(name) {
                None | Some(Value::Null) => match self.default_of(name) {
                    // A default would need async-graphql's coercion.
                    true => None,
                    false => Some(None),
                },
                Some(Value::String(s)) => Some(Some(s.clone())),
                Some(_) => None,
            },
        };
        Some(Start {
            render: RenderValues {
                values: render_values,
                key: render_key,
            },
            key: argument(&self.key)?,
            after: argument(&self.after)?,
        })
    }

    /// The renderer for `render_key`, started by `start` when there is
    /// none; `None` past `MAX_RENDERERS` keys.
    pub fn renderer<R: Clone + Send + Sync + 'static>(
        &self,
        render_key: &str,
        start: impl FnOnce() -> R,
    ) -> Option<R> {
        let mut renderers = self.renderers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(renderer) = renderers.get(render_key) {
            return renderer.downcast_ref::<R>().cloned();
        }
        if renderers.len() >= MAX_RENDERERS {
            return None;
        }
        let renderer = start();
        renderers.insert(render_key.to_owned(), Arc::new(renderer.clone()));
        Some(renderer)
    }

    /// Whether this is the plan of `query`'s operation `operation_name`.
    pub fn is_for(&self, query: &str, operation_name: Option<&str>) -> bool {
        &*self.query == query && self.operation_name.as_deref() == operation_name
    }

    /// A request for this operation with `variables`.
    pub fn request(&self, variables: Variables) -> Request {
        let request = Request::new(self.query.to_string()).variables(variables);
        match &self.operation_name {
            Some(name) => request.operation_name(name.to_string()),
            None => request,
        }
    }

    fn default_of(&self, name: &Name) -> bool {
        self.declared
            .iter()
            .any(|d| &d.name == name && d.has_default)
    }

    /// Whether async-graphql validated this operation with these render
    /// values; `None` when not asked yet.
    pub fn validated(&self, render_key: &str) -> Option<bool> {
        self.validated
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(render_key)
            .copied()
    }

    /// Records a validation; past `MAX_VALIDATED` keys, records nothing
    /// (and so the next request with that key is validated again).
    pub fn record_validation(&self, render_key: String, valid: bool) {
        let mut validated = self.validated.lock().unwrap_or_else(|p| p.into_inner());
        if validated.len() < MAX_VALIDATED {
            validated.insert(render_key, valid);
        }
    }

    /// Variables for a render: the render values, and a stand-in for each
    /// non-null variable that only picks the stream (an id or a cursor,
    /// both strings), which a render does not read but validation needs.
    pub fn render_variables(&self, render_values: &Variables) -> Variables {
        let mut variables = render_values.clone();
        for declared in &self.declared {
            if variables.contains_key(&declared.name) || declared.nullable || declared.has_default {
                continue;
            }
            variables.insert(declared.name.clone(), Value::String("0".into()));
        }
        variables
    }
}

fn declared(definition: &VariableDefinition) -> Option<Declared> {
    let BaseType::Named(name) = &definition.var_type.node.base else {
        return None;
    };
    let scalar = match name.as_str() {
        "ID" => Scalar::Id,
        "String" => Scalar::String,
        "Boolean" => Scalar::Boolean,
        "Int" => Scalar::Int,
        "Float" => Scalar::Float,
        _ => return None,
    };
    if !definition.directives.is_empty() {
        return None;
    }
    Some(Declared {
        name: definition.name.node.clone(),
        scalar,
        nullable: definition.var_type.node.nullable,
        has_default: definition.default_value.is_some(),
    })
}

impl Declared {
    /// Whether `value` is one async-graphql takes for this variable
    /// without coercion.
    fn accepts(&self, value: Option<&Value>) -> bool {
        match value {
            None => self.nullable || self.has_default,
            Some(Value::Null) => self.nullable,
            Some(value) => {
                matches!(
                    (self.scalar, value),
                    (Scalar::Id | Scalar::String, Value::String(_))
                        | (Scalar::Boolean, Value::Boolean(_))
                        | (Scalar::Float, Value::Number(_))
                ) || (self.scalar == Scalar::Int
                    && matches!(value, Value::Number(n) if n.as_i64().is_some_and(|n| i32::try_from(n).is_ok())))
            }
        }
    }
}

/// Collects the variables used in `selection` and the fragments it
/// spreads (each fragment once).
fn variables_in(
    document: &ExecutableDocument,
    selection: &SelectionSet,
    found: &mut BTreeSet<Name>,
    seen_fragments: &mut BTreeSet<Name>,
) {
    for item in &selection.items {
        arguments_variables(
            item.node
                .directives()
                .iter()
                .flat_map(|d| &d.node.arguments),
            found,
        );
        let nested = match &item.node {
            Selection::Field(field) => {
                arguments_variables(&field.node.arguments, found);
                &field.node.selection_set.node
            }
            Selection::InlineFragment(fragment) => &fragment.node.selection_set.node,
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let fragment = document.fragments.get(name);
                match fragment {
                    Some(fragment) if seen_fragments.insert(name.clone()) => {
                        arguments_variables(
                            fragment
                                .node
                                .directives
                                .iter()
                                .flat_map(|d| &d.node.arguments),
                            found,
                        );
                        &fragment.node.selection_set.node
                    }
                    _ => continue,
                }
            }
        };
        variables_in(document, nested, found, seen_fragments);
    }
}

fn arguments_variables<'a>(
    arguments: impl IntoIterator<Item = &'a (Positioned<Name>, Positioned<Written>)>,
    found: &mut BTreeSet<Name>,
) {
    for (_, value) in arguments {
        value_variables(&value.node, found);
    }
}

fn value_variables(value: &Written, found: &mut BTreeSet<Name>) {
    match value {
        Written::Variable(name) => {
            found.insert(name.clone());
        }
        Written::List(items) => items.iter().for_each(|v| value_variables(v, found)),
        Written::Object(fields) => fields.values().for_each(|v| value_variables(v, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(query: &str, operation: Option<&str>) -> Option<Plan> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        Plan::of(&document, query, operation)
    }

    #[test]
    fn takes_notifications_with_any_selection() {
        let p = plan(
            "subscription S($u: ID!, $show: Boolean!) { n: notifications(userId: $u) { id ...F @include(if: $show) } } fragment F on Notification { actor { name } }",
            None,
        )
        .unwrap();
        assert_eq!(p.root, Root::Notifications);
        assert_eq!(p.key, Argument::Variable(Name::new("u")));
        assert_eq!(p.after, Argument::Absent);
        assert_eq!(
            p.render_variables
                .iter()
                .map(Name::as_str)
                .collect::<Vec<_>>(),
            ["show"]
        );
    }

    #[test]
    fn leaves_other_operations_to_async_graphql() {
        for query in [
            "query { me { id } }",
            "subscription { inbox(userId: \"1\") { version } }",
            "subscription { notifications(userId: \"1\") @skip(if: false) { id } }",
            "subscription { ... on Subscription { notifications(userId: \"1\") { id } } }",
            "subscription { notifications(userId: 1) { id } }",
            "subscription ($u: [ID!]!) { notifications(userId: \"1\") { id } }",
            "subscription A { notifications(userId: \"1\") { id } } subscription B { notifications(userId: \"1\") { id } }",
        ] {
            assert!(plan(query, None).is_none(), "{query}");
        }
        assert!(
            plan(
                "subscription A { notifications(userId: \"1\") { id } } query B { me { id } }",
                Some("A")
            )
            .is_some()
        );
        let chat = plan(
            "subscription($r: ID!, $after: ID) { chatMessages(roomId: $r, after: $after) { id body } }",
            None,
        )
        .unwrap();
        assert_eq!(chat.root, Root::ChatMessages);
        assert_eq!(chat.key, Argument::Variable(Name::new("r")));
    }

    #[test]
    fn a_request_fits_only_with_variables_of_the_declared_types() {
        let p = plan(
            "subscription ($u: ID!, $after: String, $n: Int) { notifications(userId: $u, after: $after) { actor { followers(first: $n) { id } } } }",
            None,
        )
        .unwrap();
        let request = |variables: serde_json::Value| {
            Request::new("").variables(Variables::from_json(variables))
        };
        let fits = p
            .start(&request(serde_json::json!({"u": "7", "n": 3})))
            .unwrap();
        assert_eq!(fits.key.as_deref(), Some("7"));
        assert_eq!(fits.after, None);
        assert_eq!(fits.render.key, "{n: 3}");
        for misfit in [
            serde_json::json!({}),
            serde_json::json!({"u": 7}),
            serde_json::json!({"u": "7", "n": "3"}),
            serde_json::json!({"u": "7", "n": 3_000_000_000_i64}),
            serde_json::json!({"u": "7", "after": 5}),
        ] {
            assert!(p.start(&request(misfit.clone())).is_none(), "{misfit}");
        }
    }
}

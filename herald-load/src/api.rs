//! GraphQL over HTTP: the mutations the scenarios need, as any client of
//! Herald would send them.

use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A signed-up user: what a client keeps after `signUp`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub token: String,
}

/// A GraphQL client for one server.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    endpoint: String,
}

/// The password of every account this tool creates. The accounts are for
/// load tests only.
pub const PASSWORD: &str = "herald-load-password";

/// The smallest valid PNG (1×1, transparent): uploads are checked for an
/// image signature, and the fan-out measures delivery, not transfer.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

impl Api {
    pub fn new(base_url: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_max_idle_per_host(1024)
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Api {
            http,
            endpoint: format!("{}/graphql", base_url.trim_end_matches('/')),
        })
    }

    /// Runs one operation; a GraphQL error is an error.
    pub async fn gql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .post(&self.endpoint)
            .json(&json!({"query": query, "variables": variables}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let body: Value = request
            .send()
            .await
            .with_context(|| format!("POST {}", self.endpoint))?
            .json()
            .await?;
        check(body)
    }

    pub async fn sign_up(&self, name: &str, email: &str) -> anyhow::Result<Account> {
        let data = self
            .gql(
                None,
                "mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }",
                json!({"i": {"name": name, "email": email, "password": PASSWORD}}),
            )
            .await?;
        Ok(Account {
            id: string_at(&data, &["signUp", "user", "id"])?,
            email: email.to_owned(),
            token: string_at(&data, &["signUp", "token"])?,
        })
    }

    /// True when the server accepts `token` (same secret, user exists).
    pub async fn token_works(&self, token: &str) -> bool {
        self.gql(Some(token), "{ unreadNotificationCount }", json!({}))
            .await
            .is_ok()
    }

    pub async fn create_board(&self, owner: &Account, name: &str) -> anyhow::Result<String> {
        let data = self
            .gql(
                Some(&owner.token),
                "mutation($n: String!) { createBoard(name: $n) { id } }",
                json!({"n": name}),
            )
            .await?;
        string_at(&data, &["createBoard", "id"])
    }

    pub async fn add_member(&self, owner: &Account, board: &str, user: &str) -> anyhow::Result<()> {
        self.gql(
            Some(&owner.token),
            "mutation($b: ID!, $u: ID!) { addBoardMember(boardId: $b, userId: $u) { id } }",
            json!({"b": board, "u": user}),
        )
        .await?;
        Ok(())
    }

    pub async fn create_card(
        &self,
        actor: &Account,
        board: &str,
        title: &str,
    ) -> anyhow::Result<String> {
        let data = self
            .gql(
                Some(&actor.token),
                "mutation($b: ID!, $t: String!) { createCard(boardId: $b, title: $t) { id } }",
                json!({"b": board, "t": title}),
            )
            .await?;
        string_at(&data, &["createCard", "id"])
    }

    pub async fn assign(&self, actor: &Account, card: &str, user: &str) -> anyhow::Result<()> {
        self.gql(
            Some(&actor.token),
            "mutation($c: ID!, $u: ID!) { assignCard(cardId: $c, userId: $u) { id } }",
            json!({"c": card, "u": user}),
        )
        .await?;
        Ok(())
    }

    pub async fn update_title(
        &self,
        actor: &Account,
        card: &str,
        title: &str,
    ) -> anyhow::Result<()> {
        self.gql(
            Some(&actor.token),
            "mutation($c: ID!, $t: String!) { updateCard(id: $c, input: {title: $t}) { id } }",
            json!({"c": card, "t": title}),
        )
        .await?;
        Ok(())
    }

    pub async fn follow(&self, follower: &Account, user: &str) -> anyhow::Result<()> {
        self.gql(
            Some(&follower.token),
            "mutation($u: ID!) { follow(userId: $u) { id } }",
            json!({"u": user}),
        )
        .await?;
        Ok(())
    }

    /// Uploads a tiny photo with `caption` (GraphQL multipart request).
    pub async fn upload_post(&self, uploader: &Account, caption: &str) -> anyhow::Result<()> {
        let operations = json!({
            "query": "mutation($f: Upload!, $c: String) { uploadPost(file: $f, caption: $c) { id } }",
            "variables": {"f": null, "c": caption},
        });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", r#"{"0":["variables.f"]}"#)
            .part(
                "0",
                reqwest::multipart::Part::bytes(TINY_PNG)
                    .file_name("dot.png")
                    .mime_str("image/png")?,
            );
        let body: Value = self
            .http
            .post(&self.endpoint)
            .bearer_auth(&uploader.token)
            // Herald's CSRF guard for multipart requests.
            .header("apollo-require-preflight", "true")
            .multipart(form)
            .send()
            .await?
            .json()
            .await?;
        check(body)?;
        Ok(())
    }
}

/// The `data` of a response, or its first error.
fn check(body: Value) -> anyhow::Result<Value> {
    if let Some(errors) = body.get("errors").and_then(Value::as_array)
        && let Some(first) = errors.first()
    {
        bail!(
            "{} ({})",
            first["message"].as_str().unwrap_or("error"),
            first["extensions"]["code"].as_str().unwrap_or("no code")
        );
    }
    body.get("data")
        .cloned()
        .ok_or_else(|| anyhow!("response without data: {body}"))
}

fn string_at(data: &Value, path: &[&str]) -> anyhow::Result<String> {
    let mut at = data;
    for key in path {
        at = &at[*key];
    }
    at.as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no {} in {data}", path.join(".")))
}

//! Herald as an operator runs it: the real `herald` binary in a process
//! of its own, with a clean environment and its flags on the command line,
//! logging JSON to standard output. `HeraldProcess` keeps every line the
//! process writes, finds the addresses it listens on in its start-up
//! lines, and stops it as a service manager would (SIGTERM, then wait).
//! `Scrape` reads a `/metrics` page.

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader, Read},
    net::SocketAddr,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{Value, json};
use tempfile::TempDir;

use super::{JsonRequest, NOTIFICATIONS_SUBSCRIPTION, TestUser, WAIT, sse::SseClient};

/// A secret for the processes' tokens, so that no secret file is made.
const JWT_SECRET: &str = "test-secret-for-herald-process-tests-000";

pub struct HeraldProcess {
    child: Child,
    /// The API's address (`--listen 127.0.0.1:0`, as the process bound it).
    pub addr: SocketAddr,
    /// The separate metrics address, with `--metrics-listen`.
    pub metrics_addr: Option<SocketAddr>,
    pub http: reqwest::Client,
    lines: Arc<Mutex<Vec<String>>>,
    data_dir: Arc<TempDir>,
}

impl HeraldProcess {
    /// Starts `herald serve` on an ephemeral port with a fresh data
    /// directory, JSON logs, the per-address sign-up throttle off, and
    /// `flags` after those (so that they can override them); waits until
    /// it listens.
    pub async fn start(flags: &[&str]) -> HeraldProcess {
        let data_dir = tempfile::tempdir().expect("temp dir");
        HeraldProcess::start_in(Arc::new(data_dir), flags).await
    }

    /// As `start`, on a data directory another process used before (a
    /// restart).
    pub async fn start_in(data_dir: Arc<TempDir>, flags: &[&str]) -> HeraldProcess {
        let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir.path())
            .args(["--log-format", "json", "--auth-limit-per-minute", "0"])
            .args(["--jwt-secret", JWT_SECRET])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start the herald binary");
        let lines = Arc::new(Mutex::new(Vec::new()));
        keep_lines(child.stdout.take().expect("stdout"), &lines);
        keep_lines(child.stderr.take().expect("stderr"), &lines);
        let mut process = HeraldProcess {
            child,
            addr: "0.0.0.0:0".parse().unwrap(),
            metrics_addr: None,
            http: reqwest::Client::new(),
            lines,
            data_dir,
        };
        process.addr = process.address_logged_as("Herald is listening").await;
        if flags.contains(&"--metrics-listen") {
            process.metrics_addr = Some(process.address_logged_as("serving metrics").await);
        }
        process
    }

    /// The `address` of the first log line whose message is `message`.
    async fn address_logged_as(&mut self, message: &str) -> SocketAddr {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let found = self.log_lines().into_iter().find_map(|line| {
                (line["message"] == message).then(|| line["address"].as_str()?.parse().ok())?
            });
            if let Some(address) = found {
                return address;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("herald exited with {status}: {:#?}", self.lines());
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no {message:?} line: {:#?}",
                self.lines()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The data directory, for a restart with `start_in`.
    pub fn data_dir(&self) -> Arc<TempDir> {
        Arc::clone(&self.data_dir)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Every line written so far, standard output and error interleaved.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Every line written so far, each parsed as JSON (which it must be).
    pub fn log_lines(&self) -> Vec<Value> {
        self.lines()
            .iter()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|err| panic!("a log line that is not JSON ({err}): {line}"))
            })
            .collect()
    }

    /// Stops the process as a service manager does (SIGTERM) and waits
    /// for it to exit.
    /// Kills the process at once (SIGKILL): no shutdown, nothing flushed
    /// but what the store already committed.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill herald");
        self.child.wait().expect("wait for herald");
    }

    pub async fn stop(&mut self) -> ExitStatus {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
        // SAFETY: sends a signal to the child this value owns and has not
        // reaped yet, so the pid cannot belong to another process.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for herald") {
                // The reader threads get what was written last.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return status;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "herald did not exit"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Runs a GraphQL operation over `POST /graphql`; returns the body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(self.url("/graphql"))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.json_value().await
    }

    /// Runs an operation that must succeed; returns `data`.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Signs up `name` with `password`.
    pub async fn sign_up_with(&self, name: &str, password: &str) -> TestUser {
        let email = format!("{}@example.com", name.to_lowercase());
        let data = self
            .ok(
                None,
                "mutation SignUp($i: SignUpInput!) { signUp(input: $i) { token user { id } } }",
                json!({"i": {"name": name, "email": email, "password": password}}),
            )
            .await;
        TestUser {
            id: data["signUp"]["user"]["id"].as_str().unwrap().to_owned(),
            token: data["signUp"]["token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn sign_up(&self, name: &str) -> TestUser {
        self.sign_up_with(name, "correct horse").await
    }

    /// Alice's board with Bob on it and a card on it; returns the card.
    pub async fn shared_card(&self, owner: &TestUser, member: &TestUser) -> String {
        let token = Some(owner.token.as_str());
        let board = self
            .ok(
                token,
                "mutation { createBoard(name: \"Launch\") { id } }",
                json!({}),
            )
            .await["createBoard"]["id"]
            .clone();
        self.ok(
            token,
            "mutation($b: ID!, $u: ID!) { addBoardMember(boardId: $b, userId: $u) { id } }",
            json!({"b": board, "u": member.id}),
        )
        .await;
        self.ok(
            token,
            "mutation($b: ID!) { createCard(boardId: $b, title: \"Ship v1\") { id } }",
            json!({"b": board}),
        )
        .await["createCard"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// `actor` assigns `user` to `card`, which notifies `user`.
    pub async fn assign(&self, actor: &TestUser, card: &str, user: &TestUser) {
        self.ok(
            Some(&actor.token),
            "mutation Assign($c: ID!, $u: ID!) { assignCard(cardId: $c, userId: $u) { id } }",
            json!({"c": card, "u": user.id}),
        )
        .await;
    }

    /// `user`'s notifications as a browser `EventSource` opens them (the
    /// token in the URL), with `variables` besides `u`.
    pub async fn event_source(&self, user: &TestUser, variables: Value) -> SseClient {
        let mut url = reqwest::Url::parse(&self.url("/graphql/stream")).unwrap();
        let mut all = json!({"u": user.id});
        if let (Some(all), Value::Object(extra)) = (all.as_object_mut(), variables) {
            all.extend(extra);
        }
        url.query_pairs_mut()
            .append_pair("query", NOTIFICATIONS_SUBSCRIPTION)
            .append_pair("variables", &all.to_string())
            .append_pair("access_token", &user.token);
        let stream = SseClient::open(self.http.get(url)).await;
        assert_eq!(stream.status, 200);
        stream
    }

    /// The `/metrics` page at `addr`: its status and text.
    pub async fn get_metrics(&self, addr: SocketAddr) -> (u16, String) {
        let response = self
            .http
            .get(format!("http://{addr}/metrics"))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// The metrics now, from wherever this process serves them.
    pub async fn scrape(&self) -> Scrape {
        let (status, text) = self
            .get_metrics(self.metrics_addr.unwrap_or(self.addr))
            .await;
        assert_eq!(status, 200, "{text}");
        Scrape::parse(&text)
    }

    /// Waits until the sample `name{labels}` is at least `at_least`;
    /// returns the scrape that showed it.
    pub async fn wait_for_metric(
        &self,
        name: &str,
        labels: &[(&str, &str)],
        at_least: f64,
    ) -> Scrape {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let scrape = self.scrape().await;
            if scrape.value(name, labels) >= at_least {
                return scrape;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{name}{labels:?} stayed below {at_least}: {scrape:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for HeraldProcess {
    fn drop(&mut self) {
        // A test that failed before `stop`: do not leave the server behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Copies each line `from` writes into `into`, on a thread of its own.
fn keep_lines(from: impl Read + Send + 'static, into: &Arc<Mutex<Vec<String>>>) {
    let into = Arc::clone(into);
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { return };
            into.lock().unwrap().push(line);
        }
    });
}

/// One sample of a scrape.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A `/metrics` page, read as the Prometheus text format: its `# TYPE`
/// lines and its samples.
#[derive(Debug, Default)]
pub struct Scrape {
    pub types: BTreeMap<String, String>,
    pub samples: Vec<Sample>,
}

impl Scrape {
    pub fn parse(text: &str) -> Scrape {
        let mut scrape = Scrape::default();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(declared) = line.strip_prefix("# TYPE ") {
                let (name, kind) = declared.split_once(' ').expect("# TYPE name kind");
                scrape.types.insert(name.to_owned(), kind.to_owned());
            } else if !line.starts_with('#') {
                scrape.samples.push(parse_sample(line));
            }
        }
        scrape
    }

    /// The sum of the samples named `name` whose labels include `labels`
    /// (0 when there is none).
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|s| s.name == name)
            .filter(|s| {
                labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|s| s.value)
            .sum()
    }

    /// How far family `name` has moved: a counter's or gauge's samples
    /// summed, a histogram's observations counted.
    pub fn movement(&self, name: &str) -> f64 {
        match self.types.get(name).map(String::as_str) {
            Some("histogram") => self.value(&format!("{name}_count"), &[]),
            Some(_) => self.value(name, &[]),
            None => panic!("no family {name} in {self:#?}"),
        }
    }
}

/// `name{a="x",b="y"} value` (label values hold no `"` or `,` here).
fn parse_sample(line: &str) -> Sample {
    let (series, value) = line.rsplit_once(' ').expect("a sample and its value");
    let (name, labels) = match series.split_once('{') {
        Some((name, labels)) => (name, labels.trim_end_matches('}')),
        None => (series, ""),
    };
    let labels = labels
        .split(',')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').expect("label=\"value\"");
            (key.to_owned(), value.trim_matches('"').to_owned())
        })
        .collect();
    Sample {
        name: name.to_owned(),
        labels,
        value: value.parse().expect("a number"),
    }
}

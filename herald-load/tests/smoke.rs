//! Smoke test: each scenario, tiny, against a real Herald on an ephemeral
//! port with a fresh SQLite database. It checks what the tool reports —
//! every delivery arrived once, nothing was refused — and its exit status,
//! never how fast anything was.

use std::process::Output;

use serde_json::Value;
use tokio::{net::TcpListener, process::Command};

async fn spawn_server() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = herald::config::Config::for_data_dir(dir.path());
    // herald-load signs its users up from one address.
    config.limits.auth_limit_per_minute = 0;
    let herald = herald::build(config).await.expect("server builds");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(herald::serve_on(listener, herald, std::future::pending()));
    (url, dir)
}

async fn herald_load(url: &str, args: &[&str]) -> (Output, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_herald-load"))
        .args(["--url", url, "--quiet"])
        .args(args)
        .output()
        .await
        .expect("herald-load runs");
    let summary = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "no JSON summary ({err}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output, summary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_delivers_every_update_exactly_once_to_its_assignee() {
    let (url, _dir) = spawn_server().await;
    let pid = std::process::id().to_string();
    let (output, summary) = herald_load(
        &url,
        &[
            "p2p",
            "--users",
            "3",
            "--subs-per-user",
            "2",
            "--rate",
            "40",
            "--duration",
            "1",
            "--pid",
            &pid,
        ],
    )
    .await;
    assert!(output.status.success(), "{summary}");
    assert_eq!(summary["scenario"], "p2p");
    assert_eq!(summary["http_errors"], 0, "{summary}");
    // 3 warm-up updates and 40 measured ones, each on 2 subscriptions.
    assert_eq!(summary["expected"], (3 + 40) * 2, "{summary}");
    assert_eq!(summary["delivered"], summary["expected"], "{summary}");
    assert_eq!(summary["lost"], 0);
    assert_eq!(summary["duplicated"], 0);
    assert_eq!(summary["misrouted"], 0);
    assert_eq!(summary["latency_ms"]["count"], 80, "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fanout_reaches_every_follower_in_every_round() {
    let (url, _dir) = spawn_server().await;
    for via in ["post", "card"] {
        let (output, summary) = herald_load(
            &url,
            &[
                "fanout",
                "--via",
                via,
                "--followers",
                "4",
                "--rounds",
                "2",
                "--pause-ms",
                "10",
            ],
        )
        .await;
        assert!(output.status.success(), "{summary}");
        assert_eq!(summary["expected"], 3 * 4, "{summary}");
        assert_eq!(summary["delivered"], 3 * 4, "{summary}");
        assert_eq!(summary["incomplete_rounds"], 0);
        assert_eq!(summary["last_delivery_ms"]["count"], 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_holds_multiplexed_subscriptions_and_reads_server_memory() {
    let (url, _dir) = spawn_server().await;
    let pid = std::process::id().to_string();
    let (output, summary) = herald_load(
        &url,
        &[
            "idle",
            "--users",
            "3",
            "--connections-per-user",
            "2",
            "--subs-per-connection",
            "3",
            "--settle-secs",
            "0.2",
            "--source-addrs",
            "2",
            "--pid",
            &pid,
        ],
    )
    .await;
    assert!(output.status.success(), "{summary}");
    assert_eq!(summary["connections"], 6);
    assert_eq!(summary["subscriptions"], 18);
    assert_eq!(summary["error_frames"], 0);
    assert_eq!(summary["connections_closed_by_server"], 0);
    assert!(summary["server_rss_bytes"]["subscribed"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_not_there_is_a_setup_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let output = Command::new(env!("CARGO_BIN_EXE_herald-load"))
        .args([
            "--url",
            &url,
            "--quiet",
            "p2p",
            "--users",
            "1",
            "--duration",
            "1",
        ])
        .output()
        .await
        .expect("herald-load runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

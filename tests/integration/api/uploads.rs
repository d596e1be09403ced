//! Photo uploads over the GraphQL multipart request spec.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::kit::{TestApp, TestUser, error_code, spawn_app, spawn_app_with};

/// A 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Sends `uploadPost` as a multipart request, the way apollo-upload-client does.
pub(crate) async fn upload(
    app: &TestApp,
    user: &TestUser,
    bytes: Vec<u8>,
    file_name: &str,
    mime: &str,
) -> reqwest::Response {
    let operations = json!({
        "query": "mutation($file: Upload!, $caption: String) { uploadPost(file: $file, caption: $caption) { id imageUrl caption author { name } } }",
        "variables": {"file": null, "caption": "Sunset"}
    });
    let form = Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({"0": ["variables.file"]}).to_string())
        .part(
            "0",
            Part::bytes(bytes)
                .file_name(file_name.to_owned())
                .mime_str(mime)
                .unwrap(),
        );
    app.http
        .post(app.url("/graphql"))
        .bearer_auth(&user.token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn follow(app: &TestApp, follower: &TestUser, followee: &TestUser) {
    app.ok(
        Some(&follower.token),
        "mutation($u: ID!) { follow(userId: $u) { id } }",
        json!({"u": followee.id}),
    )
    .await;
}

fn stored_files(app: &TestApp) -> usize {
    std::fs::read_dir(app.data_dir.path().join("uploads"))
        .unwrap()
        .count()
}

#[tokio::test]
async fn an_image_is_stored_served_and_announced_to_every_follower() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    let carol = app.sign_up("Carol").await;
    let dave = app.sign_up("Dave").await;
    follow(&app, &bob, &alice).await;
    follow(&app, &carol, &alice).await;

    let mut bob_ws = app.ws(&bob.token).await;
    bob_ws.subscribe_notifications(&app, "b", &bob, None).await;

    // Named .txt and sent as text/plain: the bytes decide.
    let body: Value = upload(&app, &alice, PNG.to_vec(), "photo.txt", "text/plain")
        .await
        .json()
        .await
        .unwrap();
    assert!(body["errors"].is_null(), "{body}");
    let post = &body["data"]["uploadPost"];
    assert_eq!(post["caption"], "Sunset");
    assert_eq!(post["author"]["name"], "Alice");
    let image_url = post["imageUrl"].as_str().unwrap();
    assert!(
        image_url.starts_with("/uploads/") && image_url.ends_with(".png"),
        "{image_url}"
    );

    let served = app.http.get(app.url(image_url)).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);

    let n = bob_ws.next_notification("b").await;
    assert_eq!(n["kind"], "POST_UPLOADED");
    assert_eq!(n["message"], "Alice posted a new photo: Sunset");
    for follower in [&bob, &carol] {
        let inbox = app.inbox(follower).await;
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].1, "POST_UPLOADED");
    }
    assert!(app.inbox(&dave).await.is_empty());
    assert!(app.inbox(&alice).await.is_empty());

    let data = app
        .ok(
            Some(&carol.token),
            "{ notifications { edges { node { post { imageUrl author { name } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["notifications"]["edges"][0]["node"]["post"]["imageUrl"],
        image_url
    );
}

#[tokio::test]
async fn every_accepted_format_is_recognised() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    for (bytes, ext, mime) in [
        (
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00rest".to_vec(),
            "jpg",
            "image/jpeg",
        ),
        (b"GIF89a\x01\x00\x01\x00rest".to_vec(), "gif", "image/gif"),
        (
            b"RIFF\x24\x00\x00\x00WEBPVP8 rest".to_vec(),
            "webp",
            "image/webp",
        ),
    ] {
        let body: Value = upload(&app, &alice, bytes, "x.bin", "application/octet-stream")
            .await
            .json()
            .await
            .unwrap();
        let url = body["data"]["uploadPost"]["imageUrl"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"));
        assert!(url.ends_with(&format!(".{ext}")), "{url}");
        let served = app.http.get(app.url(url)).send().await.unwrap();
        assert_eq!(served.headers()["content-type"], mime);
    }
}

#[tokio::test]
async fn anything_that_is_not_an_image_is_refused_and_nothing_is_kept() {
    let app = spawn_app().await;
    let alice = app.sign_up("Alice").await;
    let bob = app.sign_up("Bob").await;
    follow(&app, &bob, &alice).await;
    for (bytes, name) in [
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".to_vec(),
            "evil.png",
        ),
        (b"hello".to_vec(), "photo.jpg"),
        (Vec::new(), "empty.gif"),
    ] {
        let body: Value = upload(&app, &alice, bytes, name, "image/png")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{name}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "file");
    }
    assert_eq!(stored_files(&app), 0);
    assert!(app.inbox(&bob).await.is_empty());
}

#[tokio::test]
async fn uploads_over_the_size_limit_are_refused() {
    let app = spawn_app_with(|c| c.limits.max_upload_bytes = 1024).await;
    let alice = app.sign_up("Alice").await;
    let mut big = PNG.to_vec();
    big.resize(4096, 0);
    let response = upload(&app, &alice, big, "big.png", "image/png").await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(stored_files(&app), 0);

    let small: Value = upload(&app, &alice, PNG.to_vec(), "small.png", "image/png")
        .await
        .json()
        .await
        .unwrap();
    assert!(small["errors"].is_null(), "{small}");
}

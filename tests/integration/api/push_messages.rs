//! Web Push messages from Herald's building blocks to a push service
//! played by the test, which checks the VAPID token with Herald's public
//! key and decrypts each message with its browser's private key: what
//! arrives is exactly what was sent, every answer a push service can give
//! is sorted into what to do next, a wrong key or a forged token is
//! refused, and bad subscriptions and payloads never leave Herald.

use std::{sync::Arc, time::Duration};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use herald::push::{
    Contact, DEFAULT_SEND_TIMEOUT, EndpointRules, MAX_PAYLOAD_BYTES, MAX_RECORD_BYTES,
    MessageBuilder, MessageError, MessageOptions, PushOutcome, PushSender, PushTarget, Urgency,
    ValidTarget, VapidKeys,
};
use serde_json::json;

use crate::kit::push_service::{Answer, Browser, PushService};

const CONTACT: &str = "mailto:ops@herald.example";

/// Herald's side (keys, builder, sender) and a push service that expects
/// Herald's key.
struct Setup {
    service: PushService,
    builder: MessageBuilder,
    sender: PushSender,
}

async fn setup() -> Setup {
    let keys = VapidKeys::generate().unwrap();
    let service = PushService::start(keys.public_key_base64url()).await;
    Setup {
        service,
        builder: MessageBuilder::new(Arc::new(keys), Contact::parse(CONTACT).unwrap()),
        sender: PushSender::new(DEFAULT_SEND_TIMEOUT).unwrap(),
    }
}

/// The push service runs on plain HTTP on loopback.
fn loopback() -> EndpointRules {
    EndpointRules::allowing_http_on(["127.0.0.1"])
}

fn valid(browser: &Browser) -> ValidTarget {
    browser.target().validate(&loopback()).unwrap()
}

impl Setup {
    /// Sends `payload` to `browser` with the default options.
    async fn send(&self, browser: &Browser, payload: &serde_json::Value) -> PushOutcome {
        let request = self
            .builder
            .build(&valid(browser), payload, &MessageOptions::default())
            .unwrap();
        self.sender.send(&request).await
    }
}

#[tokio::test]
async fn a_push_message_arrives_decrypted_byte_for_byte_with_a_verified_token() {
    let setup = setup().await;
    let browser = setup.service.subscribe();
    let payload = json!({
        "kind": "CARD_ASSIGNED",
        "title": "Bob assigned you to “Ship v1” ✓",
        "url": "/boards/1/cards/2",
    });
    let options = MessageOptions {
        ttl: Duration::from_secs(3600),
        urgency: Some(Urgency::High),
    };
    let request = setup
        .builder
        .build(&valid(&browser), &payload, &options)
        .unwrap();
    assert_eq!(setup.sender.send(&request).await, PushOutcome::Delivered);

    let received = setup.service.next_received().await;
    assert_eq!(received.browser, browser.id);
    assert_eq!(received.status, 201);
    assert_eq!(
        received.payload.unwrap(),
        serde_json::to_vec(&payload).unwrap()
    );
    let claims = received.claims.unwrap();
    assert_eq!(claims["aud"], setup.service.origin());
    assert_eq!(claims["sub"], CONTACT);
    assert_eq!(received.ttl.as_deref(), Some("3600"));
    assert_eq!(received.urgency.as_deref(), Some("high"));
}

#[tokio::test]
async fn the_largest_push_payload_fills_exactly_4096_bytes_and_arrives_intact() {
    let setup = setup().await;
    let browser = setup.service.subscribe();
    // A JSON string is its characters and two quotes.
    let payload = json!("é".repeat((MAX_PAYLOAD_BYTES - 3) / 2) + "x");
    let plaintext = serde_json::to_vec(&payload).unwrap();
    assert_eq!(plaintext.len(), MAX_PAYLOAD_BYTES);
    let request = setup
        .builder
        .build(&valid(&browser), &payload, &MessageOptions::default())
        .unwrap();
    assert_eq!(request.body.len(), MAX_RECORD_BYTES);
    assert_eq!(setup.sender.send(&request).await, PushOutcome::Delivered);
    assert_eq!(
        setup.service.next_received().await.payload.unwrap(),
        plaintext
    );
}

#[tokio::test]
async fn push_service_answers_are_sorted_into_what_to_do_next() {
    let setup = setup().await;
    let cases = [
        (Answer::status(201), PushOutcome::Delivered),
        (Answer::status(202), PushOutcome::Delivered),
        (Answer::status(410), PushOutcome::Gone),
        (Answer::status(404), PushOutcome::Gone),
        (
            Answer::status(500).retry_after("7"),
            PushOutcome::Retry {
                after: Some(Duration::from_secs(7)),
            },
        ),
        (Answer::status(503), PushOutcome::Retry { after: None }),
        (
            Answer::status(429).retry_after("120"),
            PushOutcome::Retry {
                after: Some(Duration::from_secs(120)),
            },
        ),
        (
            Answer::status(400),
            PushOutcome::Rejected {
                status: Some(400),
                reason: "400 Bad Request".into(),
            },
        ),
        (
            Answer::status(413),
            PushOutcome::Rejected {
                status: Some(413),
                reason: "413 Payload Too Large".into(),
            },
        ),
    ];
    for (answer, expected) in cases {
        let browser = setup.service.subscribe();
        let status = answer.status;
        setup.service.script(&browser, &[], answer);
        let outcome = setup.send(&browser, &json!({"n": status})).await;
        assert_eq!(outcome, expected, "answered {status}");
        // Each message was verified and decrypted before the answer.
        let received = setup.service.next_received().await;
        assert_eq!(received.status, status);
        assert_eq!(
            received.payload.unwrap(),
            serde_json::to_vec(&json!({"n": status})).unwrap()
        );
    }
}

#[tokio::test]
async fn a_push_that_failed_then_succeeds_on_retry_and_a_gone_one_stays_gone() {
    let setup = setup().await;
    let flaky = setup.service.subscribe();
    setup
        .service
        .script(&flaky, &[Answer::status(500)], Answer::status(201));
    let gone = setup.service.subscribe();
    setup.service.script(&gone, &[], Answer::status(410));

    let message = json!({"kind": "COMMENT"});
    assert_eq!(
        setup.send(&flaky, &message).await,
        PushOutcome::Retry { after: None }
    );
    assert_eq!(setup.send(&flaky, &message).await, PushOutcome::Delivered);
    assert_eq!(setup.send(&gone, &message).await, PushOutcome::Gone);
    assert_eq!(setup.send(&gone, &message).await, PushOutcome::Gone);
    let statuses: Vec<(String, u16)> = [
        setup.service.next_received().await,
        setup.service.next_received().await,
        setup.service.next_received().await,
        setup.service.next_received().await,
    ]
    .into_iter()
    .map(|received| (received.browser, received.status))
    .collect();
    assert_eq!(
        statuses,
        [
            (flaky.id.clone(), 500),
            (flaky.id.clone(), 201),
            (gone.id.clone(), 410),
            (gone.id.clone(), 410)
        ]
    );
}

#[tokio::test]
async fn a_push_service_expecting_another_key_refuses_the_message() {
    let setup = setup().await;
    let browser = setup.service.subscribe();
    // The browser subscribed with another server's applicationServerKey.
    let other = VapidKeys::generate().unwrap();
    setup.service.expect_key(other.public_key_base64url());

    let outcome = setup.send(&browser, &json!({"n": 1})).await;
    let PushOutcome::Rejected { status, reason } = outcome else {
        panic!("expected a refusal, got {outcome:?}");
    };
    assert_eq!(status, Some(403));
    assert!(reason.contains("not the key"), "{reason}");
    let received = setup.service.next_received().await;
    assert!(received.payload.unwrap_err().contains("not the key"));
}

#[tokio::test]
async fn a_push_token_signed_by_another_key_is_refused_even_with_the_right_k() {
    let setup = setup().await;
    let browser = setup.service.subscribe();
    // A forger knows Herald's public key but signs with its own.
    let forger = MessageBuilder::new(
        Arc::new(VapidKeys::generate().unwrap()),
        Contact::parse(CONTACT).unwrap(),
    );
    let mut request = forger
        .build(
            &valid(&browser),
            &json!({"n": 1}),
            &MessageOptions::default(),
        )
        .unwrap();
    let (token, _) = request.authorization.split_once(", k=").unwrap();
    request.authorization = format!("{token}, k={}", setup.builder.keys().public_key_base64url());

    let outcome = setup.sender.send(&request).await;
    assert!(
        matches!(&outcome, PushOutcome::Rejected { status: Some(401), reason } if reason.contains("signature")),
        "{outcome:?}"
    );
    assert_eq!(
        setup.service.next_received().await.payload.unwrap_err(),
        "bad token signature"
    );
}

#[tokio::test]
async fn a_push_token_for_another_push_service_is_refused() {
    let setup = setup().await;
    let browser = setup.service.subscribe();
    // Signed for another origin (the same host on another port), then
    // posted here.
    let elsewhere = PushTarget {
        endpoint: format!("http://127.0.0.1:1/push/{}", browser.id),
        ..browser.target()
    }
    .validate(&loopback())
    .unwrap();
    let mut request = setup
        .builder
        .build(&elsewhere, &json!({"n": 1}), &MessageOptions::default())
        .unwrap();
    request.endpoint = browser.endpoint.parse().unwrap();

    let outcome = setup.sender.send(&request).await;
    assert!(
        matches!(
            &outcome,
            PushOutcome::Rejected {
                status: Some(401),
                ..
            }
        ),
        "{outcome:?}"
    );
    let refusal = setup.service.next_received().await.payload.unwrap_err();
    assert!(refusal.starts_with("aud is"), "{refusal}");
}

#[tokio::test]
async fn an_unreachable_push_service_is_retried() {
    let setup = setup().await;
    let browser = setup.service.subscribe();
    // A port that was just free: nothing listens there.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let target = PushTarget {
        endpoint: format!("http://{closed}/push/{}", browser.id),
        ..browser.target()
    };
    let request = setup
        .builder
        .build(
            &target.validate(&loopback()).unwrap(),
            &json!({"n": 1}),
            &MessageOptions::default(),
        )
        .unwrap();
    assert_eq!(
        setup.sender.send(&request).await,
        PushOutcome::Retry { after: None }
    );
    assert_eq!(setup.service.requests(), 0);
}

#[tokio::test]
async fn bad_push_subscriptions_and_payloads_never_leave_herald() {
    let setup = setup().await;
    let browser = setup.service.subscribe();
    let refusal = |target: PushTarget, rules: &EndpointRules| {
        let err = target.validate(rules).unwrap_err();
        (err.field, err.reason)
    };

    // Plain HTTP to a host nobody listed.
    assert_eq!(
        refusal(browser.target(), &EndpointRules::https_only()),
        ("endpoint", "must use https://".to_owned())
    );
    assert_eq!(
        refusal(
            browser.target(),
            &EndpointRules::allowing_http_on(["localhost"])
        ),
        ("endpoint", "must use https://".to_owned())
    );

    let key = URL_SAFE_NO_PAD.decode(&browser.p256dh).unwrap();
    // A key of the wrong length.
    let (field, reason) = refusal(
        PushTarget {
            p256dh: URL_SAFE_NO_PAD.encode(&key[..33]),
            ..browser.target()
        },
        &loopback(),
    );
    assert_eq!(field, "p256dh");
    assert!(reason.contains("33 bytes"), "{reason}");
    // A point off the curve: y changed.
    let mut off_curve = key.clone();
    off_curve[40] ^= 0x55;
    assert_eq!(
        refusal(
            PushTarget {
                p256dh: URL_SAFE_NO_PAD.encode(&off_curve),
                ..browser.target()
            },
            &loopback()
        ),
        ("p256dh", "is not a point on P-256".to_owned())
    );
    // An auth secret one byte short.
    let (field, reason) = refusal(
        PushTarget {
            auth: URL_SAFE_NO_PAD.encode([3u8; 15]),
            ..browser.target()
        },
        &loopback(),
    );
    assert_eq!(field, "auth");
    assert!(reason.contains("15 bytes"), "{reason}");

    // A payload one byte over what fits in 4096 encrypted bytes.
    let oversize = json!("x".repeat(MAX_PAYLOAD_BYTES - 1));
    match setup
        .builder
        .build(&valid(&browser), &oversize, &MessageOptions::default())
    {
        Err(MessageError::PayloadTooLarge { len }) => assert_eq!(len, MAX_PAYLOAD_BYTES + 1),
        other => panic!("expected PayloadTooLarge, got {other:?}"),
    }

    // Nothing was posted.
    assert_eq!(setup.service.requests(), 0);
}

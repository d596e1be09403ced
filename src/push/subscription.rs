//! A browser's push subscription, as its `PushSubscription.toJSON()`
//! gives it (an endpoint URL, the `p256dh` public key and the `auth`
//! secret), and the checks it passes before Herald keeps it or sends to
//! it.
//!
//! The endpoint is where Herald will post, so it is held to `https://`:
//! plain `http://` would hand the push service's token to anyone on the
//! path, and is allowed only for the hosts an operator lists (tests run
//! their push service on loopback). The keys are checked as RFC 8291
//! needs them, so that a bad subscription is refused once, with a reason
//! the client can act on, rather than failing at every notification.

use base64::Engine as _;
use url::Url;

use super::vapid::BASE64URL_LENIENT;

/// The longest endpoint accepted, in bytes. Real push services' endpoints
/// run to about 200–500 bytes (FCM's are the longest); 2 KiB leaves them
/// ample room while bounding what one subscription row can hold.
pub const MAX_ENDPOINT_BYTES: usize = 2048;

/// The size of the `auth` secret, fixed by RFC 8291 §3.2.
pub const AUTH_SECRET_BYTES: usize = 16;

/// The size of an uncompressed P-256 point (`0x04 ‖ x ‖ y`), the only
/// form RFC 8291 §3.1 allows for `p256dh`.
const P256_POINT_BYTES: usize = 65;

/// A subscription as the browser hands it over: unchecked strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushTarget {
    /// The push service's URL for this subscription.
    pub endpoint: String,
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url.
    pub auth: String,
}

/// Which endpoints Herald posts to: `https://` ones on public hosts, and
/// `http://` ones or internal addresses on the hosts listed here only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointRules {
    /// Hosts that may be reached over plain `http://`, and may be
    /// internal addresses, spelled as in a URL: `127.0.0.1`, `localhost`,
    /// `[::1]`.
    plain_http_hosts: Vec<String>,
}

impl EndpointRules {
    /// Only `https://` endpoints: what a production server uses.
    pub fn https_only() -> Self {
        Self::default()
    }

    /// `https://` endpoints, and `http://` ones on `hosts` (for a push
    /// service on loopback in tests).
    pub fn allowing_http_on<I, S>(hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        EndpointRules {
            plain_http_hosts: hosts
                .into_iter()
                .map(|host| host.into().to_ascii_lowercase())
                .collect(),
        }
    }

    fn allows_http_to(&self, host: &str) -> bool {
        self.plain_http_hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(host))
    }
}

/// A subscription refused, with the field at fault and why: what a
/// mutation reports as `BAD_USER_INPUT`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidTarget {
    /// `endpoint`, `p256dh` or `auth`.
    pub field: &'static str,
    pub reason: String,
}

/// A subscription that passed every check, decoded for encryption.
#[derive(Clone, Debug)]
pub struct ValidTarget {
    endpoint: Url,
    origin: String,
    public_key: p256::PublicKey,
    auth: [u8; AUTH_SECRET_BYTES],
}

impl ValidTarget {
    /// Where to post.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The push service's origin (`scheme://host[:port]`): the audience of
    /// the VAPID token, and the key rates are kept under.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The browser's public key, for RFC 8291 key agreement.
    pub fn public_key(&self) -> &p256::PublicKey {
        &self.public_key
    }

    /// The browser's authentication secret.
    pub fn auth(&self) -> &[u8; AUTH_SECRET_BYTES] {
        &self.auth
    }
}

impl PushTarget {
    /// Checks every field, reporting the first one at fault.
    pub fn validate(&self, rules: &EndpointRules) -> Result<ValidTarget, InvalidTarget> {
        let endpoint = parse_endpoint(&self.endpoint, rules).map_err(|reason| InvalidTarget {
            field: "endpoint",
            reason,
        })?;
        let public_key = decode_p256dh(&self.p256dh).map_err(|reason| InvalidTarget {
            field: "p256dh",
            reason,
        })?;
        let auth = decode_auth(&self.auth).map_err(|reason| InvalidTarget {
            field: "auth",
            reason,
        })?;
        Ok(ValidTarget {
            origin: endpoint.origin().ascii_serialization(),
            endpoint,
            public_key,
            auth,
        })
    }
}

/// The endpoint as a URL Herald may post to, or why not.
pub fn parse_endpoint(endpoint: &str, rules: &EndpointRules) -> Result<Url, String> {
    if endpoint.len() > MAX_ENDPOINT_BYTES {
        return Err(format!(
            "is {} bytes long; at most {MAX_ENDPOINT_BYTES} are accepted",
            endpoint.len()
        ));
    }
    let url = Url::parse(endpoint).map_err(|err| format!("is not an absolute URL ({err})"))?;
    let Some(host) = url.host_str() else {
        return Err("has no host".to_owned());
    };
    match url.scheme() {
        "https" => {}
        "http" if rules.allows_http_to(host) => {}
        "http" => return Err("must use https://".to_owned()),
        other => return Err(format!("must use https://, not {other}:")),
    }
    // Push services are public hosts. An endpoint is chosen by the
    // client, so one on loopback or a private network would have Herald
    // post to services that only it can reach (names that resolve to
    // such addresses are not caught here; a proxy or egress rule is).
    if !rules.allows_http_to(host) && is_internal(&url) {
        return Err(
            "names a loopback, private or link-local address; push services are public".to_owned(),
        );
    }
    // Credentials in the URL would be sent to the push service, and no
    // push service hands them out.
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".to_owned());
    }
    Ok(url)
}

/// True when `url`'s host is `localhost` or an IP address that is not
/// publicly routable.
fn is_internal(url: &Url) -> bool {
    use std::net::{IpAddr, Ipv4Addr};
    let internal_v4 = |ip: Ipv4Addr| {
        let [a, b, ..] = ip.octets();
        ip.is_loopback()
            || ip.is_private()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || ip.is_multicast()
            || ip.is_documentation()
            || a == 0
            // Shared address space (RFC 6598), carriers' NAT.
            || (a == 100 && (64..128).contains(&b))
    };
    match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => internal_v4(ip),
        Some(url::Host::Ipv6(ip)) => match ip.to_ipv4_mapped() {
            Some(v4) => internal_v4(v4),
            None => {
                let first = ip.segments()[0];
                IpAddr::V6(ip).is_loopback()
                    || ip.is_unspecified()
                    || ip.is_multicast()
                    // Unique local (fc00::/7) and link-local (fe80::/10).
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80
            }
        },
        None => true,
    }
}

/// The browser's public key from its base64url `p256dh`, or why it is not
/// an uncompressed P-256 point.
pub fn decode_p256dh(p256dh: &str) -> Result<p256::PublicKey, String> {
    let bytes = BASE64URL_LENIENT
        .decode(p256dh.trim())
        .map_err(|_| "is not base64url".to_owned())?;
    if bytes.len() != P256_POINT_BYTES {
        return Err(format!(
            "decodes to {} bytes; an uncompressed P-256 key is {P256_POINT_BYTES}",
            bytes.len()
        ));
    }
    if bytes[0] != 0x04 {
        return Err("is not an uncompressed point (it must start with 0x04)".to_owned());
    }
    p256::PublicKey::from_sec1_bytes(&bytes).map_err(|_| "is not a point on P-256".to_owned())
}

/// The browser's authentication secret from its base64url `auth`, or why
/// it is not 16 bytes.
pub fn decode_auth(auth: &str) -> Result<[u8; AUTH_SECRET_BYTES], String> {
    let bytes = BASE64URL_LENIENT
        .decode(auth.trim())
        .map_err(|_| "is not base64url".to_owned())?;
    <[u8; AUTH_SECRET_BYTES]>::try_from(bytes.as_slice()).map_err(|_| {
        format!(
            "decodes to {} bytes; it must be {AUTH_SECRET_BYTES}",
            bytes.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE;
    use p256::elliptic_curve::sec1::ToEncodedPoint;

    use super::*;

    fn browser_key() -> Vec<u8> {
        p256::SecretKey::random(&mut rand::rngs::OsRng)
            .public_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    fn target(endpoint: &str) -> PushTarget {
        PushTarget {
            endpoint: endpoint.to_owned(),
            p256dh: BASE64URL_LENIENT.encode(browser_key()),
            auth: BASE64URL_LENIENT.encode([9u8; 16]),
        }
    }

    #[test]
    fn a_browser_subscription_passes_and_knows_its_origin() {
        let valid = target("https://fcm.googleapis.com/fcm/send/abc:def")
            .validate(&EndpointRules::https_only())
            .unwrap();
        assert_eq!(valid.origin(), "https://fcm.googleapis.com");
        assert_eq!(valid.auth(), &[9u8; 16]);
        let with_port = target("https://push.example.net:8443/x")
            .validate(&EndpointRules::https_only())
            .unwrap();
        assert_eq!(with_port.origin(), "https://push.example.net:8443");
    }

    #[test]
    fn plain_http_needs_its_host_listed() {
        let https_only = EndpointRules::https_only();
        let loopback = EndpointRules::allowing_http_on(["127.0.0.1", "LocalHost"]);
        let err = target("http://127.0.0.1:9/p")
            .validate(&https_only)
            .unwrap_err();
        assert_eq!(err.field, "endpoint");
        assert_eq!(err.reason, "must use https://");
        assert!(target("http://127.0.0.1:9/p").validate(&loopback).is_ok());
        assert!(target("http://localhost:9/p").validate(&loopback).is_ok());
        assert!(target("http://10.0.0.1/p").validate(&loopback).is_err());
        assert!(target("https://127.0.0.1/p").validate(&loopback).is_ok());
        assert!(
            target("https://push.example.com/p")
                .validate(&https_only)
                .is_ok()
        );
    }

    #[test]
    fn internal_addresses_are_refused_unless_listed() {
        let rules = EndpointRules::https_only();
        for endpoint in [
            "https://127.0.0.1/push/1",
            "https://10.1.2.3/push/1",
            "https://192.168.0.7/push/1",
            "https://172.16.0.1/push/1",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/push/1",
            "https://0.0.0.0/push/1",
            "https://[::1]/push/1",
            "https://[fd00::1]/push/1",
            "https://[fe80::1]/push/1",
            "https://[::ffff:10.0.0.1]/push/1",
            "https://localhost/push/1",
            "https://push.localhost./push/1",
        ] {
            let refused = parse_endpoint(endpoint, &rules).unwrap_err();
            assert!(
                refused.contains("loopback, private"),
                "{endpoint}: {refused}"
            );
        }
        for endpoint in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://8.8.8.8/push/1",
            "https://[2001:4860::1]/push/1",
        ] {
            assert!(parse_endpoint(endpoint, &rules).is_ok(), "{endpoint}");
        }
        let listed = EndpointRules::allowing_http_on(["127.0.0.1"]);
        assert!(parse_endpoint("https://127.0.0.1/push/1", &listed).is_ok());
        assert!(parse_endpoint("https://10.0.0.1/push/1", &listed).is_err());
    }

    #[test]
    fn odd_endpoints_are_refused() {
        let rules = EndpointRules::allowing_http_on(["127.0.0.1"]);
        for (endpoint, reason) in [
            ("/relative", "is not an absolute URL"),
            ("ftp://push.example.net/x", "must use https://, not ftp:"),
            ("data:text/plain,hi", "has no host"),
            (
                "https://user:pw@push.example.net/x",
                "user name or password",
            ),
        ] {
            let err = parse_endpoint(endpoint, &rules).unwrap_err();
            assert!(err.contains(reason), "{endpoint}: {err}");
        }
        let long = format!(
            "https://push.example.net/{}",
            "a".repeat(MAX_ENDPOINT_BYTES)
        );
        assert!(parse_endpoint(&long, &rules).unwrap_err().contains("2048"));
        let longest = format!(
            "https://push.example.net/{}",
            "a".repeat(MAX_ENDPOINT_BYTES - "https://push.example.net/".len())
        );
        assert!(parse_endpoint(&longest, &rules).is_ok());
    }

    #[test]
    fn p256dh_must_be_an_uncompressed_point_on_the_curve() {
        let key = browser_key();
        assert!(decode_p256dh(&BASE64URL_LENIENT.encode(&key)).is_ok());
        // Padding is accepted too.
        assert!(decode_p256dh(&URL_SAFE.encode(&key)).is_ok());
        assert!(
            decode_p256dh(&BASE64URL_LENIENT.encode(&key[..64]))
                .unwrap_err()
                .contains("64 bytes")
        );
        let mut compressed_tag = key.clone();
        compressed_tag[0] = 0x02;
        assert!(
            decode_p256dh(&BASE64URL_LENIENT.encode(&compressed_tag))
                .unwrap_err()
                .contains("0x04")
        );
        let mut off_curve = key.clone();
        off_curve[64] ^= 1;
        assert_eq!(
            decode_p256dh(&BASE64URL_LENIENT.encode(&off_curve)).unwrap_err(),
            "is not a point on P-256"
        );
        assert_eq!(
            decode_p256dh("not base64!").unwrap_err(),
            "is not base64url"
        );
    }

    #[test]
    fn auth_must_be_sixteen_bytes() {
        assert_eq!(
            decode_auth(&BASE64URL_LENIENT.encode([1u8; 16])).unwrap(),
            [1u8; 16]
        );
        assert_eq!(decode_auth(&URL_SAFE.encode([1u8; 16])).unwrap(), [1u8; 16]);
        assert!(
            decode_auth(&BASE64URL_LENIENT.encode([1u8; 15]))
                .unwrap_err()
                .contains("15 bytes")
        );
        assert!(decode_auth(&BASE64URL_LENIENT.encode([1u8; 17])).is_err());
        assert!(decode_auth("").is_err());
    }
}

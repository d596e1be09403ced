//! Herald's VAPID key pair (RFC 8292): the P-256 key that identifies
//! Herald to push services. Browsers subscribe with its public key as
//! `applicationServerKey`, and a push service accepts a message for such
//! a subscription only with a token signed by the matching private key.
//!
//! The private key comes from `--vapid-private-key-file` or, when none is
//! configured, is generated on first run into `<data-dir>/vapid-private-key.pem`
//! (written atomically, mode 0600) and reused on every later start. Losing
//! it orphans every subscription made with it, and replicas must share
//! one: give them all the same file.
//!
//! A key file holds one of:
//! - a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), which is what Herald
//!   writes and `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` prints;
//! - a SEC1 PEM (`-----BEGIN EC PRIVATE KEY-----`), what `openssl ecparam -genkey` prints;
//! - the raw 32-byte private scalar, base64url with or without padding,
//!   as `npx web-push generate-vapid-keys` prints its "Private Key".

use std::{path::Path, time::Duration};

use anyhow::Context as _;
use base64::{
    Engine as _,
    engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig},
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::{
    SecretKey,
    elliptic_curve::sec1::ToEncodedPoint,
    pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding},
};
use serde::Serialize;
use url::Url;

use crate::auth::{now_secs, write_private};

/// Name of the file that keeps a generated key pair in the data directory.
pub const VAPID_KEY_FILE: &str = "vapid-private-key.pem";

/// How long a VAPID token is valid. RFC 8292 forbids more than 24 hours;
/// half of that leaves room for a push service whose clock runs ahead of
/// Herald's, and a token is signed per message, so a short life costs
/// nothing.
pub const VAPID_TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// Base64url that decodes with or without `=` padding, as keys are found
/// written both ways.
pub(crate) const BASE64URL_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// The claims of a VAPID token: who may accept it (the push service's
/// origin), until when, and whom its operator can contact.
#[derive(Serialize)]
struct VapidClaims<'a> {
    aud: &'a str,
    exp: u64,
    sub: &'a str,
}

/// Herald's VAPID key pair, ready to sign tokens.
pub struct VapidKeys {
    signing: EncodingKey,
    /// The uncompressed public point (`0x04 ‖ x ‖ y`).
    public_point: [u8; 65],
    /// `public_point` in base64url without padding, as browsers and the
    /// `k=` parameter of the `Authorization` header take it.
    public_base64url: String,
}

impl std::fmt::Debug for VapidKeys {
    // The private key stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKeys")
            .field("public_key", &self.public_base64url)
            .finish_non_exhaustive()
    }
}

impl VapidKeys {
    /// A fresh key pair kept in memory only (tests, one-off tools); a
    /// server uses `load_or_generate`, so that its key outlives a restart.
    pub fn generate() -> anyhow::Result<Self> {
        Self::from_secret_key(&SecretKey::random(&mut rand::rngs::OsRng))
    }

    /// Keys for this private key.
    pub fn from_secret_key(secret: &SecretKey) -> anyhow::Result<Self> {
        let der = secret
            .to_pkcs8_der()
            .context("encoding the VAPID key as PKCS#8")?;
        let signing = EncodingKey::from_ec_der(der.as_bytes());
        // `from_ec_der` checks nothing; one signature now turns a key the
        // signer cannot use into an error at start-up rather than at the
        // first notification.
        jsonwebtoken::encode(&Header::new(Algorithm::ES256), &(), &signing)
            .context("the VAPID key cannot sign ES256 tokens")?;
        let point = secret.public_key().to_encoded_point(false);
        let public_point: [u8; 65] = point
            .as_bytes()
            .try_into()
            .context("the VAPID public key is not a 65-byte uncompressed point")?;
        Ok(VapidKeys {
            signing,
            public_base64url: BASE64URL_LENIENT.encode(public_point),
            public_point,
        })
    }

    /// Keys from the text of a key file (see the module documentation for
    /// the formats), or why it holds no P-256 private key.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        Self::from_secret_key(&parse_private_key(text)?)
    }

    /// Keys from a key file; errors name the file.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the VAPID key file {}", path.display()))?;
        Self::parse(&text).with_context(|| {
            format!(
                "{} holds no usable P-256 private key (expected a PKCS#8 or SEC1 PEM, \
                 or the 32-byte key in base64url)",
                path.display()
            )
        })
    }

    /// Keys from the configured file or, when none is configured, from
    /// `data_dir/vapid-private-key.pem`, generated there on first run.
    pub fn load_or_generate(configured: Option<&Path>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(path) = configured {
            return Self::from_file(path);
        }
        let path = data_dir.join(VAPID_KEY_FILE);
        if path.exists() {
            return Self::from_file(&path);
        }
        let secret = SecretKey::random(&mut rand::rngs::OsRng);
        let pem = secret
            .to_pkcs8_pem(LineEnding::LF)
            .context("encoding the VAPID key as PEM")?;
        write_private(&path, &pem).with_context(|| format!("writing {}", path.display()))?;
        let keys = Self::from_secret_key(&secret)?;
        tracing::info!(
            path = %path.display(),
            public_key = %keys.public_base64url,
            "generated a VAPID key pair: keep this file, browsers' push subscriptions depend on it"
        );
        Ok(keys)
    }

    /// The public key as browsers take it for `applicationServerKey`: the
    /// uncompressed 65-byte point in base64url without padding.
    pub fn public_key_base64url(&self) -> &str {
        &self.public_base64url
    }

    /// The uncompressed public point (`0x04 ‖ x ‖ y`).
    pub fn public_key_bytes(&self) -> &[u8; 65] {
        &self.public_point
    }

    /// The `Authorization` header value for a message to the push service
    /// at `audience` (an origin, `https://host[:port]`): `vapid t=<ES256
    /// JWT>, k=<public key>`, the token expiring `VAPID_TOKEN_LIFETIME`
    /// from now.
    pub fn authorization(
        &self,
        audience: &str,
        contact: &Contact,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = VapidClaims {
            aud: audience,
            exp: now_secs() + VAPID_TOKEN_LIFETIME.as_secs(),
            sub: contact.as_str(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &self.signing)?;
        Ok(format!("vapid t={token}, k={}", self.public_base64url))
    }
}

/// The private key in a key file's text.
fn parse_private_key(text: &str) -> anyhow::Result<SecretKey> {
    let text = text.trim();
    if text.starts_with("-----BEGIN PRIVATE KEY-----") {
        return SecretKey::from_pkcs8_pem(text)
            .map_err(|err| anyhow::anyhow!("not a P-256 PKCS#8 key: {err}"));
    }
    if text.starts_with("-----BEGIN EC PRIVATE KEY-----") {
        return SecretKey::from_sec1_pem(text)
            .map_err(|err| anyhow::anyhow!("not a P-256 SEC1 key: {err}"));
    }
    if text.starts_with("-----BEGIN") {
        anyhow::bail!("a PEM block that is no private key (a public key or a certificate?)");
    }
    let bytes = BASE64URL_LENIENT
        .decode(text)
        .context("neither PEM nor base64url")?;
    anyhow::ensure!(
        bytes.len() == 32,
        "a raw P-256 private key is 32 bytes, this one is {}",
        bytes.len()
    );
    SecretKey::from_slice(&bytes).map_err(|_| anyhow::anyhow!("not a valid P-256 private key"))
}

/// Whom a push service's operator can contact about Herald's messages
/// (the token's `sub`): a `mailto:` address or an `https:` URL, as
/// RFC 8292 asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact(String);

impl Contact {
    /// A contact from configuration, or why it is not one.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        let url = Url::parse(value)
            .map_err(|_| format!("the VAPID contact {value:?} must be a mailto: or https: URL"))?;
        match url.scheme() {
            "mailto" if url.path().contains('@') => Ok(Contact(value.to_owned())),
            "mailto" => Err(format!("the VAPID contact {value:?} has no e-mail address")),
            "https" if url.host_str().is_some() => Ok(Contact(value.to_owned())),
            _ => Err(format!(
                "the VAPID contact {value:?} must be a mailto: or https: URL"
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_private_and_kept_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let first = VapidKeys::load_or_generate(None, dir.path()).unwrap();
        let second = VapidKeys::load_or_generate(None, dir.path()).unwrap();
        assert_eq!(first.public_key_bytes(), second.public_key_bytes());
        let path = dir.path().join(VAPID_KEY_FILE);
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn the_public_key_is_the_uncompressed_point_in_unpadded_base64url() {
        let keys = VapidKeys::generate().unwrap();
        let encoded = keys.public_key_base64url();
        assert_eq!(encoded.len(), 87);
        assert!(!encoded.contains(['=', '+', '/']));
        let decoded = BASE64URL_LENIENT.decode(encoded).unwrap();
        assert_eq!(decoded.as_slice(), keys.public_key_bytes());
        assert_eq!(decoded[0], 0x04);
        assert!(p256::PublicKey::from_sec1_bytes(&decoded).is_ok());
    }

    #[test]
    fn the_three_key_formats_give_the_same_key() {
        let secret = SecretKey::random(&mut rand::rngs::OsRng);
        let expected = VapidKeys::from_secret_key(&secret).unwrap();
        let pkcs8 = secret.to_pkcs8_pem(LineEnding::LF).unwrap();
        let sec1 = secret.to_sec1_pem(LineEnding::LF).unwrap();
        let raw = BASE64URL_LENIENT.encode(secret.to_bytes());
        let padded = base64::engine::general_purpose::URL_SAFE.encode(secret.to_bytes());
        for text in [pkcs8.as_str(), sec1.as_str(), &raw, &format!("{padded}\n")] {
            let keys = VapidKeys::parse(text).unwrap();
            assert_eq!(keys.public_key_bytes(), expected.public_key_bytes());
        }
    }

    #[test]
    fn a_configured_key_file_is_used_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let secret = SecretKey::random(&mut rand::rngs::OsRng);
        let good = dir.path().join("good.key");
        std::fs::write(&good, BASE64URL_LENIENT.encode(secret.to_bytes())).unwrap();
        let keys = VapidKeys::load_or_generate(Some(&good), dir.path()).unwrap();
        assert_eq!(
            keys.public_key_bytes(),
            VapidKeys::from_secret_key(&secret)
                .unwrap()
                .public_key_bytes()
        );
        // A configured file is never replaced by a generated key.
        assert!(!dir.path().join(VAPID_KEY_FILE).exists());

        let short = dir.path().join("short.key");
        std::fs::write(&short, BASE64URL_LENIENT.encode([7u8; 31])).unwrap();
        let err = format!("{:#}", VapidKeys::from_file(&short).unwrap_err());
        assert!(err.contains("short.key"), "{err}");
        assert!(err.contains("32 bytes"), "{err}");

        let zero = dir.path().join("zero.key");
        std::fs::write(&zero, BASE64URL_LENIENT.encode([0u8; 32])).unwrap();
        assert!(VapidKeys::from_file(&zero).is_err());

        let missing = dir.path().join("missing.key");
        let err = format!("{:#}", VapidKeys::from_file(&missing).unwrap_err());
        assert!(err.contains("missing.key"), "{err}");

        let public = dir.path().join("public.pem");
        std::fs::write(
            &public,
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        )
        .unwrap();
        let err = format!("{:#}", VapidKeys::from_file(&public).unwrap_err());
        assert!(err.contains("no private key"), "{err}");
    }

    #[test]
    fn a_corrupt_generated_key_is_reported_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VAPID_KEY_FILE);
        std::fs::write(&path, "garbage").unwrap();
        let err = format!(
            "{:#}",
            VapidKeys::load_or_generate(None, dir.path()).unwrap_err()
        );
        assert!(err.contains(VAPID_KEY_FILE), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "garbage");
    }

    #[test]
    fn tokens_carry_audience_expiry_and_contact() {
        let keys = VapidKeys::generate().unwrap();
        let contact = Contact::parse("mailto:ops@example.com").unwrap();
        let header = keys
            .authorization("https://push.example.net", &contact)
            .unwrap();
        let (token, k) = header
            .strip_prefix("vapid t=")
            .unwrap()
            .split_once(", k=")
            .unwrap();
        assert_eq!(k, keys.public_key_base64url());
        let claims: serde_json::Value = serde_json::from_slice(
            &BASE64URL_LENIENT
                .decode(token.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims["aud"], "https://push.example.net");
        assert_eq!(claims["sub"], "mailto:ops@example.com");
        let exp = claims["exp"].as_u64().unwrap();
        let now = now_secs();
        assert!(exp > now && exp <= now + 24 * 60 * 60);
    }

    #[test]
    fn contacts_are_mailto_or_https() {
        assert!(Contact::parse("mailto:ops@example.com").is_ok());
        assert!(Contact::parse("https://example.com/contact").is_ok());
        assert!(Contact::parse("mailto:").is_err());
        assert!(Contact::parse("http://example.com").is_err());
        assert!(Contact::parse("ops@example.com").is_err());
        assert!(Contact::parse("").is_err());
    }
}

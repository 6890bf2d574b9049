//! Signed bearer tokens for API clients and apps (JWT, HS256): issued by
//! `POST /api/auth/token` after a password check, checked by the chat
//! adapter's `identify_token`. A token names the user id only; the user is
//! read again on every request, so a deleted user or a changed role counts
//! at once, and a token expires after [`LIFETIME`].

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// How long a token is good for.
pub const LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(1);

const ISSUER: &str = "northwind-goods";
const AUDIENCE: &str = "storechat-api";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// The keys of the store's tokens, from its secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl TokenKeys {
    /// Keys made from the store's secret (at least 32 bytes).
    pub fn new(secret: &[u8]) -> TokenKeys {
        // A key of its own, so a token can never stand in for a session
        // cookie or a form token signed with the same secret.
        let mut key = b"northwind api tokens:".to_vec();
        key.extend_from_slice(secret);
        TokenKeys {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
        }
    }

    /// A token for `user_id`, good for [`LIFETIME`].
    pub fn issue(&self, user_id: i64) -> Result<String, jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + LIFETIME.num_seconds(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The user id of a valid token: signed by us, for this API, not
    /// expired. Anything else is `None`.
    pub fn verify(&self, token: &str) -> Option<i64> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?;
        data.claims.sub.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_forgeries_fail() {
        let keys = TokenKeys::new(&[7u8; 32]);
        let token = keys.issue(42).expect("issue");
        assert_eq!(keys.verify(&token), Some(42));
        let other = TokenKeys::new(&[8u8; 32]);
        assert_eq!(other.verify(&token), None, "another secret's key");
        let mut tampered = token.clone();
        tampered.push('x');
        assert_eq!(keys.verify(&tampered), None);
        assert_eq!(keys.verify("not.a.token"), None);
    }

    #[test]
    fn expired_tokens_fail() {
        let keys = TokenKeys::new(&[7u8; 32]);
        let claims = Claims {
            sub: "1".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: 0,
            exp: chrono::Utc::now().timestamp() - 60,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding)
            .expect("encode");
        assert_eq!(keys.verify(&token), None);
    }
}

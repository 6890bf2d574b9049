//! Signed one-click unsubscribe links: an HMAC of the person's id under the
//! install secret. They need no sign-in and cannot be forged for someone
//! else.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], user_id: &str) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(b"storechat-unsubscribe\0");
    mac.update(user_id.as_bytes());
    Some(mac)
}

/// The token for a person's links.
pub fn token(secret: &[u8], user_id: &str) -> String {
    mac(secret, user_id)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Checks a token in constant time.
pub fn verify(secret: &[u8], user_id: &str, given: &str) -> bool {
    let (Some(mac), Ok(bytes)) = (mac(secret, user_id), hex::decode(given.trim())) else {
        return false;
    };
    mac.verify_slice(&bytes).is_ok()
}

/// The full link, e.g. `https://shop.example/dashboard/messages/email/unsubscribe/?u=3&t=…`.
pub fn url(public_url: &str, customer_prefix: &str, secret: &[u8], user_id: &str) -> String {
    format!(
        "{public_url}{customer_prefix}/email/unsubscribe/?u={}&t={}",
        urlencoding::encode(user_id),
        token(secret, user_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_belong_to_one_person() {
        let secret = [9u8; 32];
        let t = token(&secret, "3");
        assert!(verify(&secret, "3", &t));
        assert!(!verify(&secret, "4", &t));
        assert!(!verify(&secret, "3", &t[..10]));
        assert!(!verify(&[1u8; 32], "3", &t));
    }
}

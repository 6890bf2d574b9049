//! CSRF tokens for every form the plugin renders: an HMAC of the signed-in
//! actor under the install secret. A page from another site cannot read it,
//! so it cannot forge a post; a missing or wrong token changes nothing.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::Actor;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], actor: &Actor) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(b"storechat-csrf\0");
    mac.update(format!("{:?}", actor.role).as_bytes());
    mac.update(b"\0");
    mac.update(actor.id.as_bytes());
    Some(mac)
}

/// The token for `actor`'s forms.
pub fn token(secret: &[u8], actor: &Actor) -> String {
    mac(secret, actor)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Checks a posted token in constant time.
pub fn verify(secret: &[u8], actor: &Actor, given: &str) -> bool {
    let (Some(mac), Ok(bytes)) = (mac(secret, actor), hex::decode(given.trim())) else {
        return false;
    };
    mac.verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_belong_to_one_actor() {
        let secret = [7u8; 32];
        let ann = Actor::customer("1", "Ann");
        let bob = Actor::customer("2", "Bob");
        let t = token(&secret, &ann);
        assert!(verify(&secret, &ann, &t));
        assert!(!verify(&secret, &bob, &t));
        assert!(!verify(&secret, &Actor::staff("1", "Ann"), &t));
        assert!(!verify(&secret, &ann, ""));
        assert!(!verify(&secret, &ann, "zz"));
        assert!(!verify(&[8u8; 32], &ann, &t));
    }
}

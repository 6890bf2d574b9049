//! Password hashes as argon2 PHC strings. Hashing is deliberately slow
//! (tens of milliseconds): callers run it on the blocking pool.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;

/// Hashes a password with a fresh random salt.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt = SaltString::encode_b64(&salt)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored PHC string; a malformed hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash no password is checked against successfully in practice, so that
/// an unknown e-mail costs as much time as a wrong password and the timing
/// does not reveal who has an account.
static DECOY: LazyLock<String> =
    LazyLock::new(|| hash("decoy password for unknown e-mails").unwrap_or_default());

/// Spends the time of one verification without a user.
pub fn verify_decoy(password: &str) {
    let _ = verify(password, &DECOY);
}

/// Why a sign-in could not be checked (not: the password was wrong).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The users table could not be read.
    #[error(transparent)]
    Shop(#[from] crate::shop::ShopError),
    /// The blocking pool did not finish the check.
    #[error("password check did not finish: {0}")]
    Blocking(String),
}

/// The user with this e-mail and password, or `None`. Unknown e-mails cost
/// the same time as wrong passwords; argon2 runs on the blocking pool,
/// never on an actix worker.
pub async fn sign_in(
    db: &storechat::store::Db,
    email: &str,
    password: String,
) -> Result<Option<crate::shop::User>, CheckError> {
    let email = email.trim().to_owned();
    let found = db
        .read(move |conn| crate::shop::users::find_by_email(conn, &email))
        .await?;
    actix_web::web::block(move || match found {
        Some(user) if verify(&password, &user.password_hash) => Some(user),
        Some(_) => None,
        None => {
            verify_decoy(&password);
            None
        }
    })
    .await
    .map_err(|e| CheckError::Blocking(e.to_string()))
}

//! Random tokens, hashes and password hashing.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// A URL-safe random token with 256 bits of entropy.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `n` random letters and digits.
pub fn random_alnum(n: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| {
            let i = rng.random_range(0..CHARS.len());
            char::from(CHARS.get(i).copied().unwrap_or(b'x'))
        })
        .collect()
}

/// SHA-256 of a high-entropy secret, hex encoded; used to store tokens and keys.
/// (A slow hash is only needed for low-entropy secrets such as passwords.)
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with argon2id off the async runtime.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(Error::internal)
    })
    .await
    .map_err(Error::internal)?
}

/// Checks a password against a stored argon2 hash, off the async runtime.
pub async fn verify_password(password: String, hash: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(Error::internal)?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(Error::internal)?
}

/// Verifies `password` against a throwaway hash, so that a log-in for an unknown
/// email costs the same time as one with a wrong password.
pub async fn verify_dummy(password: String) -> Result<bool> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = match DUMMY.get() {
        Some(h) => h.clone(),
        None => {
            let h = hash_password(random_token()).await?;
            DUMMY.get_or_init(|| h).clone()
        }
    };
    verify_password(password, hash).await
}

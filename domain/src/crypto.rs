//! Random tokens, hashes and password hashing.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, SaltString, rand_core::OsRng};
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

/// Runs password hashing on a fixed set of threads, one per core, and nowhere else.
///
/// Each argon2 hash holds about 19 MiB while it runs. On tokio's blocking pool any
/// number could run at once (a batch of forty anonymous requests once took the server
/// from 84 MB to 864 MB), and each new thread's allocator arena would keep its share
/// afterwards; a fixed pool bounds both, whatever requests arrive. Waiting callers
/// queue as futures, which cost nothing. (No crate offers a bounded CPU pool with async
/// answers that is lighter than these few lines over `std::thread` and a channel.)
type HashJob = Box<dyn FnOnce() + Send>;

struct HashPool {
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<HashJob>>,
    permits: tokio::sync::Semaphore,
}

fn pool() -> &'static HashPool {
    static POOL: std::sync::OnceLock<HashPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let threads = hash_threads();
        let (tx, rx) = std::sync::mpsc::channel::<HashJob>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("parley-hash-{i}")).spawn(move || {
                loop {
                    let job = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        HashPool { jobs: std::sync::Mutex::new(tx), permits: tokio::sync::Semaphore::new(threads) }
    })
}

/// How many password hashes may run at once: one per core.
pub fn hash_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 16)
}

async fn on_hash_pool<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    let pool = pool();
    let _permit = pool.permits.acquire().await.map_err(Error::internal)?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _ = tx.send(work());
    });
    pool.jobs.lock().map_err(|_| Error::internal("hash pool poisoned"))?.send(job).map_err(Error::internal)?;
    rx.await.map_err(Error::internal)?
}

thread_local! {
    /// Each hashing thread's argon2 memory, allocated once and reused: a fresh 19 MiB
    /// per hash would leave the allocator holding several freed copies per thread.
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs argon2 with `params` into `out`, on this thread's reused memory.
fn argon2_into(argon: &Argon2<'_>, count: usize, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<()> {
    BLOCKS.with(|cell| {
        let mut blocks = cell.borrow_mut();
        if blocks.len() < count {
            blocks.resize(count, argon2::Block::default());
        }
        let blocks = blocks.get_mut(..count).ok_or_else(|| Error::internal("argon2 memory"))?;
        argon.hash_password_into_with_memory(password, salt, out, blocks).map_err(Error::internal)
    })
}

/// Hashes a password with argon2id (the crate's default parameters) on the hashing
/// threads, as a PHC string.
pub async fn hash_password(password: String) -> Result<String> {
    on_hash_pool(move || {
        use argon2::password_hash::{Output, ParamsString};
        let salt = SaltString::generate(&mut OsRng);
        let argon = Argon2::default();
        let params = argon.params().clone();
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt.as_salt().decode_b64(&mut salt_buf).map_err(Error::internal)?;
        let mut out = [0u8; argon2::Params::DEFAULT_OUTPUT_LEN];
        argon2_into(&argon, params.block_count(), password.as_bytes(), salt_bytes, &mut out)?;
        let hash = PasswordHash {
            algorithm: argon2::Algorithm::Argon2id.ident(),
            version: Some(argon2::Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(Error::internal)?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(Error::internal)?),
        };
        Ok(hash.to_string())
    })
    .await
}

/// Checks a password against a stored argon2 PHC string on the hashing threads (the
/// comparison is constant-time).
pub async fn verify_password(password: String, hash: String) -> Result<bool> {
    on_hash_pool(move || {
        use argon2::password_hash::Output;
        let parsed = PasswordHash::new(&hash).map_err(Error::internal)?;
        let algorithm = argon2::Algorithm::try_from(parsed.algorithm).map_err(Error::internal)?;
        let version = match parsed.version {
            Some(v) => argon2::Version::try_from(v).map_err(Error::internal)?,
            None => argon2::Version::default(),
        };
        let params = argon2::Params::try_from(&parsed).map_err(Error::internal)?;
        let expected = parsed.hash.ok_or_else(|| Error::internal("stored hash without output"))?;
        let salt = parsed.salt.ok_or_else(|| Error::internal("stored hash without salt"))?;
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(Error::internal)?;
        let count = params.block_count();
        let argon = Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.len()];
        argon2_into(&argon, count, password.as_bytes(), salt_bytes, &mut out)?;
        Ok(Output::new(&out).map_err(Error::internal)? == expected)
    })
    .await
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

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[tokio::test]
    async fn hashes_are_standard_argon2id_both_ways() {
        let ours = hash_password("Correct-horse-42".into()).await.unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        // The crate's own verifier accepts ours, and ours accepts the crate's hashes.
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"Correct-horse-42", &parsed).is_ok());
        let theirs = Argon2::default()
            .hash_password(b"Correct-horse-42", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_password("Correct-horse-42".into(), theirs.clone()).await.unwrap());
        assert!(!verify_password("Correct-horse-43".into(), theirs).await.unwrap());
        assert!(!verify_password("Correct-horse-43".into(), ours.clone()).await.unwrap());
        assert!(verify_password("Correct-horse-42".into(), ours).await.unwrap());
        assert!(verify_password("x".into(), "not a hash".into()).await.is_err());
    }
}

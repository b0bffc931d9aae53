//! Sealed secrets: values Parley must read back (a TOTP secret today; DKIM keys,
//! webhook and vendor secrets later) are stored encrypted with XChaCha20-Poly1305
//! under a key kept outside the database (`PARLEY_SECRETS_KEY`).
//!
//! A sealed value reads `sealed:v1:<key id>:<base64url(nonce ‖ ciphertext)>`. The key
//! ID lets keys rotate: the first key seals, every listed key unseals, and
//! [`Keys::needs_reseal`] tells which stored values to seal again under the current
//! one. The purpose (for example `totp:<user id>`) is bound as associated data, so a
//! sealed value copied onto another row or field does not open.

use std::fmt;

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::Rng;

use crate::{Error, Result};

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;

/// The sealing keys: the current one first, older ones after it for unsealing.
#[derive(Clone)]
pub struct Keys {
    keys: Vec<(String, [u8; 32])>,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        write!(f, "Keys({ids:?}, **redacted**)")
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

impl Keys {
    /// Parses `id:base64key[,id:base64key…]` (32-byte keys, URL-safe or standard
    /// base64); the first key seals. A bare key without an ID gets the ID `k1`.
    pub fn parse(raw: &str) -> std::result::Result<Keys, String> {
        let mut keys = Vec::new();
        for (i, part) in raw.split(',').map(str::trim).filter(|p| !p.is_empty()).enumerate() {
            let (id, key) = match part.split_once(':') {
                Some((id, key)) => (id.trim().to_owned(), key.trim()),
                None if i == 0 => ("k1".to_owned(), part),
                None => return Err(format!("key {} has no ID (write id:key)", i + 1)),
            };
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(format!("key ID {id:?} must be letters, digits, - or _"));
            }
            let bytes = b64()
                .decode(key.trim_end_matches('='))
                .or_else(|_| base64::engine::general_purpose::STANDARD.decode(key))
                .map_err(|_| format!("key {id:?} is not base64"))?;
            let key: [u8; 32] = bytes.try_into().map_err(|_| format!("key {id:?} must be 32 bytes"))?;
            if keys.iter().any(|(k, _): &(String, [u8; 32])| *k == id) {
                return Err(format!("key ID {id:?} appears twice"));
            }
            keys.push((id, key));
        }
        if keys.is_empty() {
            return Err("no key given".into());
        }
        Ok(Keys { keys })
    }

    /// A single fresh random key with ID `id`.
    pub fn random(id: &str) -> Keys {
        Keys { keys: vec![(id.to_owned(), rand::rng().random())] }
    }

    /// A fresh random key with ID `id`, written the way [`Keys::parse`] reads it.
    pub fn generate(id: &str) -> String {
        let key: [u8; 32] = rand::rng().random();
        format!("{id}:{}", b64().encode(key))
    }

    /// The ID of the key that seals.
    pub fn current_id(&self) -> &str {
        self.keys.first().map(|(id, _)| id.as_str()).unwrap_or("")
    }

    /// Seals `plain` for `purpose` under the current key.
    pub fn seal(&self, purpose: &str, plain: &str) -> Result<String> {
        let (id, key) = self.keys.first().ok_or_else(|| Error::internal("no sealing key"))?;
        let nonce: [u8; NONCE_LEN] = rand::rng().random();
        let cipher = XChaCha20Poly1305::new(&Key::from(*key));
        let sealed = cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: plain.as_bytes(), aad: purpose.as_bytes() })
            .map_err(|_| Error::internal("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{id}:{}", b64().encode(out)))
    }

    /// Opens a value sealed for `purpose`. A value stored before sealing existed (no
    /// prefix) is returned as it is; [`Keys::needs_reseal`] is true for it.
    pub fn open(&self, purpose: &str, stored: &str) -> Result<String> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let (id, data) = rest.split_once(':').ok_or_else(|| Error::internal("sealed value without a key ID"))?;
        let (_, key) = self.keys.iter().find(|(k, _)| k == id).ok_or_else(|| {
            Error::internal(format!("sealed with key {id:?}, which PARLEY_SECRETS_KEY does not list"))
        })?;
        let bytes = b64().decode(data).map_err(|_| Error::internal("sealed value is not base64"))?;
        if bytes.len() < NONCE_LEN {
            return Err(Error::internal("sealed value is too short"));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Error::internal("sealed value is too short"))?;
        let cipher = XChaCha20Poly1305::new(&Key::from(*key));
        let plain = cipher
            .decrypt(&XNonce::from(nonce), Payload { msg: sealed, aad: purpose.as_bytes() })
            .map_err(|_| Error::internal("a sealed value does not open (wrong key or purpose)"))?;
        String::from_utf8(plain).map_err(|_| Error::internal("a sealed value is not text"))
    }

    /// A tag that proves Parley wrote `data` for `purpose` (links in emails: unsubscribe,
    /// tracking, return paths), made with the current key. Tags are HMAC-SHA256 under a
    /// key derived from each sealing key, cut to `len` bytes (at most 32).
    pub fn tag(&self, purpose: &str, data: &[u8], len: usize) -> Vec<u8> {
        let mut out = self.keys.first().map(|(_, k)| mac(k, purpose, data)).unwrap_or_default();
        out.truncate(len.min(32));
        out
    }

    /// Whether `tag` is what [`Keys::tag`] makes for `purpose` and `data` under any listed
    /// key (so links keep working while keys rotate); compared in constant time. Tags
    /// shorter than 6 bytes are refused.
    pub fn check_tag(&self, purpose: &str, data: &[u8], tag: &[u8]) -> bool {
        use hmac::Mac;
        if tag.len() < 6 {
            return false;
        }
        self.keys.iter().any(|(_, k)| {
            let mut m = mac_for(k, purpose);
            m.update(data);
            m.verify_truncated_left(tag).is_ok()
        })
    }

    /// Whether a stored value is unsealed or sealed under an older key.
    pub fn needs_reseal(&self, stored: &str) -> bool {
        match stored.strip_prefix(PREFIX).and_then(|r| r.split_once(':')) {
            Some((id, _)) => id != self.current_id(),
            None => true,
        }
    }
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn hmac_with(key: &[u8]) -> HmacSha256 {
    use hmac::Mac;
    match <HmacSha256 as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes a key of any length"),
    }
}

/// The MAC for `purpose` under the subkey of `key` kept for tags (never the sealing key
/// itself).
fn mac_for(key: &[u8; 32], purpose: &str) -> HmacSha256 {
    use hmac::Mac;
    let mut derive = hmac_with(key);
    derive.update(b"parley tags v1");
    let mut m = hmac_with(&derive.finalize().into_bytes());
    m.update(purpose.as_bytes());
    m.update(&[0]);
    m
}

fn mac(key: &[u8; 32], purpose: &str, data: &[u8]) -> Vec<u8> {
    use hmac::Mac;
    let mut m = mac_for(key, purpose);
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(raw: &str) -> Keys {
        Keys::parse(raw).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_purpose() {
        let k = keys(&Keys::generate("a"));
        let sealed = k.seal("totp:1", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(sealed.starts_with("sealed:v1:a:"), "{sealed}");
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(sealed, k.seal("totp:1", "JBSWY3DPEHPK3PXP").unwrap(), "a fresh nonce each time");
        assert_eq!(k.open("totp:1", &sealed).unwrap(), "JBSWY3DPEHPK3PXP");
        assert!(k.open("totp:2", &sealed).is_err(), "bound to its purpose");
        let other = keys(&Keys::generate("a"));
        assert!(other.open("totp:1", &sealed).is_err(), "another key with the same ID does not open it");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(k.open("totp:1", &tampered).is_err(), "tampering is detected");
    }

    #[test]
    fn keys_rotate_by_id() {
        let old = Keys::generate("old");
        let k1 = keys(&old);
        let sealed = k1.seal("p", "secret").unwrap();
        let rotated = keys(&format!("{},{old}", Keys::generate("new")));
        assert_eq!(rotated.current_id(), "new");
        assert_eq!(rotated.open("p", &sealed).unwrap(), "secret", "old keys still open");
        assert!(rotated.needs_reseal(&sealed));
        let resealed = rotated.seal("p", "secret").unwrap();
        assert!(!rotated.needs_reseal(&resealed));
        assert!(rotated.needs_reseal("PLAINTEXTSECRET"), "values from before sealing get sealed");
        assert_eq!(rotated.open("p", "PLAINTEXTSECRET").unwrap(), "PLAINTEXTSECRET");
        let dropped = keys(&Keys::generate("new"));
        assert!(dropped.open("p", &sealed).is_err(), "a key taken off the list no longer opens");
    }

    #[test]
    fn bad_key_lists_are_named() {
        for (raw, says) in [
            ("", "no key"),
            ("a:bm90LWJhc2U2NA", "32 bytes"),
            ("a:!!!", "base64"),
            ("a b:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "key ID"),
        ] {
            match Keys::parse(raw) {
                Err(e) => assert!(e.contains(says), "{raw:?}: {e}"),
                Ok(_) => unreachable!("{raw:?} was accepted"),
            }
        }
        let k = Keys::generate("a");
        assert!(Keys::parse(&format!("{k},{k}")).unwrap_err().contains("twice"));
    }
}

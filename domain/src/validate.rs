//! Parsing input at the edge into checked values.

use crate::{Error, Result};

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses `raw` for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Email> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(Error::invalid(field, "is required"));
        }
        if s.len() > 254 {
            return Err(Error::invalid(field, "is longer than 254 characters"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(Error::invalid(field, "is not an email address"));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@' || c == '<' || c == '>' || c == ',');
        if !domain_ok || !local_ok {
            return Err(Error::invalid(field, "is not an email address"));
        }
        Ok(Email(s))
    }
    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A trimmed name of 1..=max characters without control characters.
pub fn name(field: &str, raw: &str, max: usize) -> Result<String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if s.chars().count() > max {
        return Err(Error::invalid(field, format!("is longer than {max} characters")));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(s.to_owned())
}

/// A percentage from 0 to `max`, as basis points (1/10,000).
pub fn percent_basis_points(field: &str, percent: f64, max: f64) -> Result<i32> {
    if !percent.is_finite() || !(0.0..=max).contains(&percent) {
        return Err(Error::invalid(field, format!("is a percentage from 0 to {max}")));
    }
    Ok((percent * 100.0).round() as i32)
}

/// A trimmed free text of at most `max` characters (may be empty): descriptions, notes,
/// comments.
pub fn text(field: &str, raw: &str, max: usize) -> Result<String> {
    let s = raw.trim();
    if s.chars().count() > max {
        return Err(Error::invalid(field, format!("is longer than {} characters", thousands(max))));
    }
    Ok(s.to_owned())
}

/// `2000` as `2,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A password strong enough to keep: 10..=128 characters, not all one kind, not common.
pub fn password(field: &str, raw: &str) -> Result<String> {
    let n = raw.chars().count();
    if n < 10 {
        return Err(Error::invalid(field, "must be at least 10 characters"));
    }
    if n > 128 {
        return Err(Error::invalid(field, "must be at most 128 characters"));
    }
    let kinds = [
        raw.chars().any(|c| c.is_lowercase()),
        raw.chars().any(|c| c.is_uppercase()),
        raw.chars().any(|c| c.is_ascii_digit()),
        raw.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    let distinct = {
        let mut cs: Vec<char> = raw.chars().collect();
        cs.sort_unstable();
        cs.dedup();
        cs.len()
    };
    const COMMON: [&str; 6] = ["password", "123456", "qwerty", "letmein", "welcome", "parley"];
    let lower = raw.to_lowercase();
    if kinds < 2 || distinct < 5 || COMMON.iter().any(|c| lower.contains(c) && lower.len() < c.len() + 6) {
        return Err(Error::invalid(field, "is too weak: mix letters, digits or symbols"));
    }
    Ok(raw.to_owned())
}

/// An object named in data a workspace writes (a rule, a file): by its ID as the API
/// shows it (the opaque global ID, base64url of `Type:uuid`) or by its bare UUID.
/// Stored rules and uploaded files hold what API clients and the web app hold, so both
/// forms are read.
pub fn id_ref<I: crate::TypedId>(raw: &str) -> Option<I> {
    use base64::Engine;
    let raw = raw.trim();
    if let Ok(u) = uuid::Uuid::try_parse(raw) {
        return Some(u.into());
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let u = text.strip_prefix(I::TYPE_NAME)?.strip_prefix(':')?;
    uuid::Uuid::try_parse(u).ok().map(I::from)
}

/// The ID of `id` as the API shows it (the opaque global ID), for files Parley writes.
pub fn global_ref<I: crate::TypedId>(id: I) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}:{}", I::TYPE_NAME, id.uuid()))
}

/// Seconds of an ISO-8601 duration in weeks, days, hours, minutes or seconds (`PT24H`,
/// `P7D`); years and months have no fixed length and are refused.
pub fn duration_secs(field: &str, raw: &str) -> Result<i64> {
    let bad = || Error::invalid(field, "is not an ISO-8601 duration like PT24H, PT30M or P7D");
    let d = iso8601::duration(raw.trim()).map_err(|_| bad())?;
    match d {
        iso8601::Duration::Weeks(w) => Ok(i64::from(w) * 7 * 86_400),
        iso8601::Duration::YMDHMS { year, month, day, hour, minute, second, millisecond } => {
            if year != 0 || month != 0 {
                return Err(Error::invalid(field, "counts years or months, whose length varies; use days (P30D)"));
            }
            if millisecond != 0 {
                return Err(bad());
            }
            Ok(i64::from(day) * 86_400 + i64::from(hour) * 3_600 + i64::from(minute) * 60 + i64::from(second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse("email", " Ann@Example.COM ").ok().map(|e| e.0), Some("ann@example.com".to_owned()));
        for bad in ["", "a", "a@b", "@x.com", "a@.com", "a@x..com", "a b@x.com", "a@x.com."] {
            assert!(Email::parse("email", bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn passwords() {
        assert!(password("password", "short1A").is_err());
        assert!(password("password", "aaaaaaaaaaaa").is_err());
        assert!(password("password", "password123").is_err());
        assert!(password("password", "correct horse 42").is_ok());
    }

    proptest! {
        #[test]
        fn email_parse_never_panics_and_is_lowercase(s in ".{0,300}") {
            if let Ok(e) = Email::parse("email", &s) {
                prop_assert_eq!(e.as_str(), e.as_str().to_lowercase());
                prop_assert!(e.as_str().contains('@'));
            }
        }

        #[test]
        fn names_are_trimmed_and_bounded(s in ".{0,200}") {
            if let Ok(n) = name("name", &s, 100) {
                prop_assert!(n.chars().count() <= 100);
                prop_assert_eq!(n.trim(), n.as_str());
                prop_assert!(!n.is_empty());
            }
        }
    }
}

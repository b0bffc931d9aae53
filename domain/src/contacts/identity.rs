//! A contact's identities and names, parsed into the forms they are stored and
//! matched in: lower-cased email, E.164 phone, trimmed external ID.

use crate::validate::{Email, name};
use crate::{Error, Result};

/// An email address as contacts store it (lower case).
pub fn email(field: &str, raw: &str) -> Result<String> {
    Email::parse(field, raw).map(|e| e.as_str().to_owned())
}

/// A phone number in E.164 form (`+441632960961`): spaces, dashes, dots and brackets
/// are dropped, so is a bracketed trunk prefix `(0)`, and a leading `00` becomes `+`. Numbers without their country code are
/// refused rather than guessed. Written here rather than with a full numbering-plan
/// crate: de-duplication needs one canonical key, and the SMS vendor validates the
/// number for its own country rules when it sends.
pub fn phone(field: &str, raw: &str) -> Result<String> {
    // "+44 (0)20…": the bracketed trunk prefix is dialled only inside the country.
    let compact: String =
        raw.replace("(0)", "").chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')).collect();
    let digits = match (compact.strip_prefix('+'), compact.strip_prefix("00")) {
        (Some(d), _) | (None, Some(d)) => d,
        (None, None) => return Err(Error::invalid(field, "must start with the country code, like +44 or 0044")),
    };
    if !(8..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) || digits.starts_with('0') {
        return Err(Error::invalid(field, "is not a phone number (8 to 15 digits after the country code)"));
    }
    Ok(format!("+{digits}"))
}

/// An ID from another system, trimmed (1 to 200 characters).
pub fn external_id(field: &str, raw: &str) -> Result<String> {
    name(field, raw, 200)
}

/// An IANA time zone name (`Europe/Paris`).
pub fn time_zone(field: &str, raw: &str) -> Result<String> {
    let tz: chrono_tz::Tz =
        raw.trim().parse().map_err(|_| Error::invalid(field, "is not a time zone name, like Europe/Paris"))?;
    Ok(tz.name().to_owned())
}

/// A tag: trimmed, 1 to 50 characters, compared without case.
pub fn tags(field: &str, raw: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = name(field, t, 50)?;
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&t)) {
            out.push(t);
        }
    }
    if out.len() > 100 {
        return Err(Error::invalid(field, "a contact holds at most 100 tags"));
    }
    out.sort_by_key(|t| t.to_lowercase());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn identities_are_normalised() {
        assert_eq!(phone("phone", "+44 (0)1632 960-961").unwrap(), "+441632960961");
        assert_eq!(phone("phone", "+44 1632 960.961").unwrap(), "+441632960961");
        assert_eq!(phone("phone", "0033 6 12 34 56 78").unwrap(), "+33612345678");
        for bad in ["", "612345678", "+0612345678", "+12", "+1234567890123456", "+33 6 12 ab 56"] {
            assert!(phone("phone", bad).is_err(), "{bad}");
        }
        assert_eq!(time_zone("timeZone", " Europe/Paris ").unwrap(), "Europe/Paris");
        assert!(time_zone("timeZone", "Mars/Olympus").is_err());
        assert_eq!(tags("tags", &["vip".into(), " VIP ".into(), "Beta".into()]).unwrap(), ["Beta", "vip"]);
    }

    proptest! {
        #[test]
        fn a_normalised_phone_normalises_to_itself(s in "[+0-9 ()-]{0,24}") {
            if let Ok(p) = phone("phone", &s) {
                prop_assert_eq!(phone("phone", &p).ok(), Some(p.clone()));
                prop_assert!(p.starts_with('+') && p[1..].chars().all(|c| c.is_ascii_digit()));
            }
        }
    }
}

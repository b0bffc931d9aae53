//! One row of an import file turned into what it says about a contact, or the reasons
//! (column by column) it cannot be taken. Pure: no database, so it is tested alone.

use std::collections::HashMap;

use csv_async::ByteRecord;
use serde_json::{Map, Value};

use super::plan::{Plan, Target};
use crate::contacts::identity;
use crate::{ContactField, validate};

/// Why (part of) a row was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Where the row starts in the file (the header is line 1).
    pub line: u64,
    /// The column, as the header names it (empty: the row as a whole).
    pub column: String,
    pub reason: String,
}

/// What a row says about its contact: only cells with a value (an empty cell leaves
/// what the contact holds as it is).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub line: u64,
    /// The normalised identity the row is matched on.
    pub identity: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub time_zone: Option<String>,
    pub tags: Option<Vec<String>>,
    pub attributes: Map<String, Value>,
}

/// The text of cell `i`, trimmed; an error when it is not UTF-8.
fn cell(rec: &ByteRecord, i: usize) -> Result<&str, String> {
    let raw = rec.get(i).unwrap_or_default();
    std::str::from_utf8(raw).map(str::trim).map_err(|_| "is not UTF-8 text (save the file as “CSV UTF-8”)".to_owned())
}

fn message(e: crate::Error) -> String {
    match e {
        crate::Error::Invalid { message, .. } => message,
        e => e.to_string(),
    }
}

/// The row's identity as stored, or the rejection of the whole row.
pub fn identity_of(plan: &Plan, rec: &ByteRecord, line: u64) -> Result<String, Rejection> {
    let column = plan.header.get(plan.identity_index).cloned().unwrap_or_default();
    let reject = |reason: String| Rejection { line, column: column.clone(), reason };
    if rec.len() != plan.header.len() {
        return Err(Rejection {
            line,
            column: String::new(),
            reason: format!("has {} fields where the header has {}", rec.len(), plan.header.len()),
        });
    }
    let raw = cell(rec, plan.identity_index).map_err(reject)?;
    if raw.is_empty() {
        return Err(reject("is empty: every row needs the identity it is matched on".into()));
    }
    plan.identity_kind.parse(raw).map_err(|e| reject(message(e)))
}

/// What the row says, checked cell by cell against `fields` (by key); every cell that
/// does not fit is a rejection of its own, and any rejection rejects the row.
pub fn prepare(
    plan: &Plan,
    fields: &HashMap<String, ContactField>,
    rec: &ByteRecord,
    line: u64,
    identity: String,
) -> Result<Row, Vec<Rejection>> {
    let mut row = Row { line, identity: identity.clone(), ..Row::default() };
    match plan.identity_kind {
        super::IdentityKind::Email => row.email = Some(identity),
        super::IdentityKind::Phone => row.phone = Some(identity),
        super::IdentityKind::ExternalId => row.external_id = Some(identity),
    }
    let mut rejected = Vec::new();
    for m in &plan.columns {
        let parsed = cell(rec, m.index).and_then(|raw| {
            if raw.is_empty() {
                return Ok(());
            }
            let text = |r: crate::Result<String>| r.map(Some).map_err(message);
            match &m.target {
                Target::Email => row.email = text(identity::email("email", raw))?,
                Target::Phone => row.phone = text(identity::phone("phone", raw))?,
                Target::ExternalId => row.external_id = text(identity::external_id("externalId", raw))?,
                Target::FirstName => row.first_name = text(validate::name("firstName", raw, 100))?,
                Target::LastName => row.last_name = text(validate::name("lastName", raw, 100))?,
                Target::TimeZone => row.time_zone = text(identity::time_zone("timeZone", raw))?,
                Target::Tags => {
                    let items: Vec<String> = raw.split([',', ';']).map(str::to_owned).collect();
                    row.tags = Some(identity::tags("tags", &items).map_err(message)?);
                }
                Target::Field(key) => {
                    let def = fields.get(key).ok_or_else(|| format!("“{key}” is no longer a contact field"))?;
                    let v = crate::contacts::fields::value(def, &Value::String(raw.to_owned()))?;
                    row.attributes.insert(key.clone(), v);
                }
            }
            Ok(())
        });
        if let Err(reason) = parsed {
            rejected.push(Rejection { line, column: m.column.clone(), reason });
        }
    }
    if rejected.is_empty() { Ok(row) } else { Err(rejected) }
}

#[cfg(test)]
mod tests {
    use super::super::IdentityKind;
    use super::super::plan::{Mapped, Plan};
    use super::*;
    use crate::AttributeKind;

    fn plan() -> Plan {
        let m = |index: usize, column: &str, target: Target| Mapped { index, column: column.into(), target };
        Plan {
            delimiter: b',',
            header: vec!["email".into(), "name".into(), "visits".into(), "tags".into()],
            identity_index: 0,
            identity_kind: IdentityKind::Email,
            columns: vec![
                m(1, "name", Target::FirstName),
                m(2, "visits", Target::Field("visits".into())),
                m(3, "tags", Target::Tags),
            ],
            consents: vec![],
            data_offset: 0,
            data_line: 2,
            new_fields: vec![],
            open_end: false,
        }
    }

    fn fields() -> HashMap<String, ContactField> {
        let f = ContactField {
            tenant_id: uuid::Uuid::nil().into(),
            id: uuid::Uuid::nil().into(),
            key: "visits".into(),
            label: "Visits".into(),
            kind: AttributeKind::Number,
            options: serde_json::json!([]),
            currency: None,
            created_at: crate::now(),
        };
        HashMap::from([("visits".to_owned(), f)])
    }

    fn rec(cells: &[&[u8]]) -> ByteRecord {
        ByteRecord::from(cells.to_vec())
    }

    #[test]
    fn a_good_row_says_what_it_holds_and_empty_cells_say_nothing() {
        let p = plan();
        let r = rec(&[b" Ann@Example.com", b"Ann", b"1", b""]);
        let id = identity_of(&p, &r, 2).unwrap();
        assert_eq!(id, "ann@example.com");
        let row = prepare(&p, &fields(), &r, 2, id).unwrap();
        assert_eq!(row.email.as_deref(), Some("ann@example.com"));
        assert_eq!(row.first_name.as_deref(), Some("Ann"));
        assert_eq!(row.attributes["visits"], serde_json::json!(1));
        assert_eq!(row.tags, None);
    }

    #[test]
    fn every_bad_cell_is_named_with_its_reason() {
        let p = plan();
        let r = rec(&[b"ann@example.com", b"\xff\xfe", b"many", b"a"]);
        let id = identity_of(&p, &r, 7).unwrap();
        let errs = prepare(&p, &fields(), &r, 7, id).unwrap_err();
        let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, vec!["name", "visits"]);
        assert!(errs[0].reason.contains("UTF-8"), "{}", errs[0].reason);
        assert!(errs[1].reason.contains("number"), "{}", errs[1].reason);
        assert!(errs.iter().all(|e| e.line == 7));
    }

    #[test]
    fn ragged_rows_and_bad_identities_reject_the_row() {
        let p = plan();
        let short = identity_of(&p, &rec(&[b"ann@example.com", b"Ann"]), 3).unwrap_err();
        assert_eq!((short.column.as_str(), short.line), ("", 3));
        assert!(short.reason.contains("2 fields"), "{}", short.reason);
        let bad = identity_of(&p, &rec(&[b"not an address", b"", b"", b""]), 4).unwrap_err();
        assert_eq!(bad.column, "email");
        let empty = identity_of(&p, &rec(&[b"", b"", b"", b""]), 5).unwrap_err();
        assert!(empty.reason.contains("empty"));
    }
}

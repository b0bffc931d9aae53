//! An import's plan: the options a person gave, checked against the file's header
//! and the workspace's fields before anything is stored, and kept with the import so
//! every batch (and every retry) reads the file the same way.

use serde::{Deserialize, Serialize};

use crate::contacts::{Channel, ConsentStatus, identity};
use crate::{AttributeKind, ContactField, Error, Result};

/// Which identity finds the contact a row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IdentityKind {
    Email,
    Phone,
    ExternalId,
}

impl IdentityKind {
    /// The identity as stored (normalised), or why the text is not one.
    pub fn parse(self, raw: &str) -> Result<String> {
        match self {
            IdentityKind::Email => identity::email("email", raw),
            IdentityKind::Phone => identity::phone("phone", raw),
            IdentityKind::ExternalId => identity::external_id("externalId", raw),
        }
    }
}

/// One column of the file and the contact attribute it fills.
#[derive(Debug, Clone)]
pub struct ImportColumn {
    /// The column's name in the file's header.
    pub column: String,
    /// A contact field's key, or one of the contact's own fields (`email`, `phone`,
    /// `externalId`, `firstName`, `lastName`, `timeZone`, `tags`).
    pub attribute: String,
    /// The field's type (a field that does not exist yet is defined with it).
    pub kind: AttributeKind,
}

/// What a person asks of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The column holding the identity each row is matched on.
    pub identity_column: String,
    pub identity_kind: IdentityKind,
    pub columns: Vec<ImportColumn>,
    /// Consent recorded for every imported row, with the import as its source.
    pub consents: Vec<(Channel, ConsentStatus)>,
    /// One character; `,` when not given.
    pub delimiter: Option<String>,
}

/// Where a column's values go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to", content = "key")]
pub enum Target {
    Email,
    Phone,
    ExternalId,
    FirstName,
    LastName,
    TimeZone,
    Tags,
    Field(String),
}

impl Target {
    fn builtin(name: &str) -> Option<Target> {
        Some(match name {
            "email" => Target::Email,
            "phone" => Target::Phone,
            "externalId" | "external_id" => Target::ExternalId,
            "firstName" | "first_name" => Target::FirstName,
            "lastName" | "last_name" => Target::LastName,
            "timeZone" | "time_zone" => Target::TimeZone,
            "tags" => Target::Tags,
            _ => return None,
        })
    }

    fn identity(kind: IdentityKind) -> Target {
        match kind {
            IdentityKind::Email => Target::Email,
            IdentityKind::Phone => Target::Phone,
            IdentityKind::ExternalId => Target::ExternalId,
        }
    }
}

/// A mapped column: its place in each row, its header name, where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapped {
    pub index: usize,
    pub column: String,
    pub target: Target,
}

/// The checked plan, stored with the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub delimiter: u8,
    pub header: Vec<String>,
    pub identity_index: usize,
    pub identity_kind: IdentityKind,
    pub columns: Vec<Mapped>,
    pub consents: Vec<(Channel, ConsentStatus)>,
    /// Where the first row after the header starts: byte offset and line number.
    pub data_offset: u64,
    pub data_line: u64,
    /// Fields the import defines when it starts (key and type).
    #[serde(default)]
    pub new_fields: Vec<(String, AttributeKind)>,
    /// Whether the file's last line has no line break.
    #[serde(default)]
    pub open_end: bool,
}

/// A type as the API names it (`NUMBER`).
fn kind_name(k: AttributeKind) -> String {
    format!("{k:?}").to_uppercase()
}

/// The delimiter as a byte: one ASCII character other than a quote or a line break.
pub fn delimiter(raw: Option<&str>) -> Result<u8> {
    let d = match raw {
        None | Some("") => ",",
        Some("\\t") | Some("tab") => "\t",
        Some(d) => d,
    };
    match d.as_bytes() {
        [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => Ok(*b),
        _ => Err(Error::invalid("options.delimiter", "must be one character, such as , ; | or a tab")),
    }
}

/// The header and where the data starts, read from the start of the file (the BOM
/// already removed). `ended`: whether `head` is the whole file.
pub fn header(head: &[u8], delimiter: u8, ended: bool) -> Result<(Vec<String>, u64, u64)> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(head);
    let mut rec = csv::ByteRecord::new();
    let found = rdr.read_byte_record(&mut rec).map_err(|e| Error::invalid("file", format!("is not CSV ({e})")))?;
    let pos = rdr.position().clone();
    if !found || rec.iter().all(<[u8]>::is_empty) {
        return Err(Error::invalid("file", "is empty: it needs a header line naming its columns"));
    }
    if !ended && pos.byte() as usize >= head.len() {
        return Err(Error::invalid("file", "has a header line longer than 1 MiB"));
    }
    let names = rec
        .iter()
        .map(|f| std::str::from_utf8(f).map(|s| s.trim().to_owned()))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| Error::invalid("file", "is not UTF-8 text: save it as “CSV UTF-8”"))?;
    let consumed = head.get(..pos.byte() as usize).unwrap_or(head);
    let line = 1 + consumed.iter().filter(|b| **b == b'\n').count() as u64;
    Ok((names, pos.byte(), line))
}

/// The column named `name` (spaces and case aside), or an error naming `field` that
/// lists the columns the file has.
fn find(header: &[String], name: &str, field: &str, delimiter: u8) -> Result<usize> {
    let want = name.trim();
    if let Some(i) = header.iter().position(|h| h.eq_ignore_ascii_case(want)) {
        return Ok(i);
    }
    let mut msg = format!("names “{want}”, which is not a column of the file (its columns: {})", header.join(", "));
    if header.len() == 1
        && let Some(d) = [';', '\t', '|', ','].into_iter().find(|d| header[0].contains(*d) && *d as u8 != delimiter)
    {
        let shown = if d == '\t' { "a tab".to_owned() } else { format!("“{d}”") };
        msg.push_str(&format!("; the header looks separated by {shown}: set the delimiter"));
    }
    Err(Error::invalid(field, msg))
}

/// Checks `options` against the file's header and the workspace's fields.
pub fn plan(
    options: &ImportOptions,
    delimiter: u8,
    (header, data_offset, data_line): (Vec<String>, u64, u64),
    defs: &[ContactField],
    may_define: bool,
) -> Result<Plan> {
    let identity_index = find(&header, &options.identity_column, "options.identityColumn", delimiter)?;
    let identity_target = Target::identity(options.identity_kind);
    let mut columns: Vec<Mapped> = Vec::new();
    let mut new_fields = Vec::new();
    if options.columns.len() > 500 {
        return Err(Error::invalid("options.columns", "may map at most 500 columns"));
    }
    for (i, c) in options.columns.iter().enumerate() {
        let at = |f: &str| format!("options.columns[{i}].{f}");
        let index = find(&header, &c.column, &at("column"), delimiter)?;
        let name = c.attribute.trim();
        let target = match Target::builtin(name) {
            Some(t) => t,
            None => {
                let key = name.to_owned();
                match defs.iter().find(|d| d.key == key) {
                    Some(d) if d.kind != c.kind => {
                        return Err(Error::invalid(
                            &at("type"),
                            format!("“{key}” is a field of type {}, not {}", kind_name(d.kind), kind_name(c.kind)),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        crate::contacts::fields::check_key(&key, &at("attribute"))?;
                        if !may_define {
                            return Err(Error::invalid(
                                &at("attribute"),
                                format!("“{key}” is not a contact field of this workspace (your role cannot add one)"),
                            ));
                        }
                        if matches!(c.kind, AttributeKind::Enum | AttributeKind::Money) {
                            return Err(Error::invalid(
                                &at("type"),
                                format!("define “{key}” first: a field of this type needs its options or currency"),
                            ));
                        }
                        if !new_fields.iter().any(|(k, _)| k == &key) {
                            new_fields.push((key.clone(), c.kind));
                        }
                    }
                }
                Target::Field(key)
            }
        };
        if target == identity_target && index == identity_index {
            continue;
        }
        if columns.iter().any(|m| m.target == target) || target == identity_target {
            return Err(Error::invalid(&at("attribute"), format!("“{name}” is filled by another column already")));
        }
        columns.push(Mapped { index, column: header[index].clone(), target });
    }
    let mut consents: Vec<(Channel, ConsentStatus)> = Vec::new();
    for (i, (ch, st)) in options.consents.iter().enumerate() {
        if consents.iter().any(|(c, _)| c == ch) {
            return Err(Error::invalid(&format!("options.consents[{i}].channel"), "is given twice"));
        }
        consents.push((*ch, *st));
    }
    Ok(Plan {
        delimiter,
        header,
        identity_index,
        identity_kind: options.identity_kind,
        columns,
        consents,
        data_offset,
        data_line,
        new_fields,
        open_end: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(identity: &str, columns: &[(&str, &str, AttributeKind)]) -> ImportOptions {
        ImportOptions {
            identity_column: identity.into(),
            identity_kind: IdentityKind::Email,
            columns: columns
                .iter()
                .map(|(c, a, k)| ImportColumn { column: (*c).into(), attribute: (*a).into(), kind: *k })
                .collect(),
            consents: vec![],
            delimiter: None,
        }
    }

    #[test]
    fn the_header_is_read_with_quoted_newlines_and_its_end_is_known() {
        let (h, off, line) = header(b"Email,\"Full\nname\",Visits\na@x.io,Ann,3\n", b',', true).unwrap();
        assert_eq!(h, vec!["Email", "Full\nname", "Visits"]);
        assert_eq!((off, line), (25, 3));
        assert!(header(b"", b',', true).is_err());
        assert!(header(b"a,b", b',', false).is_err(), "a header without its end in the first chunk");
    }

    #[test]
    fn columns_are_checked_against_the_header_and_the_fields() {
        let head = || (vec!["Email".to_owned(), "Visits".to_owned(), "Name".to_owned()], 20, 2);
        let p = plan(&opts("email", &[("visits", "visits", AttributeKind::Number)]), b',', head(), &[], true).unwrap();
        assert_eq!(p.identity_index, 0);
        assert_eq!(p.columns[0].target, Target::Field("visits".into()));
        assert_eq!(p.new_fields, vec![("visits".to_owned(), AttributeKind::Number)]);
        let err = |o: ImportOptions, may: bool| match plan(&o, b',', head(), &[], may) {
            Err(Error::Invalid { field, .. }) => field,
            other => format!("not an error naming a field: {other:?}"),
        };
        assert_eq!(err(opts("mail", &[]), true), "options.identityColumn");
        assert_eq!(err(opts("email", &[("nope", "x", AttributeKind::String)]), true), "options.columns[0].column");
        assert_eq!(
            err(opts("email", &[("Visits", "Bad Key", AttributeKind::Number)]), true),
            "options.columns[0].attribute"
        );
        assert_eq!(
            err(opts("email", &[("Visits", "visits", AttributeKind::Number)]), false),
            "options.columns[0].attribute"
        );
        assert_eq!(err(opts("email", &[("Visits", "tier", AttributeKind::Enum)]), true), "options.columns[0].type");
        assert_eq!(
            err(
                opts(
                    "email",
                    &[("Name", "firstName", AttributeKind::String), ("Visits", "first_name", AttributeKind::String)]
                ),
                true
            ),
            "options.columns[1].attribute"
        );
    }

    #[test]
    fn a_header_in_another_delimiter_says_so() {
        let head = (vec!["email;name".to_owned()], 11, 2);
        let message = match plan(&opts("email", &[]), b',', head, &[], true) {
            Err(Error::Invalid { message, .. }) => message,
            other => format!("not an error naming a field: {other:?}"),
        };
        assert!(message.contains("“;”"), "{message}");
    }

    #[test]
    fn delimiters_are_one_safe_character() {
        assert_eq!(delimiter(None).unwrap(), b',');
        assert_eq!(delimiter(Some("\\t")).unwrap(), b'\t');
        assert_eq!(delimiter(Some(";")).unwrap(), b';');
        for bad in ["\"", ";;", "é", "\n"] {
            assert!(delimiter(Some(bad)).is_err(), "{bad}");
        }
    }
}

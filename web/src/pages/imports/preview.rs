//! What the import page shows before anything is sent: the file's columns and first
//! rows (read from its start in the browser), its likely delimiter, and a first guess
//! at where each column goes.

/// The delimiter the first line most likely uses.
pub fn guess_delimiter(text: &str) -> char {
    let first = text.lines().next().unwrap_or_default();
    [',', ';', '\t', '|'].into_iter().max_by_key(|d| first.matches(*d).count()).unwrap_or(',')
}

/// The header and up to `rows` rows of `text` (the start of a file: a last row cut off
/// by the end of the text is left out unless `whole`).
pub fn read(text: &str, delimiter: char, rows: usize, whole: bool) -> (Vec<String>, Vec<Vec<String>>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(u8::try_from(delimiter).unwrap_or(b','))
        .from_reader(text.as_bytes());
    let mut records: Vec<Vec<String>> = Vec::new();
    for rec in rdr.records().take(rows + 2) {
        let Ok(rec) = rec else { break };
        records.push(rec.iter().map(|c| c.trim().to_owned()).collect());
    }
    if !whole && records.len() > rows + 1 {
        records.truncate(rows + 1);
    } else if !whole && records.len() > 1 {
        records.pop();
    }
    let mut records = records.into_iter();
    let header = records.next().unwrap_or_default();
    (header, records.take(rows).collect())
}

/// Where a column goes: one of the contact's own fields, a field of the workspace, a
/// new field of a type, or nowhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Skip,
    Own(&'static str),
    Field(String),
    New(&'static str),
}

/// The contact's own fields a column can fill, with their labels.
pub const OWN: [(&str, &str); 7] = [
    ("email", "Email"),
    ("phone", "Phone"),
    ("externalId", "External ID"),
    ("firstName", "First name"),
    ("lastName", "Last name"),
    ("timeZone", "Time zone"),
    ("tags", "Tags"),
];

/// Types a new field can have from an import.
pub const NEW_TYPES: [(&str, &str); 5] =
    [("STRING", "text"), ("NUMBER", "number"), ("DATE", "date"), ("BOOLEAN", "yes / no"), ("LIST", "list")];

impl Target {
    /// The value a `<select>` carries for it.
    pub fn value(&self) -> String {
        match self {
            Target::Skip => String::new(),
            Target::Own(k) => format!("own:{k}"),
            Target::Field(k) => format!("field:{k}"),
            Target::New(t) => format!("new:{t}"),
        }
    }

    /// The target a `<select>` value names.
    pub fn parse(v: &str) -> Target {
        match v.split_once(':') {
            Some(("own", k)) => OWN.iter().find(|(o, _)| *o == k).map_or(Target::Skip, |(o, _)| Target::Own(o)),
            Some(("field", k)) => Target::Field(k.to_owned()),
            Some(("new", t)) => NEW_TYPES.iter().find(|(n, _)| *n == t).map_or(Target::Skip, |(n, _)| Target::New(n)),
            _ => Target::Skip,
        }
    }
}

/// A field key made from a column's name: lower case, `_` between words.
pub fn key_of(column: &str) -> String {
    let mut key = String::new();
    for c in column.trim().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_').to_owned();
    if key.starts_with(|c: char| c.is_ascii_lowercase()) { key } else { format!("f_{key}") }
}

/// A first guess for a column: an own field by its usual names, a workspace field by
/// its key or label, else nothing.
pub fn guess(column: &str, fields: &[(String, String)]) -> Target {
    let norm: String = column.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
    let own = match norm.as_str() {
        "email" | "emailaddress" | "mail" => Some("email"),
        "phone" | "mobile" | "phonenumber" | "tel" => Some("phone"),
        "externalid" | "id" | "customerid" | "crmid" => Some("externalId"),
        "firstname" | "givenname" | "first" => Some("firstName"),
        "lastname" | "surname" | "familyname" | "last" => Some("lastName"),
        "timezone" | "tz" => Some("timeZone"),
        "tags" | "labels" => Some("tags"),
        _ => None,
    };
    if let Some(o) = own {
        return Target::Own(o);
    }
    let key = key_of(column);
    fields
        .iter()
        .find(|(k, label)| *k == key || label.eq_ignore_ascii_case(column.trim()))
        .map_or(Target::Skip, |(k, _)| Target::Field(k.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_of_a_file_previews_its_columns_and_whole_rows() {
        let text = "\u{feff}Email;First name;Note\nann@example.com;Ann;\"two\nlines\"\nbob@example.com;Bo";
        assert_eq!(guess_delimiter(text), ';');
        let (header, rows) = read(text, ';', 5, false);
        assert_eq!(header, ["Email", "First name", "Note"]);
        assert_eq!(rows, [vec!["ann@example.com", "Ann", "two\nlines"]], "the cut-off last row is left out");
        let (_, all) = read(text, ';', 5, true);
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn columns_are_guessed_and_keys_made_from_their_names() {
        let fields = vec![("tier".to_owned(), "Loyalty tier".to_owned())];
        assert_eq!(guess("E-mail", &fields), Target::Own("email"));
        assert_eq!(guess("Loyalty Tier", &fields), Target::Field("tier".into()));
        assert_eq!(guess("Visits", &fields), Target::Skip);
        assert_eq!(key_of("Last visit (UTC)"), "last_visit_utc");
        assert_eq!(key_of("2024 spend"), "f_2024_spend");
        for t in [Target::Skip, Target::Own("tags"), Target::Field("tier".into()), Target::New("NUMBER")] {
            assert_eq!(Target::parse(&t.value()), t);
        }
    }
}

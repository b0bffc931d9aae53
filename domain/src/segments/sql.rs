//! A checked [`Rule`] compiled into one SQL condition on `contacts` (sea-query), for
//! SQLite and PostgreSQL alike.
//!
//! Only the JSON accessors differ per database and are written out
//! (`Expr::cust`): PostgreSQL's `jsonb` operators, SQLite's `json_extract`,
//! `json_type` and `json_each`. What they inline is a custom field key
//! (`[a-z][a-z0-9_]*`), an event property name (`[A-Za-z_][A-Za-z0-9_]*`) or a channel
//! name, all checked when the rule was parsed; every value is a bound parameter.
//!
//! Every test is two-valued: a contact without the value fails it (never `NULL`), so
//! `not` of a test holds for them, as a marketer reading the rule expects.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::DbBackend;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Func, Query, SelectStatement};

use super::rule::{AttributeRule, Cmp, EventRule, Field, OwnText, PropertyTest, Rule, Scalar, Test};
use crate::{Error, Result, SegmentId, WorkspaceId};
use entities::{contact, contact_event, segment_member};

/// A segment another rule refers to, read and checked.
#[derive(Debug, Clone)]
pub(crate) enum Resolved {
    /// Its rule, inlined where it is named.
    Dynamic(Rule),
    /// A static list: its members.
    Static,
}

/// Compiles rules for one tenant on one database at one moment.
pub(crate) struct Compiler<'a> {
    pub backend: DbBackend,
    pub tenant: WorkspaceId,
    /// What "within P30D" counts back from.
    pub now: DateTime<Utc>,
    /// The segments the rule refers to, directly or through others.
    pub segments: &'a HashMap<SegmentId, Resolved>,
}

/// How a JSON value is read for comparing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum As {
    Text,
    Number,
    Bool,
}

/// A JSON document column and a path into it (keys checked to be safe to inline).
struct JsonPath<'p> {
    column: &'p str,
    keys: Vec<&'p str>,
}

impl JsonPath<'_> {
    /// The JSON value at the path (PostgreSQL).
    fn pg_json(&self) -> String {
        let mut s = self.column.to_owned();
        for k in &self.keys {
            s.push_str(&format!("->'{k}'"));
        }
        s
    }
    /// The path as SQLite writes it (`$.a.b`).
    fn sqlite_path(&self) -> String {
        let mut s = "$".to_owned();
        for k in &self.keys {
            s.push('.');
            s.push_str(k);
        }
        s
    }

    /// The value at the path read as `how`, `NULL` when it is missing or of another type.
    fn read(&self, backend: DbBackend, how: As) -> Expr {
        match backend {
            DbBackend::Postgres => {
                let j = self.pg_json();
                Expr::cust(match how {
                    As::Text => format!("(CASE WHEN jsonb_typeof({j}) = 'string' THEN ({j} #>> '{{}}') END)"),
                    // A jsonb number or boolean casts straight to its SQL type.
                    As::Number => format!("(CASE WHEN jsonb_typeof({j}) = 'number' THEN ({j})::numeric END)"),
                    As::Bool => format!("(CASE WHEN jsonb_typeof({j}) = 'boolean' THEN ({j})::boolean END)"),
                })
            }
            _ => {
                let (c, p) = (self.column, self.sqlite_path());
                Expr::cust(match how {
                    As::Text => format!("(CASE WHEN json_type({c}, '{p}') = 'text' THEN json_extract({c}, '{p}') END)"),
                    As::Number => format!(
                        "(CASE WHEN json_type({c}, '{p}') IN ('integer', 'real') THEN json_extract({c}, '{p}') END)"
                    ),
                    As::Bool => format!("(CASE json_type({c}, '{p}') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"),
                })
            }
        }
    }

    /// On PostgreSQL, `test` of the value read as `how` as one predicate that reads the
    /// document once, when there is such a form: a number compared through a JSON path
    /// predicate (`@@`, strict: a missing or non-number value is no match), a text
    /// equal or not equal to a JSON string. `None`: use the general form.
    fn pg_match(&self, how: As, test: &Test) -> Option<Expr> {
        let num = |s: &Scalar| match s {
            Scalar::Int(i) => Some(i.to_string()),
            Scalar::Float(f) if f.is_finite() => Some(format!("{f:?}")),
            _ => None,
        };
        // Keys are checked `[a-z][a-z0-9_]*`, quoted so none reads as a keyword.
        let at = self.keys.iter().map(|k| format!(".\"{k}\"")).collect::<String>();
        let predicate = |text: String| {
            Expr::cust_with_values(format!("COALESCE({} @@ CAST($1 AS jsonpath), FALSE)", self.column), [text])
        };
        match (how, test) {
            (As::Number, Test::Cmp(cmp, v)) => {
                let op = match cmp {
                    Cmp::Eq => "==",
                    Cmp::Ne => "!=",
                    Cmp::Lt => "<",
                    Cmp::Lte => "<=",
                    Cmp::Gt => ">",
                    Cmp::Gte => ">=",
                };
                Some(predicate(format!("strict ${at} {op} {}", num(v)?)))
            }
            (As::Number, Test::In(vs)) if !vs.is_empty() => {
                let alts: Option<Vec<String>> = vs.iter().map(|v| num(v).map(|n| format!("${at} == {n}"))).collect();
                Some(predicate(format!("strict {}", alts?.join(" || "))))
            }
            (As::Text, Test::Cmp(cmp @ (Cmp::Eq | Cmp::Ne), Scalar::Text(t))) => {
                let op = if *cmp == Cmp::Eq { "=" } else { "<>" };
                let sql = format!("COALESCE({} {op} to_jsonb(CAST($1 AS text)), FALSE)", self.pg_json());
                Some(Expr::cust_with_values(sql, [t.clone()]))
            }
            _ => None,
        }
    }

    /// Whether the path holds a value.
    fn present(&self, backend: DbBackend) -> Expr {
        match backend {
            DbBackend::Postgres => Expr::cust(format!("({} IS NOT NULL)", self.pg_json())),
            _ => Expr::cust(format!("(json_type({}, '{}') IS NOT NULL)", self.column, self.sqlite_path())),
        }
    }

    /// Whether the path holds a list with `item` in it (compared without case).
    fn has_item(&self, backend: DbBackend, item: &str) -> Expr {
        match backend {
            DbBackend::Postgres => {
                let j = self.pg_json();
                let sql = format!(
                    "EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof({j}) = 'array' \
                     THEN {j} END) AS item(v) WHERE lower(item.v) = lower($1))"
                );
                Expr::cust_with_values(sql, [item.to_owned()])
            }
            _ => {
                let sql = format!(
                    "EXISTS (SELECT 1 FROM json_each({}, '{}') AS item WHERE item.type = 'text' \
                     AND lower(item.value) = lower(?))",
                    self.column,
                    self.sqlite_path()
                );
                Expr::cust_with_values(sql, [item.to_owned()])
            }
        }
    }
}

/// The alias of `contact_events` in an event condition's sub-select.
const EVENTS: &str = "ev";

fn contacts_col(c: contact::Column) -> Expr {
    Expr::col((contact::Entity, c))
}

/// `value` with `%`, `_` and the escape character escaped, inside `%…%`.
fn like_pattern(value: &str) -> String {
    let mut out = String::from("%");
    for c in value.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn value_of(s: &Scalar) -> sea_orm::Value {
    match s {
        Scalar::Text(t) => t.clone().into(),
        Scalar::Int(i) => (*i).into(),
        Scalar::Float(f) => (*f).into(),
        Scalar::Bool(b) => (*b).into(),
        Scalar::Time(t) => (*t).into(),
    }
}

/// `acc` tested by `test`; false (never `NULL`) when `acc` is `NULL`. The test is
/// wrapped in `COALESCE(…, FALSE)` rather than guarded by `acc IS NOT NULL`, so the
/// value is read once a row.
fn apply(backend: DbBackend, acc: Expr, test: &Test, present: Expr) -> Expr {
    let guarded = |e: Expr| Expr::from(Func::coalesce([e, Expr::cust("FALSE")]));
    match test {
        Test::Exists(true) => present,
        Test::Exists(false) => present.not(),
        Test::Cmp(cmp, v) => {
            let v = Expr::val(value_of(v));
            guarded(match cmp {
                Cmp::Eq => acc.clone().eq(v),
                Cmp::Ne => acc.clone().ne(v),
                Cmp::Lt => acc.clone().lt(v),
                Cmp::Lte => acc.clone().lte(v),
                Cmp::Gt => acc.clone().gt(v),
                Cmp::Gte => acc.clone().gte(v),
            })
        }
        Test::In(vs) => guarded(acc.clone().is_in(vs.iter().map(value_of))),
        Test::Contains(s) => {
            let sql = match backend {
                DbBackend::Postgres => "lower($1) LIKE lower($2) ESCAPE '!'",
                _ => "lower(?) LIKE lower(?) ESCAPE '!'",
            };
            guarded(Expr::cust_with_exprs(sql, [acc.clone(), Expr::val(like_pattern(s))]))
        }
    }
}

impl Compiler<'_> {
    /// The rule as one condition on a row of `contacts`.
    pub fn condition(&self, rule: &Rule) -> Result<Expr> {
        Ok(match rule {
            Rule::All(rs) => {
                rs.iter().try_fold(Condition::all(), |c, r| Ok::<_, Error>(c.add(self.condition(r)?)))?.into()
            }
            Rule::Any(rs) => {
                rs.iter().try_fold(Condition::any(), |c, r| Ok::<_, Error>(c.add(self.condition(r)?)))?.into()
            }
            Rule::Not(r) => Condition::all().add(self.condition(r)?).not().into(),
            Rule::Attribute(a) => self.attribute(a),
            Rule::Event(e) => self.event(e),
            Rule::Consent(ch) => {
                let path = JsonPath { column: "\"contacts\".\"consents\"", keys: vec![ch.as_str(), "status"] };
                let granted = Test::Cmp(Cmp::Eq, Scalar::Text("GRANTED".into()));
                match (self.backend, path.pg_match(As::Text, &granted)) {
                    (DbBackend::Postgres, Some(m)) => m,
                    _ => apply(self.backend, path.read(self.backend, As::Text), &granted, path.present(self.backend)),
                }
            }
            Rule::InSegment(s) => match self.segments.get(&s.id) {
                Some(Resolved::Dynamic(r)) => self.condition(r)?,
                Some(Resolved::Static) => contacts_col(contact::Column::Id).in_subquery(self.static_members(s.id)),
                None => return Err(Error::internal(format!("segment {} was not read before compiling", s.id))),
            },
        })
    }

    /// The live contacts of the tenant the rule matches, as one condition.
    pub fn matching(&self, rule: &Rule) -> Result<Expr> {
        Ok(self.live().and(self.condition(rule)?))
    }

    /// The IDs of the live contacts of the tenant the rule matches: one statement.
    #[cfg(test)]
    pub fn members(&self, rule: &Rule) -> Result<SelectStatement> {
        Ok(Query::select()
            .column((contact::Entity, contact::Column::Id))
            .from(contact::Entity)
            .and_where(self.matching(rule)?)
            .to_owned())
    }

    /// A contact of the tenant that was not merged away.
    pub fn live(&self) -> Expr {
        contacts_col(contact::Column::TenantId).eq(self.tenant).and(contacts_col(contact::Column::MergedInto).is_null())
    }

    /// The contact IDs on the static list `id`.
    pub fn static_members(&self, id: SegmentId) -> SelectStatement {
        Query::select()
            .column(segment_member::Column::ContactId)
            .from(segment_member::Entity)
            .and_where(Expr::col(segment_member::Column::TenantId).eq(self.tenant))
            .and_where(Expr::col(segment_member::Column::SegmentId).eq(id))
            .to_owned()
    }

    fn attribute(&self, a: &AttributeRule) -> Expr {
        let b = self.backend;
        let own = |c: contact::Column| (contacts_col(c), contacts_col(c).is_not_null());
        let (acc, present) = match &a.field {
            Field::Own(o) => own(match o {
                OwnText::Email => contact::Column::Email,
                OwnText::Phone => contact::Column::Phone,
                OwnText::ExternalId => contact::Column::ExternalId,
                OwnText::FirstName => contact::Column::FirstName,
                OwnText::LastName => contact::Column::LastName,
                OwnText::TimeZone => contact::Column::TimeZone,
            }),
            Field::CreatedAt => own(contact::Column::CreatedAt),
            Field::Tags => {
                let path = JsonPath { column: "\"contacts\".\"tags\"", keys: vec![] };
                return self.list(&path, &a.test);
            }
            Field::Custom { key, kind } => {
                use crate::AttributeKind as K;
                let column = "\"contacts\".\"attributes\"";
                let path = JsonPath { column, keys: vec![key.as_str()] };
                let (value, how) = match kind {
                    K::List => return self.list(&path, &a.test),
                    K::Money => (JsonPath { column, keys: vec![key.as_str(), "amount"] }, As::Number),
                    K::Number => (JsonPath { column, keys: vec![key.as_str()] }, As::Number),
                    K::Boolean => (JsonPath { column, keys: vec![key.as_str()] }, As::Bool),
                    K::String | K::Enum | K::Date => (JsonPath { column, keys: vec![key.as_str()] }, As::Text),
                };
                if b == DbBackend::Postgres
                    && let Some(m) = value.pg_match(how, &a.test)
                {
                    return m;
                }
                (value.read(b, how), path.present(b))
            }
        };
        apply(b, acc, &a.test, present)
    }

    /// A test of a list of texts (tags, `LIST` fields): `contains` or `exists`.
    fn list(&self, path: &JsonPath<'_>, test: &Test) -> Expr {
        match test {
            Test::Contains(item) => path.has_item(self.backend, item),
            Test::Exists(want) => {
                let non_empty = match self.backend {
                    DbBackend::Postgres => Expr::cust(format!(
                        "(jsonb_typeof({0}) = 'array' AND jsonb_array_length({0}) > 0)",
                        path.pg_json()
                    )),
                    _ => Expr::cust(format!(
                        "(COALESCE(json_array_length({}, '{}'), 0) > 0)",
                        path.column,
                        path.sqlite_path()
                    )),
                };
                if *want { non_empty } else { non_empty.not() }
            }
            // The parser allows nothing else on lists.
            _ => Expr::cust("1 = 0"),
        }
    }

    /// The contact's events of the rule's type, in its window, meeting its conditions,
    /// counted and compared. A count that admits zero matches contacts with no events.
    fn event(&self, e: &EventRule) -> Expr {
        let ev = Alias::new(EVENTS);
        let contact_id = Expr::col((ev.clone(), contact_event::Column::ContactId));
        // The tenant's events of the rule's type, in its window, meeting its conditions.
        let mut events = Query::select();
        events
            .from_as(contact_event::Entity, ev.clone())
            .and_where(Expr::col((ev.clone(), contact_event::Column::TenantId)).eq(self.tenant))
            .and_where(Expr::col((ev.clone(), contact_event::Column::Kind)).eq(e.kind.clone()));
        if let Some(within) = e.within {
            events.and_where(Expr::col((ev.clone(), contact_event::Column::OccurredAt)).gte(within.before(self.now)));
        }
        for c in &e.conditions {
            events.and_where(self.property(c));
        }
        let (cmp, n) = e.count;
        let exists = || {
            let mine = contact_id.clone().equals((contact::Entity, contact::Column::Id));
            Expr::exists(events.clone().and_where(mine).expr(Expr::cust("1")).to_owned())
        };
        match (cmp, n) {
            (Cmp::Gte, 1) | (Cmp::Gt, 0) | (Cmp::Ne, 0) => exists(),
            (Cmp::Eq, 0) | (Cmp::Lte, 0) | (Cmp::Lt, 1) => exists().not(),
            _ => {
                // Counted once for all contacts (grouped), not once a contact: the
                // contacts whose count passes, or, when a count of zero passes (contacts
                // without such events), all but those whose count fails.
                let mut g = events.clone();
                g.column((ev.clone(), contact_event::Column::ContactId))
                    .and_where(contact_id.is_not_null())
                    .group_by_col((ev.clone(), contact_event::Column::ContactId));
                let counted = Expr::cust("COUNT(*)");
                let (passes, zero_passes) = match cmp {
                    Cmp::Eq => (counted.eq(n), n == 0),
                    Cmp::Ne => (counted.ne(n), n != 0),
                    Cmp::Lt => (counted.lt(n), 0 < n),
                    Cmp::Lte => (counted.lte(n), 0 <= n),
                    Cmp::Gt => (counted.gt(n), 0 > n),
                    Cmp::Gte => (counted.gte(n), 0 >= n),
                };
                if zero_passes {
                    g.and_having(passes.not());
                    contacts_col(contact::Column::Id).not_in_subquery(g)
                } else {
                    g.and_having(passes);
                    contacts_col(contact::Column::Id).in_subquery(g)
                }
            }
        }
    }

    /// A condition on one property of an event; the value's JSON type decides how the
    /// property is read (a text property never equals a number).
    fn property(&self, p: &PropertyTest) -> Expr {
        let path = JsonPath { column: "\"ev\".\"properties\"", keys: vec![p.name.as_str()] };
        let how = match &p.test {
            Test::Cmp(_, s) => as_for(s),
            Test::In(vs) => vs.first().map(as_for).unwrap_or(As::Text),
            Test::Contains(_) | Test::Exists(_) => As::Text,
        };
        apply(self.backend, path.read(self.backend, how), &p.test, path.present(self.backend))
    }
}

fn as_for(s: &Scalar) -> As {
    match s {
        Scalar::Int(_) | Scalar::Float(_) => As::Number,
        Scalar::Bool(_) => As::Bool,
        Scalar::Text(_) | Scalar::Time(_) => As::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segments::rule::parse;
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
    use serde_json::json;

    fn sql(backend: DbBackend, rule: serde_json::Value) -> (String, usize) {
        let segments = HashMap::new();
        let c = Compiler { backend, tenant: uuid::Uuid::nil().into(), now: crate::now(), segments: &segments };
        let r = parse(&rule, &[]).unwrap();
        let q = c.members(&r).unwrap();
        let (s, v) = match backend {
            DbBackend::Postgres => q.build(PostgresQueryBuilder),
            _ => q.build(SqliteQueryBuilder),
        };
        (s, v.0.len())
    }

    #[test]
    fn values_are_bound_and_names_inlined_only_after_checks() {
        let rule = json!({"all": [
            {"attribute": "email", "op": "contains", "value": "x' OR 1=1 --"},
            {"event": "purchase", "within": "P30D", "count": {"op": "gte", "value": 2},
             "where": [{"property": "sku", "op": "eq", "value": "A1"}]},
            {"consent": "EMAIL"},
            {"attribute": "tags", "op": "contains", "value": "vip"},
        ]});
        for b in [DbBackend::Postgres, DbBackend::Sqlite] {
            let (s, n) = sql(b, rule.clone());
            assert!(!s.contains("OR 1=1"), "{s}");
            assert!(s.contains("COUNT(*)") && s.contains("'$.sku'") | s.contains("->'sku'"), "{s}");
            // tenant, email pattern, tenant, kind, since, sku, 2, GRANTED, vip
            assert_eq!(n, 9, "{s}");
        }
    }

    #[test]
    fn a_count_that_admits_zero_is_a_not_exists() {
        let (s, _) = sql(DbBackend::Sqlite, json!({"event": "x", "count": {"op": "eq", "value": 0}}));
        assert!(s.contains("NOT EXISTS"), "{s}");
    }
}

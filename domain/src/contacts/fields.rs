//! Contact fields: the custom attributes a workspace defines for its contacts, each
//! with a type that decides which values it holds, and the parsing of those values.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, QueryFilter, QueryOrder, Statement};
use serde_json::{Map, Value, json};

use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::{
    AttributeKind, Audited, ContactField, ContactFieldId, Error, Order, Parley, Permission, Result, TenantCtx,
    TenantTx, new_id, now, validate,
};
use entities::attribute_definition as def;

/// Names a custom field may not take: the contact's own fields.
const RESERVED: [&str; 12] = [
    "id",
    "email",
    "phone",
    "external_id",
    "first_name",
    "last_name",
    "name",
    "time_zone",
    "tags",
    "consent",
    "created_at",
    "updated_at",
];

/// Longest text value.
const MAX_TEXT: usize = 2_000;
/// Most items in a list value, and longest item.
const MAX_LIST: usize = 100;
const MAX_ITEM: usize = 200;

/// A new contact field.
#[derive(Debug, Clone)]
pub struct NewField {
    /// The key values are stored under: lower case, digits and `_`, starting with a letter.
    pub key: String,
    /// How people read it.
    pub label: String,
    /// Its type.
    pub kind: AttributeKind,
    /// The allowed values of an `ENUM` field.
    pub options: Vec<String>,
    /// The currency of a `MONEY` field (ISO 4217).
    pub currency: Option<String>,
}

impl Audited for ContactField {
    fn audit_json(&self) -> Value {
        json!({ "key": self.key, "label": self.label, "kind": self.kind, "options": self.options,
                "currency": self.currency })
    }
}

/// The options of an `ENUM` field as stored.
pub fn options_of(d: &ContactField) -> Vec<String> {
    serde_json::from_value(d.options.clone()).unwrap_or_default()
}

fn key(raw: &str) -> Result<String> {
    let k = raw.trim();
    let ok = k.len() <= 63
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(Error::invalid("key", "use 1 to 63 lower-case letters, digits and _, starting with a letter"));
    }
    if RESERVED.contains(&k) {
        return Err(Error::invalid("key", "is one of a contact's own fields"));
    }
    Ok(k.to_owned())
}

/// Checks a field key given as `field` (an import's column mapping, say).
pub(crate) fn check_key(raw: &str, field: &str) -> Result<String> {
    key(raw).map_err(|e| match e {
        Error::Invalid { message, .. } => Error::invalid(field, message),
        e => e,
    })
}

/// Defines field `key` (checked) of type `kind` (not `ENUM`: no options) in the
/// transaction, labelled after its key.
pub(crate) async fn define(
    tx: &TenantTx<'_>,
    key: &str,
    kind: AttributeKind,
    currency: Option<String>,
) -> Result<ContactField> {
    define_with(tx, key, kind, currency, Vec::new()).await
}

/// Defines field `key` (checked) of type `kind`, with `options` for an `ENUM`.
pub(crate) async fn define_with(
    tx: &TenantTx<'_>,
    key: &str,
    kind: AttributeKind,
    currency: Option<String>,
    enum_options: Vec<String>,
) -> Result<ContactField> {
    tx.require(Permission::ManageContactFields)?;
    let mut label = key.replace('_', " ");
    if let Some(first) = label.get(..1) {
        label = format!("{}{}", first.to_uppercase(), label.get(1..).unwrap_or_default());
    }
    let row = def::ActiveModel {
        id: Set(new_id()),
        key: Set(key.to_owned()),
        label: Set(label),
        kind: Set(kind),
        options: Set(json!(options(kind, &enum_options)?)),
        currency: Set(currency),
        created_at: Set(now()),
        ..Default::default()
    };
    tx.create("contact_field.created", row).await
}

fn options(kind: AttributeKind, raw: &[String]) -> Result<Vec<String>> {
    if kind != AttributeKind::Enum {
        return match raw.is_empty() {
            true => Ok(Vec::new()),
            false => Err(Error::invalid("options", "only a field of type ENUM has options")),
        };
    }
    let mut out: Vec<String> = Vec::new();
    for o in raw {
        let o = validate::name("options", o, 100)?;
        if out.iter().any(|x| x.eq_ignore_ascii_case(&o)) {
            return Err(Error::invalid("options", format!("“{o}” is listed twice")));
        }
        out.push(o);
    }
    if out.is_empty() || out.len() > 200 {
        return Err(Error::invalid("options", "an ENUM field needs 1 to 200 options"));
    }
    Ok(out)
}

fn currency(kind: AttributeKind, raw: Option<&str>) -> Result<Option<String>> {
    match (kind, raw.map(str::trim).filter(|c| !c.is_empty())) {
        (AttributeKind::Money, Some(c)) => crate::money::currency("currency", c).map(Some),
        (AttributeKind::Money, None) => Err(Error::invalid("currency", "a MONEY field needs its currency")),
        (_, Some(_)) => Err(Error::invalid("currency", "only a field of type MONEY has a currency")),
        (_, None) => Ok(None),
    }
}

/// Defines a new contact field.
pub async fn create(ctx: &TenantCtx, p: &Parley, new: NewField) -> Result<ContactField> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageContactFields)?;
    let key = key(&new.key)?;
    let row = def::ActiveModel {
        id: Set(new_id()),
        label: Set(validate::name("label", &new.label, 100)?),
        options: Set(json!(options(new.kind, &new.options)?)),
        currency: Set(currency(new.kind, new.currency.as_deref())?),
        kind: Set(new.kind),
        created_at: Set(now()),
        key: Set(key.clone()),
        ..Default::default()
    };
    if def::Entity::scoped(ctx).filter(def::Column::Key.eq(&key)).one(&tx).await?.is_some() {
        return Err(Error::invalid("key", "is already a field of this workspace"));
    }
    let d = tx.create("contact_field.created", row).await?;
    tx.commit().await?;
    p.changed();
    Ok(d)
}

/// Renames a field or changes an `ENUM` field's options; its key and type stay, so
/// the values contacts hold keep their meaning.
pub async fn update(
    ctx: &TenantCtx,
    p: &Parley,
    id: ContactFieldId,
    label: Option<String>,
    new_options: Option<Vec<String>>,
) -> Result<ContactField> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageContactFields)?;
    let d = tx
        .update::<def::Entity>("contact_field.updated", id, |d| {
            if let Some(l) = label {
                d.label = Set(validate::name("label", &l, 100)?);
            }
            if let Some(o) = new_options {
                let kind = *d.kind.as_ref();
                d.options = Set(json!(options(kind, &o)?));
            }
            Ok(())
        })
        .await?;
    tx.commit().await?;
    p.changed();
    Ok(d)
}

/// Removes a field and the values every contact holds for it.
pub async fn delete(ctx: &TenantCtx, p: &Parley, id: ContactFieldId) -> Result<ContactField> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageContactFields)?;
    let d = tx.find::<def::Entity>(id).await?;
    remove_values(&tx, &d.key).await?;
    let d = tx.delete::<def::Entity>("contact_field.deleted", d).await?;
    tx.commit().await?;
    p.changed();
    Ok(d)
}

/// Drops `key` from every contact of the transaction's tenant. Keys are checked to be
/// `[a-z][a-z0-9_]*`, so the JSON path needs no quoting.
pub(crate) async fn remove_values(tx: &TenantTx<'_>, key: &str) -> Result<()> {
    let backend = tx.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE contacts SET attributes = attributes - $2 WHERE tenant_id = $1 AND attributes ? $2"
        }
        _ => {
            "UPDATE contacts SET attributes = json_remove(attributes, '$.' || ?2) \
             WHERE tenant_id = ?1 AND json_type(attributes, '$.' || ?2) IS NOT NULL"
        }
    };
    let values: [sea_orm::Value; 2] = [tx.tenant_id().into(), key.into()];
    tx.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(())
}

/// The workspace's contact fields, oldest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<ContactField>> {
    p.page::<def::Entity>(ctx, Permission::ReadContacts, Order::Oldest, args).await
}

/// One contact field.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: ContactFieldId) -> Result<ContactField> {
    p.find::<def::Entity>(ctx, Permission::ReadContacts, id).await
}

/// Every field of the transaction's tenant (a workspace defines tens, not thousands).
pub(crate) async fn all(tx: &TenantTx<'_>) -> Result<Vec<ContactField>> {
    Ok(def::Entity::scoped(tx.ctx()).order_by_asc(def::Column::Key).all(tx).await?)
}

/// Checks `changes` (key → value; `null` removes the value) against the workspace's
/// fields and applies them to `attributes`. A key no field has yet is defined on first
/// use, its type read from the value (text, number, true/false, a list, an amount with
/// its currency), when the actor may define fields. Errors name `attributes.<key>`.
pub(crate) async fn apply(
    tx: &TenantTx<'_>,
    defs: &mut Vec<ContactField>,
    attributes: &mut Map<String, Value>,
    changes: &Map<String, Value>,
) -> Result<()> {
    for (k, v) in changes {
        let field = format!("attributes.{k}");
        if v.is_null() {
            attributes.remove(k);
            continue;
        }
        let d = match defs.iter().find(|d| &d.key == k) {
            Some(d) => d.clone(),
            None => {
                let d = define_on_first_use(tx, k, v).await?;
                defs.push(d.clone());
                d
            }
        };
        attributes.insert(k.clone(), value(&d, v).map_err(|m| Error::invalid(&field, m))?);
    }
    Ok(())
}

/// Defines the field `k` for a value it is first given.
async fn define_on_first_use(tx: &TenantTx<'_>, k: &str, v: &Value) -> Result<ContactField> {
    let field = format!("attributes.{k}");
    if tx.require(Permission::ManageContactFields).is_err() {
        return Err(Error::invalid(&field, "is not a contact field of this workspace (your role cannot add one)"));
    }
    let key = key(k).map_err(|e| match e {
        Error::Invalid { message, .. } => Error::invalid(&field, message),
        e => e,
    })?;
    let (kind, currency) = match v {
        Value::Bool(_) => (AttributeKind::Boolean, None),
        Value::Number(_) => (AttributeKind::Number, None),
        Value::Array(_) => (AttributeKind::List, None),
        Value::Object(o) => match o.get("currency").and_then(Value::as_str) {
            Some(c) => (AttributeKind::Money, Some(crate::money::currency(&field, c)?)),
            None => return Err(Error::invalid(&field, "an object value must be an amount with its currency")),
        },
        _ => (AttributeKind::String, None),
    };
    define(tx, &key, kind, currency).await
}

/// The stored form of `v` for field `d`, or why it does not fit. Text is accepted for
/// every type (`"42"`, `"yes"`, `"12.50 EUR"`…), as imports and forms send it.
pub fn value(d: &ContactField, v: &Value) -> std::result::Result<Value, String> {
    use AttributeKind as K;
    let text = v.as_str().map(str::trim);
    match d.kind {
        K::String => {
            let s = text.ok_or("must be text")?;
            match s.chars().count() {
                0 => Err("must not be empty (send null to remove it)".into()),
                n if n > MAX_TEXT => Err(format!("is longer than {MAX_TEXT} characters")),
                _ => Ok(json!(s)),
            }
        }
        K::Number => {
            if v.is_number() {
                return Ok(v.clone());
            }
            let s = text.ok_or("must be a number")?;
            if let Ok(i) = s.parse::<i64>() {
                return Ok(json!(i));
            }
            let n = s.parse::<f64>().ok().filter(|n| n.is_finite()).ok_or("must be a number")?;
            Ok(serde_json::Number::from_f64(n).map(Value::Number).ok_or("must be a number")?)
        }
        K::Boolean => match (v.as_bool(), text.map(str::to_lowercase).as_deref()) {
            (Some(b), _) => Ok(json!(b)),
            (None, Some("true" | "yes" | "1" | "y")) => Ok(json!(true)),
            (None, Some("false" | "no" | "0" | "n")) => Ok(json!(false)),
            _ => Err("must be true or false".into()),
        },
        K::Date => {
            let s = text.ok_or("must be a date (YYYY-MM-DD)")?;
            let date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "must be a date (YYYY-MM-DD)")?;
            Ok(json!(date.format("%Y-%m-%d").to_string()))
        }
        K::Money => money(d.currency.as_deref().unwrap_or_default(), v),
        K::Enum => {
            let s = text.ok_or("must be one of the field's options")?;
            let options = options_of(d);
            match options.iter().find(|o| o.eq_ignore_ascii_case(s)) {
                Some(o) => Ok(json!(o)),
                None => Err(format!("must be one of: {}", options.join(", "))),
            }
        }
        K::List => {
            let items: Vec<String> = match (v.as_array(), text) {
                (Some(a), _) => a
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned).ok_or("items must be text"))
                    .collect::<std::result::Result<_, _>>()?,
                (None, Some(s)) => s.split([',', ';']).map(str::to_owned).collect(),
                _ => return Err("must be a list of texts".into()),
            };
            let mut out: Vec<String> = Vec::new();
            for i in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
                if i.chars().count() > MAX_ITEM {
                    return Err(format!("items must be at most {MAX_ITEM} characters"));
                }
                if !out.iter().any(|o| o == i) {
                    out.push(i.to_owned());
                }
            }
            if out.len() > MAX_LIST {
                return Err(format!("holds at most {MAX_LIST} items"));
            }
            Ok(json!(out))
        }
    }
}

/// Money in minor units of `currency`: `{"amount": 1250, "currency": "EUR"}`, a whole
/// number of minor units, or text in major units (`"12.50"`, `"12.50 EUR"`).
fn money(currency: &str, v: &Value) -> std::result::Result<Value, String> {
    let bad = || {
        format!("must be an amount in {currency}, like {{\"amount\": 1250, \"currency\": \"{currency}\"}} or \"12.50\"")
    };
    let amount = if let Some(o) = v.as_object() {
        if o.get("currency").and_then(Value::as_str).is_some_and(|c| !c.eq_ignore_ascii_case(currency)) {
            return Err(format!("must be in {currency}"));
        }
        o.get("amount").and_then(Value::as_i64).ok_or_else(bad)?
    } else if let Some(n) = v.as_i64() {
        n
    } else if let Some(s) = v.as_str() {
        let s = s.trim();
        let s = match s.rsplit_once(' ') {
            Some((n, c)) if c.eq_ignore_ascii_case(currency) => n.trim(),
            Some(_) => return Err(format!("must be in {currency}")),
            None => s,
        };
        crate::money::parse_major(currency, s).ok_or_else(bad)?
    } else {
        return Err(bad());
    };
    Ok(json!({ "amount": amount, "currency": currency }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn field(kind: AttributeKind) -> ContactField {
        ContactField {
            tenant_id: uuid::Uuid::nil().into(),
            id: uuid::Uuid::nil().into(),
            key: "f".into(),
            label: "F".into(),
            kind,
            options: json!(["Gold", "Silver"]),
            currency: Some("EUR".into()),
            created_at: now(),
        }
    }

    #[test]
    fn values_are_parsed_by_type() {
        use AttributeKind as K;
        let ok = |k, v: Value| value(&field(k), &v).unwrap();
        assert_eq!(ok(K::Number, json!("42.5")), json!(42.5));
        assert_eq!(ok(K::Boolean, json!("Yes")), json!(true));
        assert_eq!(ok(K::Date, json!(" 2024-02-29 ")), json!("2024-02-29"));
        assert_eq!(ok(K::Enum, json!("gold")), json!("Gold"));
        assert_eq!(ok(K::List, json!("a, b,a")), json!(["a", "b"]));
        assert_eq!(ok(K::Money, json!("12.5")), json!({"amount": 1250, "currency": "EUR"}));
        assert_eq!(ok(K::Money, json!("-0.05 eur")), json!({"amount": -5, "currency": "EUR"}));
        assert_eq!(ok(K::Money, json!({"amount": 7, "currency": "EUR"})), json!({"amount": 7, "currency": "EUR"}));
        for (k, v) in [
            (K::Number, json!("x")),
            (K::Boolean, json!("maybe")),
            (K::Date, json!("2023-02-29")),
            (K::Enum, json!("Bronze")),
            (K::Money, json!("12.345")),
            (K::Money, json!({"amount": 7, "currency": "USD"})),
            (K::Money, json!(1.5)),
            (K::String, json!(3)),
            (K::String, json!("")),
        ] {
            assert!(value(&field(k), &v).is_err(), "{k:?} {v}");
        }
    }

    proptest! {
        /// Any input either fails with a message or gives a stored value that reads
        /// back as itself (parsing is idempotent), for every type.
        #[test]
        fn parsing_never_panics_and_is_idempotent(s in ".{0,40}", n in any::<i64>(), k in 0usize..7) {
            use AttributeKind as K;
            let kind = [K::String, K::Number, K::Boolean, K::Date, K::Money, K::Enum, K::List][k];
            for v in [json!(s), json!(n), json!({"amount": n, "currency": "EUR"})] {
                if let Ok(stored) = value(&field(kind), &v) {
                    prop_assert_eq!(value(&field(kind), &stored).ok(), Some(stored));
                }
            }
        }
    }
}

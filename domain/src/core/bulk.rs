//! Writing many rows of one table at once.
//!
//! On PostgreSQL the rows travel as one JSON parameter that `json_to_recordset` turns
//! back into typed rows: one statement and one parameter however many rows. A
//! multi-row `VALUES` of a thousand contacts binds fourteen thousand parameters, and
//! the server parses and plans every one of them (most of an import batch's time went
//! there). On SQLite, where a statement costs no round trip, rows go in multi-row
//! inserts in chunks under its parameter limit, and updates one by one.
//!
//! Written here rather than taken from a crate: sea-orm has no set-based write, and the
//! JSON form needs no driver feature (arrays would need a column type per array).

use sea_orm::sea_query::{ColumnType, Expr};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, Iden, Iterable,
    PrimaryKeyToColumn, QueryFilter, Statement,
};
use serde_json::{Map, Value as Json};

use crate::{Error, Result};

/// Rows per statement on SQLite (its limit is 32,766 parameters).
const SQLITE_ROWS: usize = 1_000;

/// The PostgreSQL type a JSON field is read back as, for the column types tables use.
fn pg_type(t: &ColumnType) -> Option<&'static str> {
    Some(match t {
        ColumnType::Uuid => "uuid",
        ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => "text",
        ColumnType::JsonBinary => "jsonb",
        ColumnType::Json => "json",
        ColumnType::TimestampWithTimeZone => "timestamptz",
        ColumnType::DateTime | ColumnType::Timestamp => "timestamp",
        ColumnType::Date => "date",
        ColumnType::BigInteger => "bigint",
        ColumnType::Integer => "integer",
        ColumnType::SmallInteger => "smallint",
        ColumnType::Boolean => "boolean",
        ColumnType::Double => "float8",
        ColumnType::Float => "float4",
        _ => return None,
    })
}

/// A value as the JSON `json_to_recordset` reads back into its column's type. Times
/// keep microseconds, truncated as the driver truncates them when it binds.
fn json_of(v: sea_orm::Value) -> Result<Json> {
    use sea_orm::Value as V;
    const MICROS: &str = "%Y-%m-%dT%H:%M:%S%.6f";
    Ok(match v {
        V::Bool(b) => b.map_or(Json::Null, Json::Bool),
        V::TinyInt(n) => n.map_or(Json::Null, Json::from),
        V::SmallInt(n) => n.map_or(Json::Null, Json::from),
        V::Int(n) => n.map_or(Json::Null, Json::from),
        V::BigInt(n) => n.map_or(Json::Null, Json::from),
        V::Float(n) => n.map_or(Json::Null, Json::from),
        V::Double(n) => n.map_or(Json::Null, Json::from),
        V::String(s) => s.map_or(Json::Null, Json::String),
        V::Char(c) => c.map_or(Json::Null, |c| Json::String(c.to_string())),
        V::Json(j) => j.map_or(Json::Null, |j| *j),
        V::Uuid(u) => u.map_or(Json::Null, |u| Json::String(u.to_string())),
        V::ChronoDate(d) => d.map_or(Json::Null, |d| Json::String(d.format("%Y-%m-%d").to_string())),
        V::ChronoDateTime(t) => t.map_or(Json::Null, |t| Json::String(t.format(MICROS).to_string())),
        V::ChronoDateTimeUtc(t) => t.map_or(Json::Null, |t| Json::String(format!("{}Z", t.format(MICROS)))),
        other => return Err(Error::internal(format!("no JSON form for a bulk write of {other:?}"))),
    })
}

/// The column list of a recordset: `name type, …`.
fn recordset<C: ColumnTrait>(cols: &[C]) -> Result<String> {
    cols.iter()
        .map(|c| {
            let t = pg_type(c.def().get_column_type())
                .ok_or_else(|| Error::internal(format!("no bulk-write type for column {}", c.to_string())))?;
            Ok(format!("\"{}\" {t}", c.to_string()))
        })
        .collect::<Result<Vec<_>>>()
        .map(|v| v.join(", "))
}

/// The value `am` holds for `col`, set or unchanged.
fn held<A: ActiveModelTrait>(am: &A, col: <A::Entity as EntityTrait>::Column) -> Option<sea_orm::Value> {
    match am.get(col) {
        ActiveValue::Set(v) | ActiveValue::Unchanged(v) => Some(v),
        ActiveValue::NotSet => None,
    }
}

/// `rows` as the JSON array `json_to_recordset` reads: an object per row holding the
/// values of `cols`, each of which every row must give.
fn records<A: ActiveModelTrait>(rows: Vec<A>, cols: &[<A::Entity as EntityTrait>::Column]) -> Result<String> {
    let records = rows
        .into_iter()
        .map(|am| {
            let mut o = Map::with_capacity(cols.len());
            for c in cols {
                let v =
                    held(&am, *c).ok_or_else(|| Error::internal(format!("a bulk write without {}", c.to_string())))?;
                o.insert(c.to_string(), json_of(v)?);
            }
            Ok(Json::Object(o))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Json::Array(records).to_string())
}

/// Inserts `rows` (every column given in every row).
pub(crate) async fn insert<A, C>(db: &C, rows: Vec<A>) -> Result<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    if rows.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() != DbBackend::Postgres {
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            A::Entity::insert_many(rows.by_ref().take(SQLITE_ROWS)).exec_without_returning(db).await?;
        }
        return Ok(());
    }
    let cols: Vec<_> = <A::Entity as EntityTrait>::Column::iter().collect();
    let records = records(rows, &cols)?;
    let names: Vec<String> = cols.iter().map(|c| format!("\"{}\"", c.to_string())).collect();
    let sql = format!(
        "INSERT INTO \"{table}\" ({names}) SELECT {names} FROM json_to_recordset($1::json) AS r({set})",
        table = A::Entity::default().to_string(),
        names = names.join(", "),
        set = recordset(&cols)?,
    );
    db.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, [records.into()])).await?;
    Ok(())
}

/// Writes columns `cols` of every row of `rows` (each found by its primary key).
pub(crate) async fn update<A, C>(db: &C, rows: Vec<A>, cols: &[<A::Entity as EntityTrait>::Column]) -> Result<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    if rows.is_empty() || cols.is_empty() {
        return Ok(());
    }
    let keys: Vec<_> = <A::Entity as EntityTrait>::PrimaryKey::iter().map(|k| k.into_column()).collect();
    if db.get_database_backend() != DbBackend::Postgres {
        for am in rows {
            let mut q = A::Entity::update_many();
            for c in cols {
                let v = held(&am, *c).ok_or_else(|| Error::internal("bulk update without a value"))?;
                q = q.col_expr(*c, Expr::val(v));
            }
            for k in &keys {
                let v = held(&am, *k).ok_or_else(|| Error::internal("bulk update without its key"))?;
                q = q.filter(k.eq(v));
            }
            q.exec(db).await?;
        }
        return Ok(());
    }
    let all: Vec<_> = keys.iter().chain(cols).copied().collect();
    let records = records(rows, &all)?;
    let set: Vec<String> = cols.iter().map(|c| format!("\"{0}\" = r.\"{0}\"", c.to_string())).collect();
    let matched: Vec<String> = keys.iter().map(|k| format!("t.\"{0}\" = r.\"{0}\"", k.to_string())).collect();
    let sql = format!(
        "UPDATE \"{table}\" AS t SET {set} FROM json_to_recordset($1::json) AS r({def}) WHERE {matched}",
        table = A::Entity::default().to_string(),
        set = set.join(", "),
        def = recordset(&all)?,
        matched = matched.join(" AND "),
    );
    db.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, [records.into()])).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_the_json_form_postgres_reads_back() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-06T10:20:30.123456789Z").unwrap().to_utc();
        assert_eq!(json_of(t.into()).unwrap(), Json::String("2026-12-06T10:20:30.123456Z".into()));
        let u = uuid::Uuid::nil();
        assert_eq!(json_of(u.into()).unwrap(), Json::String(u.to_string()));
        assert_eq!(json_of(sea_orm::Value::String(None)).unwrap(), Json::Null);
        assert_eq!(json_of(serde_json::json!({"a": [1]}).into()).unwrap(), serde_json::json!({"a": [1]}));
        assert_eq!(json_of(7_i64.into()).unwrap(), Json::from(7));
        assert!(json_of(sea_orm::Value::Bytes(Some(vec![1]))).is_err());
    }
}

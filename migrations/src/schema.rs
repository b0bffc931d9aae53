//! Building blocks for migrations: column shorthands, global and tenant tables, and
//! the one way a new tenant table is made ([`create_tenant_table`]), so its key, its
//! grant and its row-level security come together and it is on [`crate::TENANT_TABLES`].

use sea_orm_migration::prelude::*;

use crate::pg::{grant_rw, on_postgres, tenant_wall};

pub fn id(name: &'static str) -> Alias {
    Alias::new(name)
}

pub fn uuid(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).uuid().not_null().to_owned()
}

pub fn uuid_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).uuid().null().to_owned()
}

pub fn text(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).text().not_null().to_owned()
}

pub fn text_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).text().null().to_owned()
}

pub fn short(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).string_len(16).not_null().to_owned()
}

pub fn ts(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).timestamp_with_time_zone().not_null().to_owned()
}

pub fn ts_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).timestamp_with_time_zone().null().to_owned()
}

pub fn int(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).integer().not_null().to_owned()
}

pub fn json_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).json_binary().null().to_owned()
}

/// A global table keyed by `id`.
pub fn global(name: &'static str, cols: Vec<ColumnDef>) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(id(name)).col(uuid("id").primary_key().to_owned());
    for mut c in cols {
        t.col(&mut c);
    }
    t.to_owned()
}

/// A tenant-owned table keyed `(tenant_id, id)` (see [`create_tenant_table`]).
pub fn tenant(name: &'static str, cols: Vec<ColumnDef>) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(id(name)).col(uuid("tenant_id")).col(uuid("id"));
    for mut c in cols {
        t.col(&mut c);
    }
    t.primary_key(Index::create().col(id("tenant_id")).col(id("id")));
    t.to_owned()
}

pub fn index(table: &'static str, name: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(id(table));
    for c in cols {
        i.col(id(c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// Creates the tenant table `name` with `cols` after its `(tenant_id, id)` key, grants
/// the runtime role plain data access and walls it by tenant on PostgreSQL (`extra`: an
/// OR-ed predicate for a read that legitimately crosses tenants). `name` must be listed
/// in [`crate::TENANT_TABLES`], which the RLS story and the domain check against.
pub async fn create_tenant_table(
    manager: &SchemaManager<'_>,
    name: &'static str,
    cols: Vec<ColumnDef>,
    extra: Option<&str>,
) -> Result<(), DbErr> {
    if !crate::TENANT_TABLES.contains(&name) {
        return Err(DbErr::Migration(format!("{name} is a tenant table: list it in TENANT_TABLES")));
    }
    manager.create_table(tenant(name, cols)).await?;
    on_postgres(manager, &format!("{}{}", grant_rw(name), tenant_wall(name, extra))).await
}

pub fn json(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).json_binary().not_null().to_owned()
}

pub fn int_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).integer().null().to_owned()
}

/// A 64-bit integer (money in minor units).
pub fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).big_integer().not_null().to_owned()
}

pub fn big_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).big_integer().null().to_owned()
}

pub fn date(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).date().not_null().to_owned()
}

pub fn date_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).date().null().to_owned()
}

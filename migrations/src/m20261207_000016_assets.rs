//! Assets under review (e-proofing): assets, their versions (each a stored file with its
//! own approval) and comments pinned to a version.

use sea_orm_migration::prelude::*;

use crate::schema::{big, create_tenant_table, index, int, int_null, short, text, ts, ts_null, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000016_assets"
    }
}

const TABLES: [&str; 3] = ["asset_comments", "asset_versions", "assets"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let assets = vec![
            text("name"),
            text("description"),
            uuid_null("project_id"),
            short("kind"),
            int("versions"),
            uuid("latest_version_id"),
            ColumnDef::new(Alias::new("state")).string_len(20).not_null().to_owned(),
            uuid_null("approved_version_id"),
            uuid("created_by"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "assets", assets, None).await?;
        let versions = vec![
            uuid("asset_id"),
            int("number"),
            uuid("file_id"),
            text("file_name"),
            short("kind"),
            text("content_type"),
            big("size_bytes"),
            text("note"),
            ColumnDef::new(Alias::new("state")).string_len(20).not_null().to_owned(),
            uuid_null("approval_id"),
            uuid("created_by"),
            text("author_label"),
            uuid_null("requester"),
            ts_null("decided_at"),
            ts("created_at"),
        ];
        create_tenant_table(manager, "asset_versions", versions, None).await?;
        let comments = vec![
            uuid("asset_id"),
            uuid("version_id"),
            uuid("author"),
            text("author_label"),
            text("body"),
            int_null("pin_x"),
            int_null("pin_y"),
            int_null("page"),
            ts_null("resolved_at"),
            uuid_null("resolved_by"),
            ts("created_at"),
        ];
        create_tenant_table(manager, "asset_comments", comments, None).await?;
        for (table, name, cols, unique) in [
            ("assets", "assets_project", &["tenant_id", "project_id"][..], false),
            ("assets", "assets_state", &["tenant_id", "state"][..], false),
            ("asset_versions", "asset_versions_number", &["tenant_id", "asset_id", "number"][..], true),
            ("asset_comments", "asset_comments_version", &["tenant_id", "version_id"][..], false),
        ] {
            manager.create_index(index(table, name, cols, unique)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}

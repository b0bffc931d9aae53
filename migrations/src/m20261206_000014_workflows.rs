//! Standardized workflows: templates of tasks, their instances per project, the tasks
//! and comments on them.

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, date, index, int, json, short, text, ts, ts_null, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000014_workflows"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let templates = vec![text("name"), text("description"), json("tasks"), ts("created_at"), ts("updated_at")];
        create_tenant_table(manager, "workflow_templates", templates, None).await?;
        let workflows = vec![
            uuid("template_id"),
            uuid("project_id"),
            text("name"),
            short("status"),
            date("starts_on"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "workflows", workflows, None).await?;
        let tasks = vec![
            uuid("workflow_id"),
            text("key"),
            text("name"),
            int("position"),
            ColumnDef::new(Alias::new("role")).string_len(16).null().to_owned(),
            ColumnDef::new(Alias::new("approval")).boolean().not_null().to_owned(),
            uuid_null("assignee_id"),
            short("status"),
            json("depends_on"),
            date("starts_on"),
            date("due_on"),
            ts_null("completed_at"),
            uuid_null("completed_by"),
            ts_null("reminded_at"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "workflow_tasks", tasks, None).await?;
        let comments = vec![uuid("task_id"), uuid("author"), text("author_label"), text("body"), ts("created_at")];
        create_tenant_table(manager, "task_comments", comments, None).await?;
        for (table, name, cols) in [
            ("workflows", "workflows_project", &["tenant_id", "project_id"][..]),
            ("workflow_tasks", "workflow_tasks_workflow", &["tenant_id", "workflow_id"][..]),
            ("workflow_tasks", "workflow_tasks_due", &["status", "due_on"][..]),
            ("task_comments", "task_comments_task", &["tenant_id", "task_id"][..]),
        ] {
            manager.create_index(index(table, name, cols, false)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["task_comments", "workflow_tasks", "workflows", "workflow_templates"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}

//! `/app/audit`: who changed what, newest first, a page at a time.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{Chunk, PagedTable, paged};
use crate::gql::call;
use crate::ops::audit::{AuditEntry, AuditLog, audit_log};
use crate::ops::short_time;

/// The audit log page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let log = paged(
        |after| async move { call::<AuditLog>(audit_log::Variables { after }).await.map(|d| Chunk::from(d.audit_log)) },
        |e: &AuditEntry| e.id.clone(),
    );
    view! {
        <Title text="Audit log · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Audit log"</h1>
            <p class="muted">
                "Every change in this workspace, who made it and when."
                {move || log.total.get().map(|t| format!(" {t} entries."))}
            </p>
        </header>
        <section class="panel">
            <PagedTable
                list=log
                head=&["When", "Who", "What", "Object"]
                row=audit_row
                empty="Nothing has happened here yet."
                testid="audit"
            />
        </section>
    }
}

fn audit_row(entry: AuditEntry) -> impl IntoView {
    view! {
        <tr data-testid="audit-row">
            <td class="muted nowrap">{short_time(&entry.created_at)}</td>
            <td>{entry.actor}</td>
            <td><code>{entry.action}</code></td>
            <td class="muted">{entry.object_type}{entry.object_id.map(|id| format!(" {id}"))}</td>
        </tr>
    }
}

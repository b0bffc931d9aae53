//! `/app/audit`: who changed what, newest first, a page at a time.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::components::{LoadMore, Loading};
use crate::gql::call;
use crate::ops::audit::{AuditEntry, AuditLog, audit_log};
use crate::ops::{PageInfo, short_time};
use crate::session::use_session;

/// The audit log page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let session = use_session();
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let page = RwSignal::new(PageInfo::default());
    let total = RwSignal::new(None::<i64>);
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let fetch = move |after: Option<String>| {
        busy.set(true);
        error.set(None);
        let fresh = after.is_none();
        spawn_local(async move {
            let answer = call::<AuditLog>(audit_log::Variables { after }).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(log) => {
                    let connection = log.audit_log;
                    if fresh {
                        entries.set(connection.nodes);
                    } else {
                        entries.update(|e| e.extend(connection.nodes));
                    }
                    page.set(connection.page_info.into());
                    total.set(Some(connection.total_count));
                    loaded.set(true);
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.summary()));
                }
            }
        });
    };

    // First page, again whenever the workspace changes.
    Effect::new(move |_| {
        session.workspace_id.track();
        loaded.set(false);
        entries.set(Vec::new());
        fetch(None);
    });

    view! {
        <Title text="Audit log · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Audit log"</h1>
            <p class="muted">
                "Every change in this workspace, who made it and when."
                {move || total.get().map(|t| format!(" {t} entries."))}
            </p>
        </header>
        <section class="panel">
            {move || error.get().map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
            {move || {
                if !loaded.get() {
                    return view! { <Loading /> }.into_any();
                }
                if entries.with(Vec::is_empty) {
                    return view! { <p class="muted empty">"Nothing has happened here yet."</p> }.into_any();
                }
                view! {
                    <table class="table" data-testid="audit-table">
                        <thead>
                            <tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Object"</th></tr>
                        </thead>
                        <tbody>
                            <For each=move || entries.get() key=|e| e.id.clone() let:entry>
                                <tr data-testid="audit-row">
                                    <td class="muted nowrap">{short_time(&entry.created_at)}</td>
                                    <td>{entry.actor.clone()}</td>
                                    <td><code>{entry.action.clone()}</code></td>
                                    <td class="muted">
                                        {entry.object_type.clone()}
                                        {entry.object_id.clone().map(|id| format!(" {id}"))}
                                    </td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
            <LoadMore page=page busy=busy more=Callback::new(fetch) testid="audit-load-more" />
        </section>
    }
}

//! `/app/email-templates`: the workspace's email templates, each opening in the editor.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{Chunk, PagedTable, paged};
use crate::gql::call;
use crate::ops::campaigns::{EmailTemplates, TemplateRow, email_templates};
use crate::ops::short_time;

/// The templates page.
#[component]
pub fn EmailTemplatesPage() -> impl IntoView {
    let list = paged(
        |after| async move {
            call::<EmailTemplates>(email_templates::Variables { after }).await.map(|d| Chunk::from(d.email_templates))
        },
        |t: &TemplateRow| t.id.clone(),
    );
    view! {
        <Title text="Email templates · Parley" />
        <header class="page-head">
            <p class="muted"><A href="/app/campaigns">"Campaigns"</A>" /"</p>
            <h1 data-testid="page-title">"Email templates"</h1>
            <p class="muted">
                "Emails written in MJML, personalised for each contact with "
                <code>"{{ contact.first_name }}"</code>
                " and the contact's other fields."
            </p>
            <A href="/app/email-templates/new" attr:class="btn btn-primary head-action" attr:data-testid="template-new">"New template"</A>
        </header>
        <section class="panel">
            <PagedTable
                list=list
                head=&["Template", "Subject", "Changed"]
                row=template_row
                empty="No templates yet: write the first one."
                testid="templates"
            />
        </section>
    }
}

fn template_row(t: TemplateRow) -> impl IntoView {
    view! {
        <tr data-testid="template-row">
            <td><A href=format!("/app/email-templates/{}", t.id) attr:data-testid="template-link">{t.name}</A></td>
            <td class="muted"><code>{t.subject}</code></td>
            <td class="muted nowrap">{short_time(&t.updated_at)}</td>
        </tr>
    }
}

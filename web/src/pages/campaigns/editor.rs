//! `/app/email-templates/:id` (`new` for a new one): a template's name, subject, MJML
//! and text part, with a live preview beside them: shortly after each change the
//! content is rendered by the server for the contact chosen (the subject, the HTML in a
//! sandboxed frame, the text part), or the errors that stop it are shown in its place.

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::field_error;
use crate::components::{Caller, ErrorBanner, Field, Form, LoadError, Loading, Submit};
use crate::gql::{ApiErrors, call};
use crate::ops::campaigns::{
    CreateEmailTemplate, DeleteEmailTemplate, EmailTemplate, Preview, PreviewContact, PreviewContacts,
    PreviewEmailContent, UpdateEmailTemplate, create_email_template, delete_email_template, email_template,
    preview_contacts, preview_email_content, update_email_template,
};
use crate::session::load;

/// How long the editor waits after a keystroke before asking for a preview.
const DEBOUNCE: Duration = Duration::from_millis(400);

/// The name of the frame the email's HTML is shown in.
const PREVIEW_FRAME: &str = "email-preview";

/// The form that posts the content previewed into the frame: the server answers with
/// the email's HTML under the email's own policy (its inline styles and pictures),
/// which a `srcdoc` frame would not have (it keeps the app's).
#[derive(Clone, Copy, Default)]
struct FrameForm {
    form: NodeRef<leptos::html::Form>,
    subject: NodeRef<leptos::html::Input>,
    mjml: NodeRef<leptos::html::Input>,
    text: NodeRef<leptos::html::Input>,
    contact: NodeRef<leptos::html::Input>,
}

/// The content of one preview, as posted to the frame.
struct Posted {
    subject: String,
    mjml: String,
    text: String,
    contact: String,
}

/// Shows `posted` in the preview frame (nothing once the editor has gone).
fn post_preview(f: &FrameForm, posted: &Posted) {
    let fields =
        [(f.subject, &posted.subject), (f.mjml, &posted.mjml), (f.text, &posted.text), (f.contact, &posted.contact)];
    for (field, value) in fields {
        let Some(input) = field.try_get_untracked().flatten() else { return };
        input.set_value(value);
    }
    if let Some(form) = f.form.try_get_untracked().flatten() {
        let _ = form.submit();
    }
}

/// The input fields the server may name in an error.
const FIELDS: &[&str] = &["name", "subject", "mjml", "text"];

/// What a new template starts from.
const STARTER_SUBJECT: &str = r#"Hello {{ contact.first_name | default("there") }}"#;
const STARTER_MJML: &str = r#"<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text font-size="18px">Hello {{ contact.first_name | default("there") }},</mj-text>
        <mj-text>Write your message here.</mj-text>
        <mj-button href="https://example.com">Read more</mj-button>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
"#;

/// A template's content as the editor holds it.
#[derive(Clone, Debug, PartialEq)]
struct Content {
    name: String,
    subject: String,
    mjml: String,
    text: String,
}

/// The part of a template an error names, in words.
pub(crate) fn part_label(field: Option<&str>) -> &'static str {
    match field {
        Some("name") => "Name",
        Some("subject") => "Subject",
        Some("mjml") => "MJML",
        Some("text") => "Text part",
        Some("contactId") => "Contact",
        _ => "Preview",
    }
}

/// One template (or a new one).
#[component]
pub fn EmailTemplatePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let saved = load(move || {
        let id = id();
        async move {
            if id == "new" {
                return Ok(None);
            }
            call::<EmailTemplate>(email_template::Variables { id }).await.map(|d| Some(d.email_template))
        }
    });
    let title = move || match saved.data.get() {
        Some(Ok(Some(t))) => t.name,
        _ if id() == "new" => "New template".to_owned(),
        _ => "Template".to_owned(),
    };
    view! {
        <Title text="Email template · Parley" />
        <header class="page-head">
            <p class="muted"><A href="/app/email-templates">"Email templates"</A>" /"</p>
            <h1 data-testid="page-title">{title}</h1>
        </header>
        {move || match saved.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
            Some(Ok(found)) => {
                let id = found.as_ref().map(|t| t.id.clone());
                let content = match found {
                    Some(t) => Content { name: t.name, subject: t.subject, mjml: t.mjml, text: t.text },
                    None => Content {
                        name: String::new(),
                        subject: STARTER_SUBJECT.to_owned(),
                        mjml: STARTER_MJML.to_owned(),
                        text: String::new(),
                    },
                };
                view! { <Editor id=id content=content /> }.into_any()
            }
        }}
    }
}

#[component]
fn Editor(id: Option<String>, content: Content) -> impl IntoView {
    let form = Form::new();
    let name = RwSignal::new(content.name);
    let subject = RwSignal::new(content.subject);
    let mjml = RwSignal::new(content.mjml);
    let text = RwSignal::new(content.text);
    let contact = RwSignal::new(None::<PreviewContact>);
    let preview = RwSignal::new(None::<Result<Preview, ApiErrors>>);
    let frame_form = FrameForm::default();
    let waiting = RwSignal::new(false);
    let saved = RwSignal::new(false);
    // The last preview that rendered, kept while an error is shown instead.
    let last = RwSignal::new(None::<Preview>);
    let shown = move |part: fn(&Preview) -> String| last.with(|p| p.as_ref().map(part).unwrap_or_default());
    // Each change asks for a preview once typing pauses; only the newest answer is shown.
    let asked = StoredValue::new(0u32);
    Effect::new(move |before: Option<()>| {
        let input = preview_email_content::EmailTemplateInput {
            name: name.get(),
            subject: subject.get(),
            mjml: mjml.get(),
            text: text.get(),
        };
        let contact = contact.with(|c| c.as_ref().map(|c| c.id.clone()));
        asked.update_value(|n| *n = n.wrapping_add(1));
        let mine = asked.get_value();
        if before.is_some() {
            saved.set(false);
        }
        waiting.set(true);
        let ask = move || {
            if asked.try_get_value() != Some(mine) {
                return;
            }
            spawn_local(async move {
                let posted = Posted {
                    subject: input.subject.clone(),
                    mjml: input.mjml.clone(),
                    text: input.text.clone(),
                    contact: contact.clone().unwrap_or_default(),
                };
                let answer = call::<PreviewEmailContent>(preview_email_content::Variables { input, contact }).await;
                if asked.try_get_value() != Some(mine) {
                    return;
                }
                let _ = waiting.try_set(false);
                let answer = answer.map(|d| d.preview_email_content);
                if let Ok(p) = &answer {
                    let _ = last.try_set(Some(p.clone()));
                    post_preview(&frame_form, &posted);
                }
                let _ = preview.try_set(Some(answer));
            });
        };
        // The first preview comes at once; the next ones once typing pauses.
        if before.is_none() { ask() } else { set_timeout(ask, DEBOUNCE) }
    });
    let navigate = use_navigate();
    let id = StoredValue::new(id);
    let save = {
        let navigate = navigate.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if !form.start() {
                return;
            }
            let (n, s, m, t) =
                (name.get_untracked(), subject.get_untracked(), mjml.get_untracked(), text.get_untracked());
            match id.get_value() {
                Some(id) => {
                    let input = update_email_template::EmailTemplateInput { name: n, subject: s, mjml: m, text: t };
                    form.send::<UpdateEmailTemplate, _>(
                        Caller::SignedIn,
                        update_email_template::Variables { id, input },
                        FIELDS,
                        move |_| saved.set(true),
                    );
                }
                None => {
                    let input = create_email_template::EmailTemplateInput { name: n, subject: s, mjml: m, text: t };
                    let navigate = navigate.clone();
                    form.send::<CreateEmailTemplate, _>(
                        Caller::SignedIn,
                        create_email_template::Variables { input },
                        FIELDS,
                        move |d| {
                            navigate(
                                &format!("/app/email-templates/{}", d.create_email_template.id),
                                Default::default(),
                            )
                        },
                    );
                }
            }
        }
    };
    let delete = move |_| {
        let Some(template) = id.get_value() else { return };
        form.errors.clear();
        let navigate = navigate.clone();
        spawn_local(async move {
            match call::<DeleteEmailTemplate>(delete_email_template::Variables { id: template }).await {
                Ok(_) => navigate("/app/email-templates", Default::default()),
                Err(e) => form.errors.show(&e, &[]),
            }
        });
    };
    let area = move |label: &'static str,
                     field: &'static str,
                     value: RwSignal<String>,
                     rows: &'static str,
                     hint: &'static str| {
        view! {
            <label class="field" class:invalid=move || form.errors.field(field).is_some()>
                <span class="field-label">{label}</span>
                <textarea class="code" rows=rows spellcheck="false" data-testid=format!("template-{field}")
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
                <span class="field-hint">{hint}</span>
                {field_error(form.errors, field)}
            </label>
        }
    };
    view! {
        <div class="template-editor">
            <section class="panel">
                <form class="form email-form" data-testid="template-form" on:submit=save>
                    <ErrorBanner errors=form.errors />
                    <Field label="Name" name="name" value=name errors=form.errors testid="template-name" placeholder="Spring newsletter" />
                    <Field label="Subject" name="subject" value=subject errors=form.errors testid="template-subject"
                        hint="Tags work here too: {{ contact.first_name }}." />
                    {area("MJML", "mjml", mjml, "18", "The email in MJML; {{ contact.<field> }} fills in each contact's data, {{ unsubscribe_url }} their one-click unsubscribe link.")}
                    {area("Text part", "text", text, "5", "For mail apps that show no HTML. Empty: made from the HTML.")}
                    <div class="actions">
                        <Submit label="Save template" busy_label="Saving…" busy=form.busy testid="template-save" />
                        {move || saved.get().then(|| view! { <span class="saved" data-testid="template-saved">"Saved"</span> })}
                        {id.get_value().is_some().then(|| view! {
                            <button type="button" class="btn btn-ghost" data-testid="template-delete" on:click=delete.clone()>"Delete"</button>
                        })}
                    </div>
                </form>
            </section>
            <section class="panel preview-pane" data-testid="preview">
                <div class="panel-head">
                    <h2>"Preview"</h2>
                    {move || waiting.get().then(|| view! { <span class="muted">"Updating…"</span> })}
                </div>
                <ContactPicker chosen=contact />
                {move || preview.with(Option::is_none).then(|| view! { <Loading /> })}
                {move || preview.get().and_then(Result::err).map(|e| view! {
                    <div class="banner banner-error" data-testid="preview-errors">
                        <p>"The preview waits until this is fixed:"</p>
                        <ul>
                            {e.0.into_iter().map(|e| view! {
                                <li data-testid="preview-error" data-field=e.field.clone().unwrap_or_default()>
                                    <strong>{part_label(e.field.as_deref())}</strong> " " {e.message}
                                </li>
                            }).collect_view()}
                        </ul>
                    </div>
                })}
                // One frame for every preview: a new one would flash, and lose its place. It is
                // put out of sight rather than out of the layout, where it would render nothing.
                <div class="preview-message" class:stale=move || !matches!(preview.get(), Some(Ok(_))) data-testid="preview-message">
                    <p class="preview-subject">
                        <span class="muted">"Subject "</span>
                        <strong data-testid="preview-subject">{move || shown(|p| p.subject.clone())}</strong>
                    </p>
                    <iframe class="preview-frame" data-testid="preview-frame" sandbox="" name=PREVIEW_FRAME
                        title="The email as this contact would receive it"></iframe>
                    <form class="hidden" method="post" action="/files/email-preview" target=PREVIEW_FRAME node_ref=frame_form.form>
                        <input type="hidden" name="subject" node_ref=frame_form.subject />
                        <input type="hidden" name="mjml" node_ref=frame_form.mjml />
                        <input type="hidden" name="text" node_ref=frame_form.text />
                        <input type="hidden" name="contact" node_ref=frame_form.contact />
                    </form>
                    <h3>"Text part"</h3>
                    <pre class="snippet" data-testid="preview-text">{move || shown(|p| p.text.clone())}</pre>
                </div>
            </section>
        </div>
    }
}

/// Chooses whose data the preview is made with (none: every tag shows its default).
#[component]
fn ContactPicker(chosen: RwSignal<Option<PreviewContact>>) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let found = RwSignal::new(Vec::<PreviewContact>::new());
    let asked = StoredValue::new(0u32);
    let look = move |typed: String| {
        search.set(typed.clone());
        asked.update_value(|n| *n = n.wrapping_add(1));
        let mine = asked.get_value();
        let typed = typed.trim().to_owned();
        if typed.is_empty() {
            found.set(Vec::new());
            return;
        }
        spawn_local(async move {
            let answer = call::<PreviewContacts>(preview_contacts::Variables { search: Some(typed) }).await;
            if asked.try_get_value() == Some(mine)
                && let Ok(d) = answer
            {
                let _ = found.try_set(d.contacts.nodes);
            }
        });
    };
    let choose = move |c: PreviewContact| {
        chosen.set(Some(c));
        asked.update_value(|n| *n = n.wrapping_add(1));
        search.set(String::new());
        found.set(Vec::new());
    };
    view! {
        <div class="preview-contact" data-testid="preview-contact">
            {move || match chosen.get() {
                Some(c) => view! {
                    <p>
                        <span class="muted">"As received by "</span>
                        <strong data-testid="preview-contact-chosen">{c.display_name}</strong>
                        <span class="muted">{c.email.map(|e| format!(" ({e})")).unwrap_or_default()}</span>
                        " "
                        <button type="button" class="link-button" data-testid="preview-contact-clear" on:click=move |_| chosen.set(None)>"Clear"</button>
                    </p>
                }.into_any(),
                None => view! {
                    <p class="muted" data-testid="preview-contact-none">"As received by a contact with no data: each tag shows its default."</p>
                }.into_any(),
            }}
            <input type="search" class="search" data-testid="preview-contact-search" placeholder="Preview for a contact: name or email"
                prop:value=move || search.get() on:input=move |ev| look(event_target_value(&ev)) />
            {move || {
                let options = found.get();
                (!options.is_empty()).then(|| view! {
                    <ul class="picker" data-testid="preview-contact-options">
                        {options.into_iter().map(|c| {
                            let (name, email) = (c.display_name.clone(), c.email.clone().unwrap_or_default());
                            view! {
                                <li>
                                    <button type="button" class="picker-option" data-testid="preview-contact-option" on:click=move |_| choose(c.clone())>
                                        {name} " " <span class="muted">{email}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_part_of_the_template() {
        assert_eq!(part_label(Some("mjml")), "MJML");
        assert_eq!(part_label(Some("text")), "Text part");
        assert_eq!(part_label(None), "Preview");
    }
}

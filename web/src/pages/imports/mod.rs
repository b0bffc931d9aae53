//! `/app/imports`: bring contacts in from a CSV file (choose it, check the preview,
//! say where each column goes, import) and follow the import live; export every
//! contact to a file.

mod preview;

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{ErrorBanner, FormErrors, LoadError, Loading};
use crate::gql::{ChosenFile, call, chosen_file, file_head, upload};
use crate::ops::imports::{
    AttributeType, Channel, ConsentStatus, ContactExports, ContactImports, ExportRow, ImportRow, ImportSetup,
    StartContactExport, StartContactImport, contact_exports, contact_imports, import_setup, start_contact_export,
    start_contact_import,
};
use crate::ops::short_time;
use crate::session::load;
use preview::Target;

/// Bytes of the file read for the preview.
const HEAD: i32 = 64 * 1024;

/// A chosen file and what its start shows.
#[derive(Clone)]
struct Chosen {
    file: ChosenFile,
    name: String,
    text: String,
    whole: bool,
}

/// The imports page.
#[component]
pub fn ImportsPage() -> impl IntoView {
    let setup = load(|| call::<ImportSetup>(import_setup::Variables));
    let imports = load(|| call::<ContactImports>(contact_imports::Variables));
    let exports = load(|| call::<ContactExports>(contact_exports::Variables));
    // Follows running work: reads the lists again every second while any moves.
    Effect::new(move |_| {
        let busy = |s: &str| matches!(s, "QUEUED" | "RUNNING");
        let importing = imports.data.with(
            |d| matches!(d, Some(Ok(d)) if d.contact_imports.nodes.iter().any(|i| busy(&format!("{:?}", i.status)))),
        );
        let exporting = exports.data.with(
            |d| matches!(d, Some(Ok(d)) if d.contact_exports.nodes.iter().any(|e| busy(&format!("{:?}", e.status)))),
        );
        if importing {
            set_timeout(move || imports.reload(), Duration::from_millis(1000));
        }
        if exporting {
            set_timeout(move || exports.reload(), Duration::from_millis(1000));
        }
    });
    view! {
        <Title text="Import and export · Parley" />
        <header class="page-head">
            <p class="muted"><A href="/app/contacts">"Contacts"</A>" /"</p>
            <h1 data-testid="page-title">"Import and export"</h1>
            <p class="muted">"Bring contacts in from a spreadsheet saved as CSV. Rows are matched on one identity: a contact that has it is updated, others are added; empty cells change nothing, and importing the same file again changes nothing."</p>
        </header>
        {move || match setup.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
            Some(Ok(d)) => {
                let fields: Vec<(String, String, AttributeType)> =
                    d.contact_fields.nodes.into_iter().map(|f| (f.key, f.label, f.kind)).collect();
                view! { <ImportForm fields=fields on_started=move || imports.reload() /> }.into_any()
            }
        }}
        <section class="panel">
            <h2>"Imports"</h2>
            {move || match imports.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) if d.contact_imports.nodes.is_empty() => {
                    view! { <p class="muted" data-testid="imports-empty">"No imports yet."</p> }.into_any()
                }
                Some(Ok(d)) => view! {
                    <table class="table" data-testid="imports">
                        <thead><tr><th>"File"</th><th>"Status"</th><th>"Read"</th><th>"Added"</th><th>"Updated"</th><th>"Unchanged"</th><th>"Rejected"</th><th>"Started"</th></tr></thead>
                        <tbody>{d.contact_imports.nodes.into_iter().map(import_row).collect_view()}</tbody>
                    </table>
                }.into_any(),
            }}
        </section>
        <ExportPanel exports=exports />
    }
}

fn import_row(i: ImportRow) -> impl IntoView {
    let status = format!("{:?}", i.status);
    let running = matches!(status.as_str(), "QUEUED" | "RUNNING");
    let pc = (i.progress * 100.0).round();
    let report = (i.rows_rejected > 0).then(|| {
        view! { <a href=i.error_report_url.clone() data-testid="import-report" download="">"Error report"</a> }
    });
    view! {
        <tr data-testid="import-row">
            <td>{i.file_name}</td>
            <td class="nowrap">
                <span class="chip" data-testid="import-status">{status.clone()}</span>
                {running.then(|| view! { <progress max="100" value=pc.to_string()></progress> })}
                {i.error.map(|e| view! { <span class="error-text">{e}</span> })}
            </td>
            <td data-testid="import-read">{i.rows_read}</td>
            <td data-testid="import-imported">{i.rows_imported}</td>
            <td data-testid="import-updated">{i.rows_updated}</td>
            <td data-testid="import-unchanged">{i.rows_unchanged}</td>
            <td data-testid="import-rejected">{i.rows_rejected}" "{report}</td>
            <td class="muted nowrap">{short_time(&i.created_at)}</td>
        </tr>
    }
}

/// The identity rows are matched on, as the select names it.
const IDENTITIES: [(&str, &str, &str); 3] =
    [("EMAIL", "email", "Email"), ("PHONE", "phone", "Phone"), ("EXTERNAL_ID", "externalId", "External ID")];

/// Choose a file, check the preview and the mapping, import.
#[component]
fn ImportForm(
    fields: Vec<(String, String, AttributeType)>,
    on_started: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let chosen: RwSignal<Option<Chosen>, LocalStorage> = RwSignal::new_local(None);
    let delimiter = RwSignal::new(',');
    let targets: RwSignal<Vec<Target>> = RwSignal::new(Vec::new());
    let identity = RwSignal::new("EMAIL".to_owned());
    let consent = RwSignal::new(false);
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let known: Vec<(String, String)> = fields.iter().map(|(k, l, _)| (k.clone(), l.clone())).collect();
    let fields = StoredValue::new(fields);
    let preview = Memo::new(move |_| {
        chosen.with(|c| c.as_ref().map(|c| preview::read(&c.text, delimiter.get(), 5, c.whole))).unwrap_or_default()
    });
    // A new file or delimiter: guess every column again.
    Effect::new(move |_| {
        let (header, _) = preview.get();
        targets.set(header.iter().map(|h| preview::guess(h, &known)).collect());
    });
    let on_file = move |ev: leptos::ev::Event| {
        errors.clear();
        let Some((file, name, size)) = chosen_file(&ev) else {
            chosen.set(None);
            return;
        };
        spawn_local(async move {
            match file_head(&file, HEAD).await {
                Ok(text) => {
                    delimiter.set(preview::guess_delimiter(&text));
                    let whole = size <= f64::from(HEAD);
                    chosen.set(Some(Chosen { file, name, text, whole }));
                }
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let submit = move |_| {
        let Some(c) = chosen.get_untracked() else { return };
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let (header, _) = preview.get_untracked();
        let kind = identity.get_untracked();
        let own = IDENTITIES.iter().find(|(k, _, _)| *k == kind).map_or("email", |(_, o, _)| o);
        let all = targets.get_untracked();
        let Some(at) = all.iter().position(|t| *t == Target::Own(own)) else {
            let label = IDENTITIES.iter().find(|(k, _, _)| *k == kind).map_or("", |(_, _, l)| l);
            errors.show(
                &crate::gql::ApiErrors::message(format!(
                    "Choose the column that holds the {label} to match contacts on."
                )),
                &[],
            );
            return;
        };
        let options = build_options(
            &header,
            &all,
            at,
            &kind,
            consent.get_untracked(),
            delimiter.get_untracked(),
            &fields.get_value(),
        );
        busy.set(true);
        spawn_local(async move {
            let answer =
                upload::<StartContactImport>(start_contact_import::Variables { file: (), options }, &c.file).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    chosen.set(None);
                    on_started();
                }
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let target_options = move || {
        let mut opts: Vec<(String, String)> = vec![(String::new(), "Skip this column".to_owned())];
        opts.extend(preview::OWN.iter().map(|(k, l)| (Target::Own(k).value(), (*l).to_owned())));
        opts.extend(
            fields.get_value().into_iter().map(|(k, l, _)| (Target::Field(k.clone()).value(), format!("Field: {l}"))),
        );
        opts.extend(preview::NEW_TYPES.iter().map(|(t, l)| (Target::New(t).value(), format!("New field ({l})"))));
        opts
    };
    view! {
        <section class="panel">
            <h2>"Import a file"</h2>
            <ErrorBanner errors=errors />
            <label class="field">
                <span>"CSV file (UTF-8, first line naming the columns)"</span>
                <input type="file" accept=".csv,.txt,text/csv" data-testid="import-file" on:change=on_file />
            </label>
            {move || chosen.get().map(|c| {
                let (header, rows) = preview.get();
                view! {
                    <p class="muted" data-testid="import-chosen">{c.name.clone()}</p>
                    <div class="form-row">
                        <label class="field">
                            <span>"Columns separated by"</span>
                            <select data-testid="import-delimiter" on:change=move |ev| {
                                delimiter.set(event_target_value(&ev).chars().next().unwrap_or(','));
                            }>
                                {[(',', "Comma ,"), (';', "Semicolon ;"), ('\t', "Tab"), ('|', "Bar |")].into_iter().map(|(d, l)| view! {
                                    <option value=d.to_string() selected=move || delimiter.get() == d>{l}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span>"Match contacts on"</span>
                            <select data-testid="import-identity" on:change=move |ev| identity.set(event_target_value(&ev))>
                                {IDENTITIES.iter().map(|(k, _, l)| view! {
                                    <option value=*k selected=move || identity.get() == *k>{*l}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </div>
                    <table class="table" data-testid="import-preview">
                        <thead><tr><th>"Column"</th><th>"Goes to"</th><th>"First rows"</th></tr></thead>
                        <tbody>
                            {header.iter().enumerate().map(|(i, h)| {
                                let samples = rows.iter().filter_map(|r| r.get(i)).filter(|v| !v.is_empty()).take(3).cloned().collect::<Vec<_>>().join(" · ");
                                view! {
                                    <tr data-testid="import-map-row">
                                        <td><strong>{h.clone()}</strong></td>
                                        <td>
                                            <select data-testid="import-target" on:change=move |ev| {
                                                let t = Target::parse(&event_target_value(&ev));
                                                targets.update(|all| if let Some(slot) = all.get_mut(i) { *slot = t; });
                                            }>
                                                {target_options().into_iter().map(|(v, l)| {
                                                    let v2 = v.clone();
                                                    view! { <option value=v selected=move || targets.with(|t| t.get(i).map(Target::value) == Some(v2.clone()))>{l}</option> }
                                                }).collect_view()}
                                            </select>
                                        </td>
                                        <td class="muted">{samples}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <label class="check">
                        <input type="checkbox" data-testid="import-consent-email" on:change=move |ev| consent.set(event_target_checked(&ev)) />
                        " These contacts agreed to receive email from you (recorded with this import as the source)"
                    </label>
                    <button type="button" class="btn btn-primary" data-testid="import-submit" disabled=move || busy.get() on:click=submit>
                        {move || if busy.get() { "Uploading…" } else { "Import" }}
                    </button>
                }
            })}
        </section>
    }
}

/// The options the API takes, from the mapping on the page.
fn build_options(
    header: &[String],
    targets: &[Target],
    identity_at: usize,
    kind: &str,
    consent: bool,
    delimiter: char,
    fields: &[(String, String, AttributeType)],
) -> start_contact_import::ContactImportOptions {
    use start_contact_import::{ConsentInput, IdentityKind, ImportColumn};
    let columns = header
        .iter()
        .zip(targets)
        .enumerate()
        .filter(|(i, _)| *i != identity_at)
        .filter_map(|(_, (h, t))| {
            let (attribute, kind) = match t {
                Target::Skip => return None,
                Target::Own(k) => {
                    ((*k).to_owned(), if *k == "tags" { AttributeType::List } else { AttributeType::String })
                }
                Target::Field(k) => {
                    let kind = fields.iter().find(|(f, _, _)| f == k).map_or(AttributeType::String, |(_, _, t)| *t);
                    (k.clone(), kind)
                }
                Target::New(t) => (preview::key_of(h), AttributeType::parse(t).unwrap_or(AttributeType::String)),
            };
            Some(ImportColumn { column: h.clone(), attribute, type_: kind })
        })
        .collect();
    let identity_kind = match kind {
        "PHONE" => IdentityKind::PHONE,
        "EXTERNAL_ID" => IdentityKind::EXTERNAL_ID,
        _ => IdentityKind::EMAIL,
    };
    start_contact_import::ContactImportOptions {
        identity_column: header.get(identity_at).cloned().unwrap_or_default(),
        identity_kind,
        columns,
        consents: consent
            .then(|| vec![ConsentInput { channel: Channel::Email, status: ConsentStatus::Granted, source: None }]),
        delimiter: Some(if delimiter == '\t' { "\\t".to_owned() } else { delimiter.to_string() }),
    }
}

/// Export every contact to a file, and the recent exports with their downloads.
#[component]
fn ExportPanel(exports: crate::session::Loaded<contact_exports::ResponseData>) -> impl IntoView {
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let start = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        errors.clear();
        spawn_local(async move {
            let answer = call::<StartContactExport>(start_contact_export::Variables).await;
            busy.set(false);
            match answer {
                Ok(_) => exports.reload(),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    view! {
        <section class="panel">
            <div class="panel-head">
                <h2>"Exports"</h2>
                <button type="button" class="btn btn-ghost" data-testid="export-start" disabled=move || busy.get() on:click=start>
                    "Export all contacts"
                </button>
            </div>
            <ErrorBanner errors=errors />
            {move || match exports.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) if d.contact_exports.nodes.is_empty() => {
                    view! { <p class="muted">"No exports yet. Each export is a CSV of every contact, their fields and consent."</p> }.into_any()
                }
                Some(Ok(d)) => view! {
                    <table class="table" data-testid="exports">
                        <tbody>{d.contact_exports.nodes.into_iter().map(export_row).collect_view()}</tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}

fn export_row(e: ExportRow) -> impl IntoView {
    let status = format!("{:?}", e.status);
    view! {
        <tr data-testid="export-row">
            <td class="muted nowrap">{short_time(&e.created_at)}</td>
            <td><span class="chip" data-testid="export-status">{status}</span></td>
            <td>{format!("{} of {} contacts", e.rows_written, e.rows_total)}</td>
            <td>{e.download_url.map(|u| view! { <a href=u data-testid="export-download" download="">"Download CSV"</a> })}</td>
        </tr>
    }
}

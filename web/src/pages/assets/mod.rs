//! `/app/assets`: the assets under review (filtered by state, project and name) and
//! the upload of a new one; `/app/assets/:id` (in [`proof`]): one asset's versions side
//! by side, comments pinned to a version, and asking for a version's approval.

mod proof;

pub use proof::AssetPage;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use serde::Serialize;

use crate::components::{ErrorBanner, Field, Form, LoadError, Loading, Submit};
use crate::gql::{ChosenFile, call, chosen_file, upload};
use crate::ops::assets::{AssetRow, AssetSetup, Assets, CreateAsset, asset_setup, assets, create_asset};
use crate::ops::short_time;
use crate::session::load;

/// The schema's name of an enum value (`IN_REVIEW`), whichever operation's type holds it.
pub(crate) fn enum_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// A version state's class suffix and words.
pub(crate) fn state_label(state: &str) -> (&'static str, &'static str) {
    match state {
        "DRAFT" => ("draft", "Draft"),
        "IN_REVIEW" => ("in-review", "In review"),
        "APPROVED" => ("approved", "Approved"),
        "REJECTED" => ("rejected", "Rejected"),
        "CHANGES_REQUESTED" => ("changes", "Changes requested"),
        _ => ("unknown", "Unknown"),
    }
}

/// A kind in words.
pub(crate) fn kind_label(kind: &str) -> &'static str {
    match kind {
        "IMAGE" => "Image",
        "PDF" => "PDF",
        "HTML" => "HTML email",
        _ => "File",
    }
}

/// The state badge of a version or asset.
pub(crate) fn state_badge(state: &str) -> impl IntoView + use<> {
    let (class, label) = state_label(state);
    view! { <span class=format!("badge badge-{class}") data-testid="asset-state">{label}</span> }
}

/// The assets page.
#[component]
pub fn AssetsPage() -> impl IntoView {
    let setup = load(|| call::<AssetSetup>(asset_setup::Variables));
    let state = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let project = RwSignal::new(String::new());
    let list = load(move || {
        let some = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let vars = assets::Variables {
            state: some(state.get()).and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok()),
            search: some(search.get()),
            project: some(project.get()),
        };
        async move { call::<Assets>(vars).await.map(|d| d.assets.nodes) }
    });
    let projects = Signal::derive(move || match setup.data.get() {
        Some(Ok(d)) => d.projects.nodes.into_iter().map(|p| (p.id, p.name)).collect::<Vec<_>>(),
        _ => Vec::new(),
    });
    let project_name = move |id: &Option<String>| {
        id.as_ref().and_then(|id| projects.get().into_iter().find(|(p, _)| p == id).map(|(_, n)| n)).unwrap_or_default()
    };
    view! {
        <Title text="Assets · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Assets"</h1>
            <p class="muted">"Creative under review: images, PDFs and HTML emails in versions, commented on and approved version by version."</p>
        </header>
        <section class="panel">
            <div class="form form-row">
                <label class="field">
                    <span class="field-label">"State"</span>
                    <select data-testid="assets-state" on:change=move |ev| state.set(event_target_value(&ev))>
                        <option value="">"Any"</option>
                        {["DRAFT", "IN_REVIEW", "CHANGES_REQUESTED", "APPROVED", "REJECTED"].into_iter().map(|s| view! {
                            <option value=s>{state_label(s).1}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Project"</span>
                    <select data-testid="assets-project" on:change=move |ev| project.set(event_target_value(&ev))>
                        <option value="">"Any"</option>
                        {move || projects.get().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Name"</span>
                    <input type="text" data-testid="assets-search" placeholder="banner" on:change=move |ev| search.set(event_target_value(&ev)) />
                </label>
            </div>
            {move || match list.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! { <p class="muted" data-testid="assets-empty">"No assets here yet: upload one below."</p> }.into_any(),
                Some(Ok(rows)) => view! {
                    <table class="table" data-testid="assets-table">
                        <thead><tr><th>"Asset"</th><th>"Kind"</th><th>"Versions"</th><th>"Latest"</th><th>"Approved"</th><th>"Project"</th><th>"Updated"</th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|a: AssetRow| view! {
                                <tr data-testid="asset-row">
                                    <td><a href=format!("/app/assets/{}", a.id) data-testid="asset-link">{a.name.clone()}</a></td>
                                    <td>{kind_label(&enum_name(&a.kind))}</td>
                                    <td class="num">{a.version_count}</td>
                                    <td>{state_badge(&enum_name(&a.state))}</td>
                                    <td>{a.approved_version.map(|v| format!("v{}", v.number)).unwrap_or_else(|| "—".to_owned())}</td>
                                    <td>{project_name(&a.project_id)}</td>
                                    <td class="muted">{short_time(&a.updated_at)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
        <UploadForm projects=projects />
    }
}

/// Uploads a new asset, then opens it.
#[component]
fn UploadForm(projects: Signal<Vec<(String, String)>>) -> impl IntoView {
    let form = Form::new();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let project = RwSignal::new(String::new());
    let file = RwSignal::new(None::<ChosenFile>);
    let on_file = move |ev: leptos::ev::Event| {
        let chosen = chosen_file(&ev);
        if let Some((_, n, _)) = &chosen
            && name.get_untracked().trim().is_empty()
        {
            // The file's name, without its extension, until the user names it.
            name.set(n.rsplit_once('.').map_or(n.as_str(), |(stem, _)| stem).to_owned());
        }
        file.set(chosen.map(|(f, _, _)| f));
    };
    let navigate = use_navigate();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let Some(f) = file.get_untracked() else {
            form.errors.set_field("file", "Choose the file to upload.");
            return;
        };
        let input = create_asset::CreateAssetInput {
            name: name.get_untracked(),
            description: description.get_untracked(),
            project_id: Some(project.get_untracked()).filter(|p| !p.is_empty()),
        };
        let navigate = navigate.clone();
        form.busy.set(true);
        spawn_local(async move {
            let answer = upload::<CreateAsset>(create_asset::Variables { file: (), input }, &f).await;
            form.busy.set(false);
            match answer {
                Ok(d) => navigate(&format!("/app/assets/{}", d.create_asset.id), Default::default()),
                Err(e) => form.errors.show(&e, &["name", "description", "projectId", "file"]),
            }
        });
    };
    view! {
        <section class="panel">
            <h2>"Upload an asset"</h2>
            <form class="form" on:submit=submit>
                <ErrorBanner errors=form.errors />
                <label class="field" class:invalid=move || form.errors.field("file").is_some()>
                    <span class="field-label">"File (PNG, JPEG, GIF, WebP, SVG, PDF or HTML)"</span>
                    <input type="file" data-testid="asset-file" accept="image/*,.pdf,.html,.htm,application/pdf,text/html" on:change=on_file />
                    {move || form.errors.field("file").map(|m| view! { <span class="field-error" data-testid="error-file">{m}</span> })}
                </label>
                <div class="form-row">
                    <Field label="Name" name="name" value=name errors=form.errors testid="asset-name" />
                    <label class="field">
                        <span class="field-label">"Project"</span>
                        <select data-testid="asset-project" on:change=move |ev| project.set(event_target_value(&ev))>
                            <option value="">"None"</option>
                            {move || projects.get().into_iter().map(|(id, n)| view! { <option value=id>{n}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
                <Field label="Description" name="description" value=description errors=form.errors testid="asset-description" optional=true />
                <Submit label="Upload" busy_label="Uploading…" busy=form.busy testid="asset-submit" />
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_kinds_read_as_words() {
        assert_eq!(state_label("CHANGES_REQUESTED"), ("changes", "Changes requested"));
        assert_eq!(state_label("SOMETHING_NEW").1, "Unknown");
        assert_eq!(kind_label("HTML"), "HTML email");
        assert_eq!(enum_name(&"IN_REVIEW"), "IN_REVIEW");
    }
}

//! `/app/assets/:id`: one asset's versions, shown one at a time or two side by side,
//! each with its comments (pinned where the reviewer clicked on a picture, or about a
//! page), asking for a version's approval, and uploading the next version.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{enum_name, kind_label, state_badge};
use crate::components::{Caller, ErrorBanner, Form, FormErrors, LoadError, Loading, Submit};
use crate::gql::{ChosenFile, call, chosen_file, upload};
use crate::ops::assets::{
    AddAssetVersion, Asset, CommentOnAssetVersion, RequestAssetApproval, ResolveAssetComment, Version,
    add_asset_version, asset, comment_on_asset_version, request_asset_approval, resolve_asset_comment,
};
use crate::ops::short_time;
use crate::session::{Loaded, load};

type Data = asset::AssetAsset;

/// Where a click at (`x`, `y`) falls in a box at (`left`, `top`) of `width` × `height`,
/// as fractions from its top left (kept to the ten-thousandth the server stores).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(crate) fn pin_at(x: f64, y: f64, left: f64, top: f64, width: f64, height: f64) -> Option<(f64, f64)> {
    if width <= 0.0 || height <= 0.0 || !x.is_finite() || !y.is_finite() {
        return None;
    }
    let round = |v: f64| (v.clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0;
    Some((round((x - left) / width), round((y - top) / height)))
}

#[cfg(feature = "hydrate")]
fn click_fraction(ev: &leptos::ev::MouseEvent) -> Option<(f64, f64)> {
    use wasm_bindgen::JsCast;
    let el: web_sys::Element = ev.current_target()?.dyn_into().ok()?;
    let r = el.get_bounding_client_rect();
    pin_at(f64::from(ev.client_x()), f64::from(ev.client_y()), r.left(), r.top(), r.width(), r.height())
}

#[cfg(not(feature = "hydrate"))]
fn click_fraction(_ev: &leptos::ev::MouseEvent) -> Option<(f64, f64)> {
    None
}

/// A percentage for an SVG coordinate.
fn percent(v: f64) -> String {
    format!("{:.2}%", v * 100.0)
}

/// One asset.
#[component]
pub fn AssetPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = load(move || {
        let id = id();
        async move { call::<Asset>(asset::Variables { id }).await.map(|d| d.asset) }
    });
    // The version shown, and the one beside it (empty: none).
    let left = RwSignal::new(String::new());
    let right = RwSignal::new(String::new());
    // The version the address names (an approval links to one), else the latest.
    Effect::new(move |_| {
        if let Some(Ok(a)) = data.data.get()
            && let Some(latest) = a.versions.first()
            && !a.versions.iter().any(|v| v.id == left.get_untracked())
        {
            let named = a.versions.iter().find(|v| v.id == id()).unwrap_or(latest);
            left.set(named.id.clone());
        }
    });
    view! {
        <Title text="Asset · Parley" />
        {move || match data.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
            Some(Ok(a)) => view! { <Proof asset=a data=data left=left right=right /> }.into_any(),
        }}
    }
}

#[component]
fn Proof(asset: Data, data: Loaded<Data>, left: RwSignal<String>, right: RwSignal<String>) -> impl IntoView {
    let versions = StoredValue::new(asset.versions.clone());
    let find = move |id: String| versions.with_value(|all| all.iter().find(|v| v.id == id).cloned());
    let errors = FormErrors::new();
    let approved = asset.approved_version.as_ref().map(|v| format!("v{}", v.number));
    view! {
        <header class="page-head">
            <p class="muted"><A href="/app/assets">"Assets"</A>" /"</p>
            <h1 data-testid="page-title">{asset.name.clone()}</h1>
            <p class="muted">
                {kind_label(&enum_name(&asset.kind))} " · " {state_badge(&enum_name(&asset.state))}
                " · approved version: " <strong data-testid="asset-approved">{approved.unwrap_or_else(|| "none yet".to_owned())}</strong>
            </p>
            {(!asset.description.is_empty()).then(|| view! { <p>{asset.description.clone()}</p> })}
        </header>
        <section class="panel">
            <h2>"Versions"</h2>
            <ErrorBanner errors=errors />
            <table class="table" data-testid="asset-versions">
                <thead><tr><th>"Version"</th><th>"File"</th><th>"State"</th><th>"Uploaded"</th><th>"Note"</th><th></th></tr></thead>
                <tbody>
                    {asset.versions.iter().map(|v| {
                        let (show, beside) = (v.id.clone(), v.id.clone());
                        let (shown, compared) = (v.id.clone(), v.id.clone());
                        view! {
                            <tr data-testid="version-row" class:selected=move || left.get() == shown || right.get() == compared>
                                <td><strong>{format!("v{}", v.number)}</strong></td>
                                <td>{v.file_name.clone()} " " <span class="muted">{format!("{:.0} KB", (v.size_bytes / 1024.0).ceil())}</span></td>
                                <td>{state_badge(&enum_name(&v.state))}</td>
                                <td class="muted">{format!("{} · {}", v.author_label, short_time(&v.created_at))}</td>
                                <td>{v.note.clone()}</td>
                                <td class="actions">
                                    <button type="button" class="btn btn-ghost btn-small" data-testid="version-show" on:click=move |_| left.set(show.clone())>"Show"</button>
                                    <button type="button" class="btn btn-ghost btn-small" data-testid="version-compare" on:click=move |_| right.set(beside.clone())>"Compare"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <div class="proof-panes" class:side-by-side=move || !right.get().is_empty() data-testid="proof-panes">
            {move || find(left.get()).map(|v| view! { <Pane version=v data=data errors=errors testid="pane-left" /> })}
            {move || find(right.get()).map(|v| view! {
                <div class="pane-close">
                    <button type="button" class="btn btn-ghost btn-small" data-testid="compare-close" on:click=move |_| right.set(String::new())>"Close comparison"</button>
                </div>
                <Pane version=v data=data errors=errors testid="pane-right" />
            })}
        </div>
        <NewVersion asset_id=asset.id.clone() data=data left=left />
    }
}

/// One version: the file, its comments and what may be done with it.
#[component]
fn Pane(version: Version, data: Loaded<Data>, errors: FormErrors, testid: &'static str) -> impl IntoView {
    let url = format!("/files/assets/{}", version.id);
    let kind = enum_name(&version.kind);
    let state = enum_name(&version.state);
    let pin = RwSignal::new(None::<(f64, f64)>);
    let comments = version.comments.clone();
    // Pins are numbered in the order of the comments that have one.
    let pinned: Vec<(usize, f64, f64, bool)> = comments
        .iter()
        .filter_map(|c| Some((c.x?, c.y?, c.resolved)))
        .enumerate()
        .map(|(i, (x, y, r))| (i + 1, x, y, r))
        .collect();
    let viewer = match kind.as_str() {
        "IMAGE" => view! {
            <div class="proof-image" data-testid="proof-image">
                <img src=url.clone() alt=version.file_name.clone() />
                <svg class="proof-pins" data-testid="proof-pins" on:click=move |ev| pin.set(click_fraction(&ev))>
                    {pinned.into_iter().map(|(n, x, y, resolved)| view! {
                        <g class="pin" class:resolved=resolved data-testid="pin">
                            <circle cx=percent(x) cy=percent(y) r="11" />
                            <text x=percent(x) y=percent(y) dy="4" text-anchor="middle">{n}</text>
                        </g>
                    }).collect_view()}
                    {move || pin.get().map(|(x, y)| view! {
                        <circle class="pin-new" data-testid="pin-new" cx=percent(x) cy=percent(y) r="9" />
                    })}
                </svg>
            </div>
        }
        .into_any(),
        // HTML is sandboxed twice: by this frame, and by the policy the file is served with.
        "HTML" => view! { <iframe class="proof-frame" data-testid="proof-frame" sandbox="" src=url.clone() title=version.file_name.clone()></iframe> }.into_any(),
        _ => view! { <iframe class="proof-frame" data-testid="proof-frame" src=url.clone() title=version.file_name.clone()></iframe> }.into_any(),
    };
    let version_id = version.id.clone();
    let may_request = matches!(state.as_str(), "DRAFT" | "CHANGES_REQUESTED");
    let request = move |_| {
        errors.clear();
        let version = version_id.clone();
        spawn_local(async move {
            match call::<RequestAssetApproval>(request_asset_approval::Variables { version }).await {
                Ok(_) => data.reload(),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let mut number = 0;
    view! {
        <article class="pane" data-testid=testid>
            <header class="pane-head">
                <h3>{format!("Version {}", version.number)} " " {state_badge(&state)}</h3>
                <div class="actions">
                    {may_request.then(|| view! {
                        <button type="button" class="btn btn-primary btn-small" data-testid="request-approval" on:click=request>"Request approval"</button>
                    })}
                    {version.approval_id.clone().filter(|_| state == "IN_REVIEW").map(|_| view! {
                        <A href="/app/approvals" attr:class="btn btn-ghost btn-small" attr:data-testid="see-approval">"In the approvals inbox"</A>
                    })}
                    <a class="btn btn-ghost btn-small" href=format!("{url}?download=1") data-testid="version-download">"Download"</a>
                </div>
            </header>
            {(!version.note.is_empty()).then(|| view! { <p class="muted">{version.note.clone()}</p> })}
            {viewer}
            {(kind == "IMAGE").then(|| view! { <p class="muted field-hint">"Click the picture to pin a comment to that spot."</p> })}
            <ol class="proof-comments" data-testid="comments">
                {comments.into_iter().map(|c| {
                    let label = if c.x.is_some() { number += 1; Some(number) } else { None };
                    let (id, resolved) = (c.id.clone(), c.resolved);
                    let toggle = move |_| {
                        errors.clear();
                        let id = id.clone();
                        spawn_local(async move {
                            match call::<ResolveAssetComment>(resolve_asset_comment::Variables { id, resolved: !resolved }).await {
                                Ok(_) => data.reload(),
                                Err(e) => errors.show(&e, &[]),
                            }
                        });
                    };
                    view! {
                        <li class="proof-comment" class:resolved=c.resolved data-testid="comment">
                            {label.map(|n| view! { <span class="pin-label">{n}</span> })}
                            {c.page.map(|p| view! { <span class="muted">{format!("Page {p} · ")}</span> })}
                            <span data-testid="comment-body">{c.body.clone()}</span>
                            <span class="muted">{format!(" — {} · {}", c.author_label, short_time(&c.created_at))}</span>
                            <button type="button" class="btn btn-ghost btn-small" data-testid="comment-resolve" on:click=toggle>
                                {if c.resolved { "Reopen" } else { "Resolve" }}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <CommentForm version_id=version.id.clone() pdf=kind == "PDF" pin=pin data=data />
        </article>
    }
}

#[component]
fn CommentForm(version_id: String, pdf: bool, pin: RwSignal<Option<(f64, f64)>>, data: Loaded<Data>) -> impl IntoView {
    let form = Form::new();
    let body = RwSignal::new(String::new());
    let page = RwSignal::new(String::new());
    let version_id = StoredValue::new(version_id);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let at = pin.get_untracked();
        let input = comment_on_asset_version::CommentOnAssetVersionInput {
            version_id: version_id.get_value(),
            body: body.get_untracked(),
            x: at.map(|p| p.0),
            y: at.map(|p| p.1),
            page: page.get_untracked().trim().parse().ok(),
        };
        form.send::<CommentOnAssetVersion, _>(
            Caller::SignedIn,
            comment_on_asset_version::Variables { input },
            &["body", "x", "y", "page"],
            move |_| {
                body.set(String::new());
                pin.set(None);
                data.reload();
            },
        );
    };
    view! {
        <form class="form proof-comment-form" on:submit=submit>
            <ErrorBanner errors=form.errors />
            <label class="field" class:invalid=move || form.errors.field("body").is_some()>
                <span class="field-label">"Comment"</span>
                <textarea data-testid="comment-text" rows="2" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                {move || form.errors.field("body").map(|m| view! { <span class="field-error" data-testid="error-body">{m}</span> })}
            </label>
            {pdf.then(|| view! {
                <label class="field">
                    <span class="field-label">"Page"</span>
                    <input type="number" min="1" data-testid="comment-page" prop:value=move || page.get() on:input=move |ev| page.set(event_target_value(&ev)) />
                </label>
            })}
            {move || pin.get().map(|(x, y)| view! {
                <p class="muted" data-testid="comment-pin">
                    {format!("Pinned at {:.0}% across, {:.0}% down ", x * 100.0, y * 100.0)}
                    <button type="button" class="btn btn-ghost btn-small" on:click=move |_| pin.set(None)>"Unpin"</button>
                </p>
            })}
            <Submit label="Comment" busy_label="Saving…" busy=form.busy testid="comment-submit" />
        </form>
    }
}

/// Uploads the next version.
#[component]
fn NewVersion(asset_id: String, data: Loaded<Data>, left: RwSignal<String>) -> impl IntoView {
    let form = Form::new();
    let note = RwSignal::new(String::new());
    let file = RwSignal::new(None::<ChosenFile>);
    let asset_id = StoredValue::new(asset_id);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let Some(f) = file.get_untracked() else {
            form.errors.set_field("file", "Choose the file of the new version.");
            return;
        };
        let input =
            add_asset_version::AddAssetVersionInput { asset_id: asset_id.get_value(), note: note.get_untracked() };
        form.busy.set(true);
        spawn_local(async move {
            let answer = upload::<AddAssetVersion>(add_asset_version::Variables { file: (), input }, &f).await;
            form.busy.set(false);
            match answer {
                Ok(d) => {
                    note.set(String::new());
                    left.set(d.add_asset_version.id);
                    data.reload();
                }
                Err(e) => form.errors.show(&e, &["note", "file"]),
            }
        });
    };
    view! {
        <section class="panel">
            <h2>"Upload a new version"</h2>
            <form class="form" on:submit=submit>
                <ErrorBanner errors=form.errors />
                <div class="form-row">
                    <label class="field" class:invalid=move || form.errors.field("file").is_some()>
                        <span class="field-label">"File"</span>
                        <input type="file" data-testid="version-file" accept="image/*,.pdf,.html,.htm,application/pdf,text/html" on:change=move |ev| file.set(chosen_file(&ev).map(|(f, _, _)| f)) />
                        {move || form.errors.field("file").map(|m| view! { <span class="field-error" data-testid="error-file">{m}</span> })}
                    </label>
                    <label class="field" class:invalid=move || form.errors.field("note").is_some()>
                        <span class="field-label">"What changed"</span>
                        <input type="text" data-testid="version-note" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                        {move || form.errors.field("note").map(|m| view! { <span class="field-error" data-testid="error-note">{m}</span> })}
                    </label>
                </div>
                <Submit label="Upload version" busy_label="Uploading…" busy=form.busy testid="version-submit" />
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_click_is_a_fraction_of_the_picture_from_its_top_left() {
        assert_eq!(pin_at(150.0, 75.0, 100.0, 50.0, 200.0, 100.0), Some((0.25, 0.25)));
        assert_eq!(pin_at(0.0, 500.0, 100.0, 50.0, 200.0, 100.0), Some((0.0, 1.0)), "kept inside");
        assert_eq!(pin_at(133.3333, 50.0, 100.0, 50.0, 100.0, 100.0), Some((0.3333, 0.0)));
        assert_eq!(pin_at(1.0, 1.0, 0.0, 0.0, 0.0, 10.0), None, "nothing shown, nothing pinned");
        assert_eq!(percent(0.25), "25.00%");
    }
}

//! `/app/segments`: the workspace's saved segments with their counts, and
//! `/app/segments/:id` (`new` to make one): the visual rule builder (nested all / any /
//! not groups of attribute, event, consent and segment conditions) with a live count
//! and the first matching contacts.

mod rule;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::components::{Chunk, ErrorBanner, FormErrors, LoadError, Loading, PagedTable, paged};
use crate::gql::call;
use crate::ops::segments::{
    CreateSegment, DeleteSegment, ExportSegment, PreviewSegment, Segment, SegmentRow, SegmentSetup, Segments,
    UpdateSegment, create_segment, delete_segment, export_segment, preview_segment, segment, segment_setup, segments,
    update_segment,
};
use crate::ops::short_time;
use crate::session::load;
use rule::Node;

/// The segments page.
#[component]
pub fn SegmentsPage() -> impl IntoView {
    let list = paged(
        |after| async move { call::<Segments>(segments::Variables { after }).await.map(|d| Chunk::from(d.segments)) },
        |s: &SegmentRow| s.id.clone(),
    );
    view! {
        <Title text="Segments · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Segments"</h1>
            <p class="muted">"Groups of contacts by what they are, what they did and what they agreed to: kept up to date as contacts change."</p>
            <A href="/app/segments/new" attr:class="btn btn-primary" attr:data-testid="segment-new">"New segment"</A>
        </header>
        <section class="panel">
            <PagedTable
                list=list
                head=&["Name", "Contacts", "Kind", "Changed"]
                row=segment_row
                empty="No segments yet."
                testid="segments"
            />
        </section>
    }
}

fn segment_row(s: SegmentRow) -> impl IntoView {
    view! {
        <tr data-testid="segment-row">
            <td><A href=format!("/app/segments/{}", s.id) attr:data-testid="segment-link">{s.name}</A></td>
            <td data-testid="segment-row-count">{s.count}</td>
            <td class="muted">{format!("{:?}", s.kind).to_lowercase()}</td>
            <td class="muted nowrap">{short_time(&s.updated_at)}</td>
        </tr>
    }
}

/// What the builder offers: the attributes (own fields, then the workspace's) and the
/// other segments.
#[derive(Clone, Default)]
struct Choices {
    attributes: Vec<(String, String)>,
    segments: Vec<(String, String)>,
}

/// One segment: its name and rule, built and previewed live.
#[component]
pub fn SegmentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let setup = load(|| call::<SegmentSetup>(segment_setup::Variables));
    let saved = load(move || {
        let id = id();
        async move {
            if id == "new" {
                return Ok(None);
            }
            call::<Segment>(segment::Variables { id }).await.map(|d| Some(d.segment))
        }
    });
    view! {
        <Title text="Segment · Parley" />
        <header class="page-head">
            <p class="muted"><A href="/app/segments">"Segments"</A>" /"</p>
            <h1 data-testid="page-title">{move || if id() == "new" { "New segment".to_owned() } else { "Segment".to_owned() }}</h1>
        </header>
        {move || match (setup.data.get(), saved.data.get()) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => view! { <LoadError errors=e /> }.into_any(),
            (Some(Ok(s)), Some(Ok(found))) => {
                let mut attributes: Vec<(String, String)> = ["email", "phone", "externalId", "firstName", "lastName", "timeZone", "tags", "createdAt"]
                    .iter()
                    .map(|k| ((*k).to_owned(), (*k).to_owned()))
                    .collect();
                attributes.extend(s.contact_fields.nodes.into_iter().map(|f| (f.key, f.label)));
                let me = found.as_ref().map(|f| f.id.clone());
                let choices = Choices {
                    attributes,
                    segments: s.segments.nodes.into_iter().filter(|g| Some(&g.id) != me.as_ref()).map(|g| (g.id, g.name)).collect(),
                };
                let (name, tree) = match &found {
                    Some(f) => (f.name.clone(), f.rule.as_ref().map(Node::from_json).unwrap_or_else(Node::all)),
                    None => (String::new(), Node::all()),
                };
                view! { <Editor id=me name=name tree=tree choices=choices /> }.into_any()
            }
            _ => view! { <Loading /> }.into_any(),
        }}
    }
}

#[component]
fn Editor(id: Option<String>, name: String, tree: Node, choices: Choices) -> impl IntoView {
    let name = RwSignal::new(name);
    let tree = RwSignal::new(tree);
    let choices = StoredValue::new(choices);
    let count = RwSignal::new(None::<i64>);
    let sample = RwSignal::new(Vec::<String>::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    // Every change of the rule counts again (answers to older rules are dropped).
    let asked = StoredValue::new(0u32);
    Effect::new(move |_| {
        let rule = tree.with(Node::to_json);
        asked.update_value(|n| *n = n.wrapping_add(1));
        let mine = asked.get_value();
        if tree.with(|t| matches!(t, Node::Group { parts, .. } if parts.is_empty())) {
            count.set(None);
            sample.set(Vec::new());
            return;
        }
        spawn_local(async move {
            let answer = call::<PreviewSegment>(preview_segment::Variables { rule }).await;
            if asked.get_value() != mine {
                return;
            }
            match answer {
                Ok(d) => {
                    errors.clear();
                    count.set(Some(d.preview_segment.count));
                    sample.set(
                        d.preview_segment.contacts.into_iter().map(|c| c.email.unwrap_or(c.display_name)).collect(),
                    );
                }
                Err(e) => {
                    count.set(None);
                    errors.show(&e, &[]);
                }
            }
        });
    });
    let id = StoredValue::new(id);
    let save = {
        let navigate = navigate.clone();
        move |_| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            let rule = tree.with_untracked(Node::to_json);
            let name = name.get_untracked();
            let navigate = navigate.clone();
            spawn_local(async move {
                let answer = match id.get_value() {
                    Some(id) => call::<UpdateSegment>(update_segment::Variables { id, name, rule })
                        .await
                        .map(|d| d.update_segment.id),
                    None => call::<CreateSegment>(create_segment::Variables { name, rule })
                        .await
                        .map(|d| d.create_segment.id),
                };
                busy.set(false);
                match answer {
                    Ok(_) => navigate("/app/segments", Default::default()),
                    Err(e) => errors.show(&e, &[]),
                }
            });
        }
    };
    let delete = move |_| {
        let Some(sid) = id.get_value() else { return };
        let navigate = navigate.clone();
        spawn_local(async move {
            match call::<DeleteSegment>(delete_segment::Variables { id: sid }).await {
                Ok(_) => navigate("/app/segments", Default::default()),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let exported = RwSignal::new(false);
    let export = move |_| {
        let Some(sid) = id.get_value() else { return };
        spawn_local(async move {
            match call::<ExportSegment>(export_segment::Variables { id: sid }).await {
                Ok(_) => exported.set(true),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    view! {
        <section class="panel">
            <ErrorBanner errors=errors />
            <label class="field">
                <span>"Name"</span>
                <input type="text" data-testid="segment-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <div class="rule-builder" data-testid="rule-builder">
                {move || part_view(tree, Vec::new(), tree.get(), choices)}
            </div>
            <p class="segment-count">
                <strong data-testid="segment-count">{move || count.get().map_or_else(|| "–".to_owned(), |n| n.to_string())}</strong>
                {move || if tree.with(|t| matches!(t, Node::Group { parts, .. } if parts.is_empty())) {
                    " contacts: add a condition to start"
                } else {
                    " contacts match now"
                }}
            </p>
            <ul class="muted" data-testid="segment-sample">
                {move || sample.get().into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
            </ul>
            <div class="form-row">
                <button type="button" class="btn btn-primary" data-testid="segment-save" disabled=move || busy.get() on:click=save>"Save segment"</button>
                {id.get_value().is_some().then(|| view! {
                    <button type="button" class="btn btn-ghost" data-testid="segment-export" on:click=export>"Export to CSV"</button>
                    <button type="button" class="btn btn-danger" data-testid="segment-delete" on:click=delete.clone()>"Delete"</button>
                })}
            </div>
            {move || exported.get().then(|| view! {
                <p data-testid="segment-exported">"Export started: it appears under " <A href="/app/imports">"Import and export"</A> "."</p>
            })}
        </section>
    }
}

/// Applies `edit` to the part at `path`.
fn edit(tree: RwSignal<Node>, path: &[usize], edit: impl FnOnce(&mut Node)) {
    tree.update(|t| {
        if let Some(n) = t.at_mut(path) {
            edit(n);
        }
    });
}

fn select(
    testid: &'static str,
    options: Vec<(String, String)>,
    current: String,
    on: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <select data-testid=testid on:change=move |ev| on(event_target_value(&ev))>
            {options.into_iter().map(|(v, l)| {
                let selected = v == current;
                view! { <option value=v selected=selected>{l}</option> }
            }).collect_view()}
        </select>
    }
}

fn text_input(
    testid: &'static str,
    value: String,
    placeholder: &'static str,
    on: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <input type="text" data-testid=testid value=value placeholder=placeholder on:change=move |ev| on(event_target_value(&ev)) />
    }
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(v, l)| ((*v).to_owned(), (*l).to_owned())).collect()
}

/// One part of the rule, and (for a group) its parts, recursively.
fn part_view(tree: RwSignal<Node>, path: Vec<usize>, node: Node, choices: StoredValue<Choices>) -> AnyView {
    let p = path.clone();
    let remove = (!path.is_empty()).then(|| {
        let p = p.clone();
        view! { <button type="button" class="btn btn-ghost btn-small" data-testid="rule-remove" on:click=move |_| tree.update(|t| t.remove(&p))>"Remove"</button> }
    });
    let at = move |p: &Vec<usize>| p.clone();
    match node {
        Node::Group { any, not, parts } => {
            let (p1, p2, p3) = (at(&p), at(&p), at(&p));
            let mode = if any { "any" } else { "all" };
            let adds = rule::KINDS.iter().chain([("group", "Group")].iter()).map(|(k, l)| {
                let p = p3.clone();
                let k = *k;
                view! {
                    <button type="button" class="btn btn-ghost btn-small" data-testid=format!("rule-add-{k}")
                        on:click=move |_| edit(tree, &p, |n| if let Node::Group { parts, .. } = n { parts.push(Node::new(k)) })>
                        {format!("+ {l}")}
                    </button>
                }
            }).collect_view();
            let children = parts
                .into_iter()
                .enumerate()
                .map(|(i, child)| {
                    let mut cp = path.clone();
                    cp.push(i);
                    part_view(tree, cp, child, choices)
                })
                .collect_view();
            view! {
                <div class="rule-group" data-testid="rule-group">
                    <div class="rule-head">
                        <label class="check">
                            <input type="checkbox" data-testid="rule-not" checked=not
                                on:change=move |ev| { let v = event_target_checked(&ev); edit(tree, &p1, |n| if let Node::Group { not, .. } = n { *not = v }) } />
                            " not"
                        </label>
                        {select("rule-mode", owned(&[("all", "all of these"), ("any", "any of these")]), mode.to_owned(),
                            move |v| edit(tree, &p2, |n| if let Node::Group { any, .. } = n { *any = v == "any" }))}
                        {remove}
                    </div>
                    <div class="rule-parts">{children}</div>
                    <div class="rule-adds">{adds}</div>
                </div>
            }
            .into_any()
        }
        Node::Attribute { name, op, value } => {
            let (p1, p2, p3) = (at(&p), at(&p), at(&p));
            let attrs = choices.with_value(|c| c.attributes.clone());
            view! {
                <div class="rule-part" data-testid="rule-part">
                    {select("rule-attr-name", attrs, name, move |v| edit(tree, &p1, |n| if let Node::Attribute { name, .. } = n { *name = v }))}
                    {select("rule-op", owned(&rule::OPS), op.clone(), move |v| edit(tree, &p2, |n| if let Node::Attribute { op, .. } = n { *op = v }))}
                    {(op != "exists").then(|| text_input("rule-value", value, "value", move |v| edit(tree, &p3, |n| if let Node::Attribute { value, .. } = n { *value = v })))}
                    {remove}
                </div>
            }
            .into_any()
        }
        Node::Event { kind, within, op, count } => {
            let (p1, p2, p3, p4) = (at(&p), at(&p), at(&p), at(&p));
            view! {
                <div class="rule-part" data-testid="rule-part">
                    "Event "
                    {text_input("rule-event-type", kind, "purchase", move |v| edit(tree, &p1, |n| if let Node::Event { kind, .. } = n { *kind = v }))}
                    {select("rule-event-op", owned(&rule::OPS[..6]), op, move |v| edit(tree, &p2, |n| if let Node::Event { op, .. } = n { *op = v }))}
                    {text_input("rule-event-count", count, "1", move |v| edit(tree, &p3, |n| if let Node::Event { count, .. } = n { *count = v }))}
                    " times within "
                    {text_input("rule-event-within", within, "P30D (blank: ever)", move |v| edit(tree, &p4, |n| if let Node::Event { within, .. } = n { *within = v }))}
                    {remove}
                </div>
            }
            .into_any()
        }
        Node::Consent { channel } => {
            let channels = owned(&[
                ("EMAIL", "Email"),
                ("SMS", "SMS"),
                ("MAIL", "Mail"),
                ("PHONE", "Phone"),
                ("MESSAGING", "Messaging"),
            ]);
            view! {
                <div class="rule-part" data-testid="rule-part">
                    "Agreed to be contacted by "
                    {select("rule-consent", channels, channel, move |v| edit(tree, &p, |n| if let Node::Consent { channel } = n { *channel = v }))}
                    {remove}
                </div>
            }
            .into_any()
        }
        Node::InSegment { id } => {
            let mut options = vec![(String::new(), "Choose a segment".to_owned())];
            options.extend(choices.with_value(|c| c.segments.clone()));
            view! {
                <div class="rule-part" data-testid="rule-part">
                    "Is in "
                    {select("rule-segment", options, id, move |v| edit(tree, &p, |n| if let Node::InSegment { id } = n { *id = v }))}
                    {remove}
                </div>
            }
            .into_any()
        }
    }
}

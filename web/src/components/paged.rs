//! Lists read a page at a time: [`paged`] keeps the rows read so far for the current
//! workspace, and [`PagedTable`] shows them with the loading, error and empty states
//! and "Load more". Every list page of every area is these two plus its row.

use std::future::Future;

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{FormErrors, LoadError, LoadMore, Loading};
use crate::gql::{self, ApiErrors};
use crate::ops::PageInfo;
use crate::session::use_session;

/// One page of a connection, as the list keeps it (see `ops::connection_chunk!`).
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk<T> {
    /// The page's rows.
    pub rows: Vec<T>,
    /// Where the next page starts.
    pub page: PageInfo,
    /// How many rows the whole list has.
    pub total: i64,
}

/// The rows of a paged list read so far, with its state.
pub struct Paged<T: Send + Sync + 'static> {
    /// The rows, in the server's order, one per key.
    pub rows: RwSignal<Vec<T>>,
    /// The last page read.
    pub page: RwSignal<PageInfo>,
    /// The list's length, once known.
    pub total: RwSignal<Option<i64>>,
    /// True once the first page arrived.
    pub loaded: RwSignal<bool>,
    /// True while a page is being read.
    pub busy: RwSignal<bool>,
    /// Why the last read failed.
    pub error: RwSignal<Option<ApiErrors>>,
    version: RwSignal<u32>,
    clear: StoredValue<bool>,
    more: Callback<Option<String>>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    /// Reads the list again from its first page (after a change), keeping the rows on
    /// screen until it arrives.
    pub fn reload(&self) {
        self.version.update(|v| *v = v.wrapping_add(1));
    }

    /// Reads the list again from its first page, showing "Loading…" meanwhile (for a
    /// new filter, whose old rows would mislead).
    pub fn restart(&self) {
        self.clear.set_value(true);
        self.reload();
    }

    /// True when the last read was refused with `code` (`FORBIDDEN`, say).
    pub fn refused_with(&self, code: &str) -> bool {
        self.error.with(|e| e.as_ref().is_some_and(|e| e.has_code(code)))
    }

    /// Runs a mutation from a row (revoke, remove, retry), then reads the list again;
    /// a refusal goes to `errors`' banner.
    pub fn act<Q: GraphQLQuery + 'static>(&self, variables: Q::Variables, errors: FormErrors)
    where
        Q::Variables: 'static,
    {
        self.act_or::<Q>(variables, errors, || {});
    }

    /// [`Paged::act`], running `refused` first when the server says no (to put back a
    /// control the user already moved).
    pub fn act_or<Q: GraphQLQuery + 'static>(
        &self,
        variables: Q::Variables,
        errors: FormErrors,
        refused: impl FnOnce() + 'static,
    ) where
        Q::Variables: 'static,
    {
        let this = *self;
        errors.clear();
        spawn_local(async move {
            if let Err(e) = gql::call::<Q>(variables).await {
                refused();
                errors.show(&e, &[]);
            }
            this.reload();
        });
    }
}

/// What a row shows, as `<For>`'s key: every field, IDs included, so a changed row is
/// drawn anew and an unchanged one kept. (Rows hold JSON and floats, so no `Hash`.)
fn fingerprint<T: std::fmt::Debug>(row: &T) -> String {
    format!("{row:?}")
}

/// Reads a list a page at a time: the first page after hydration, again from the
/// first page whenever the workspace changes or on [`Paged::reload`] /
/// [`Paged::restart`], and the next
/// page on "Load more". `fetch(after)` reads the page after the cursor. Rows are kept
/// once per `key` (a row can move between pages while they are read), and answers to
/// an older request are dropped.
pub fn paged<T, K, F, Fut>(fetch: F, key: fn(&T) -> K) -> Paged<T>
where
    T: Send + Sync + 'static,
    K: PartialEq + 'static,
    F: Fn(Option<String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Chunk<T>, ApiErrors>> + 'static,
{
    let session = use_session();
    let rows = RwSignal::new(Vec::new());
    let page = RwSignal::new(PageInfo::default());
    let total = RwSignal::new(None);
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None);
    let version = RwSignal::new(0u32);
    let clear = StoredValue::new(false);
    let latest = StoredValue::new(0u64);
    let fetch = StoredValue::new(fetch);

    let read = move |after: Option<String>| {
        let fresh = after.is_none();
        let ticket = latest.get_value().wrapping_add(1);
        latest.set_value(ticket);
        busy.set(true);
        let request = fetch.with_value(|f| f(after));
        spawn_local(async move {
            let answer = request.await;
            if latest.try_get_value() != Some(ticket) {
                return;
            }
            let _ = busy.try_set(false);
            match answer {
                Ok(chunk) => {
                    if fresh {
                        rows.set(chunk.rows);
                    } else {
                        rows.update(|list: &mut Vec<T>| {
                            for row in chunk.rows {
                                if !list.iter().any(|r| key(r) == key(&row)) {
                                    list.push(row);
                                }
                            }
                        });
                    }
                    page.set(chunk.page);
                    total.set(Some(chunk.total));
                    error.set(None);
                    loaded.set(true);
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };

    Effect::new(move |previous: Option<Option<String>>| {
        let workspace = session.workspace_id.get();
        version.track();
        // Another workspace's rows (or another filter's) must not stay on screen.
        if previous.is_none_or(|p| p != workspace) || clear.get_value() {
            clear.set_value(false);
            loaded.set(false);
            error.set(None);
            rows.set(Vec::new());
            page.set(PageInfo::default());
            total.set(None);
        }
        untrack(|| read(None));
        workspace
    });
    Paged { rows, page, total, loaded, busy, error, version, clear, more: Callback::new(read) }
}

/// A paged list as a table: "Loading…", the load error, `empty` when there are no
/// rows, else the rows under `head`, with "Load more" while pages follow. A row is
/// redrawn when anything in it changes (a revoked key, a retried job) and kept when
/// nothing did. Test IDs are `{testid}-table`, `{testid}-empty` and
/// `{testid}-load-more`.
#[component]
pub fn PagedTable<T, R, V>(
    /// The list.
    list: Paged<T>,
    /// Column headings (an empty one for an actions column).
    head: &'static [&'static str],
    /// Draws one row (`<tr>`).
    row: R,
    /// What an empty list says.
    #[prop(into)]
    empty: Signal<String>,
    /// Prefix of the test IDs.
    testid: &'static str,
) -> impl IntoView
where
    T: Clone + std::fmt::Debug + Send + Sync + 'static,
    R: Fn(T) -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let Paged { rows, page, loaded, busy, error, more, .. } = list;
    view! {
        {move || error.get().map(|e| view! { <LoadError errors=e /> })}
        {move || {
            if !loaded.get() {
                return if error.with(Option::is_some) { ().into_any() } else { view! { <Loading /> }.into_any() };
            }
            if rows.with(Vec::is_empty) {
                return view! { <p class="muted empty" data-testid=format!("{testid}-empty")>{empty.get()}</p> }
                    .into_any();
            }
            view! {
                <table class="table" data-testid=format!("{testid}-table")>
                    <thead>
                        <tr>{head.iter().map(|h| view! { <th>{*h}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=fingerprint children=row />
                    </tbody>
                </table>
            }
                .into_any()
        }}
        <LoadMore page=page busy=busy more=more testid=format!("{testid}-load-more") />
    }
}

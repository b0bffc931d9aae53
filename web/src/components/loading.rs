//! Loading, load errors and "load more" for paged tables.

use leptos::prelude::*;

use crate::gql::ApiErrors;
use crate::ops::PageInfo;

/// "Load more" under a list, while its connection has a next page.
#[component]
pub fn LoadMore(
    /// The page last read.
    page: RwSignal<PageInfo>,
    /// True while a page is being read.
    busy: RwSignal<bool>,
    /// Reads the page after the given cursor.
    more: Callback<Option<String>>,
    /// `data-testid`.
    #[prop(into)]
    testid: String,
) -> impl IntoView {
    move || {
        let testid = testid.clone();
        page.with(|p| p.has_next_page).then(|| {
            view! {
                <div class="load-more">
                    <button
                        type="button"
                        class="btn btn-ghost"
                        data-testid=testid
                        disabled=move || busy.get()
                        on:click=move |_| more.run(page.get_untracked().end_cursor)
                    >
                        {move || if busy.get() { "Loading…" } else { "Load more" }}
                    </button>
                </div>
            }
        })
    }
}

/// The banner for data that could not be loaded.
#[component]
pub fn LoadError(
    /// Why.
    errors: ApiErrors,
) -> impl IntoView {
    view! {
        <div class="banner banner-error" role="alert" data-testid="load-error">
            {errors.summary()}
        </div>
    }
}

/// A muted "Loading…" line.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted loading">"Loading…"</p> }
}

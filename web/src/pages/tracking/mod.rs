//! `/app/tracking`: the publishable key and the snippet to paste into a site.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{ErrorBanner, FormErrors, LoadError, Loading};
use crate::gql::{call, origin};
use crate::ops::tracking::{RotateTrackingKey, TrackingKey, rotate_tracking_key, tracking_key};
use crate::session::load;

/// The tracking page.
#[component]
pub fn TrackingPage() -> impl IntoView {
    let data = load(|| call::<TrackingKey>(tracking_key::Variables));
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let rotate = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        errors.clear();
        leptos::task::spawn_local(async move {
            let answer = call::<RotateTrackingKey>(rotate_tracking_key::Variables).await;
            busy.set(false);
            match answer {
                Ok(_) => data.reload(),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    view! {
        <Title text="Tracking · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Tracking"</h1>
            <p class="muted">"Record what visitors do on your site: page views, clicks, forms and your own events, joined to the contact once they sign up or log in."</p>
        </header>
        <section class="panel">
            <h2>"Publishable key"</h2>
            <ErrorBanner errors=errors />
            {move || match data.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) => match d.tracking_key {
                    None => view! {
                        <p class="muted" data-testid="tracking-none">"No key yet. Issue one to start tracking."</p>
                        <button type="button" class="btn btn-primary" data-testid="tracking-rotate" disabled=move || busy.get() on:click=rotate>
                            "Issue a key"
                        </button>
                    }.into_any(),
                    Some(k) => {
                        let snippet = format!("<script async src=\"{}/t/snippet.js\" data-key=\"{}\"></script>", origin(), k.key);
                        view! {
                            <p>"This key is public: it can only send events. Paste the snippet into every page, before " <code>"</body>"</code> "."</p>
                            <code class="secret" data-testid="tracking-key">{k.key.clone()}</code>
                            <pre class="snippet" data-testid="tracking-snippet">{snippet}</pre>
                            <ul class="checklist">
                                <li>"Clicks: mark an element with " <code>"data-parley-track=\"name\""</code> "."</li>
                                <li>"Your own events: " <code>"parley.track('purchase', { amount: 4200 })"</code> "."</li>
                                <li>"When a visitor signs up or logs in: " <code>"parley.identify({ email })"</code> " joins their visits to the contact."</li>
                                <li>"From a server: " <code>"POST /t/events"</code> " with " <code>"{\"key\": …, \"events\": [...]}"</code> ", up to 100 events a request."</li>
                            </ul>
                            <button type="button" class="btn btn-ghost" data-testid="tracking-rotate" disabled=move || busy.get() on:click=rotate>
                                "Replace the key"
                            </button>
                            <p class="muted">"Replacing it stops the old key at once; update your pages."</p>
                        }.into_any()
                    }
                },
            }}
        </section>
    }
}

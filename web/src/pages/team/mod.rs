//! `/app/team`: members and their roles, invitations.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{
    Caller, Chunk, ErrorBanner, Field, Form, FormErrors, Paged, PagedTable, RoleSelect, Submit, paged,
};
use crate::gql::call;
use crate::ops::team::{
    ChangeMemberRole, Invitation, Invitations, InviteMember, Member, Members, RemoveMember, RevokeInvitation,
    change_member_role, invitations, invite_member, members, remove_member, revoke_invitation,
};
use crate::ops::{InvitationStatus, Role, short_time};

/// The team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    let members = paged(
        |after| async move { call::<Members>(members::Variables { after }).await.map(|d| Chunk::from(d.members)) },
        |m: &Member| m.id.clone(),
    );
    let invitations = paged(
        |after| async move {
            call::<Invitations>(invitations::Variables { after }).await.map(|d| Chunk::from(d.invitations))
        },
        |i: &Invitation| i.id.clone(),
    );
    // Errors from actions in the tables (role change, removal, revocation).
    let action_errors = FormErrors::new();
    // The member whose removal waits for a second click.
    let confirming = RwSignal::new(None::<String>);

    view! {
        <Title text="Team · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Team"</h1>
            <p class="muted">"Who works in this workspace, and what they may do."</p>
        </header>
        <InviteForm invitations=invitations />
        <ErrorBanner errors=action_errors />
        <section class="panel">
            <h2>"Members"</h2>
            <PagedTable
                list=members
                head=&["Name", "Email", "Role", "Joined", ""]
                row=move |m| member_row(m, members, confirming, action_errors)
                empty="No members."
                testid="members"
            />
        </section>
        <section class="panel">
            <h2>"Invitations"</h2>
            <PagedTable
                list=invitations
                head=&["Email", "Role", "Status", "Expires", ""]
                row=move |i| invitation_row(i, invitations, action_errors)
                empty="No invitations yet."
                testid="invitations"
            />
        </section>
    }
}

fn member_row(
    m: Member,
    members: Paged<Member>,
    confirming: RwSignal<Option<String>>,
    errors: FormErrors,
) -> impl IntoView {
    let id = m.id.clone();
    let id_for_role = m.id.clone();
    let id_for_confirm = m.id.clone();
    let current_role = m.role;
    // What the select shows; put back when the server refuses a change.
    let role = RwSignal::new(m.role.as_str().to_owned());
    let is_confirming = move || confirming.get().as_deref() == Some(id_for_confirm.as_str());
    view! {
        <tr data-testid="member-row" data-member-id=m.id.clone()>
            <td>
                {m.user.name.clone()}
                {m.via_agency.then(|| view! { <span class="badge">"via agency"</span> })}
            </td>
            <td class="muted">{m.user.email.clone()}</td>
            <td>
                <select
                    class="inline-select"
                    aria-label="Role"
                    data-testid="member-role"
                    prop:value=move || role.get()
                    on:change=move |ev| {
                        let before = role.get_untracked();
                        let chosen = event_target_value(&ev);
                        role.set(chosen.clone());
                        let variables = change_member_role::Variables {
                            membership_id: id_for_role.clone(),
                            role: Role::parse(&chosen).unwrap_or(Role::Unknown),
                        };
                        members.act_or::<ChangeMemberRole>(variables, errors, move || role.set(before))
                    }
                >
                    {Role::ALL
                        .into_iter()
                        .map(|r| {
                            view! {
                                <option value=r.as_str() selected=r == current_role>
                                    {r.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </td>
            <td class="muted">{short_time(&m.created_at)}</td>
            <td class="actions">
                {move || {
                    let id = id.clone();
                    if is_confirming() {
                        view! {
                            <button
                                type="button"
                                class="btn btn-danger btn-small"
                                data-testid="member-remove-confirm"
                                on:click=move |_| {
                                    confirming.set(None);
                                    members.act::<RemoveMember>(remove_member::Variables { id: id.clone() }, errors)
                                }
                            >
                                "Confirm removal"
                            </button>
                            <button type="button" class="btn btn-ghost btn-small" on:click=move |_| confirming.set(None)>
                                "Cancel"
                            </button>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button
                                type="button"
                                class="btn btn-ghost btn-small"
                                data-testid="member-remove"
                                on:click=move |_| confirming.set(Some(id.clone()))
                            >
                                "Remove"
                            </button>
                        }
                            .into_any()
                    }
                }}
            </td>
        </tr>
    }
}

fn invitation_row(i: Invitation, invitations: Paged<Invitation>, errors: FormErrors) -> impl IntoView {
    let id = i.id.clone();
    let pending = i.status == InvitationStatus::Pending;
    let status = i.status.label().to_lowercase();
    view! {
        <tr data-testid="invitation-row">
            <td>{i.email.clone()}</td>
            <td>{i.role.label()}</td>
            <td><span class=format!("status status-{status}")>{status.clone()}</span></td>
            <td class="muted">{short_time(&i.expires_at)}</td>
            <td class="actions">
                {pending.then(|| view! {
                    <button
                        type="button"
                        class="btn btn-ghost btn-small"
                        data-testid="invitation-revoke"
                        on:click={move |_| invitations.act::<RevokeInvitation>(revoke_invitation::Variables { id: id.clone() }, errors)}
                    >
                        "Revoke"
                    </button>
                })}
            </td>
        </tr>
    }
}

/// Invite someone by email with a role.
#[component]
fn InviteForm(invitations: Paged<Invitation>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("MARKETER".to_owned());
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    let sent_to = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        sent_to.set(None);
        let address = email.get_untracked().trim().to_owned();
        let variables = invite_member::Variables {
            email: address.clone(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Unknown),
        };
        form.send::<InviteMember, _>(Caller::SignedIn, variables, &["email", "role"], move |_| {
            email.set(String::new());
            sent_to.set(Some(address));
            invitations.reload();
        });
    };
    view! {
        <section class="panel">
            <h2>"Invite a teammate"</h2>
            <form class="form form-row" data-testid="invite-form" on:submit=on_submit>
                <ErrorBanner errors=errors />
                <Field label="Email" name="email" kind="email" value=email errors=errors testid="invite-email" placeholder="name@company.com" />
                <RoleSelect value=role errors=errors testid="invite-role" without_owner=true />
                <Submit label="Send invitation" busy_label="Sending…" busy=busy testid="invite-submit" />
            </form>
            {move || sent_to.get().map(|a| view! { <div class="banner banner-success">"Invitation sent to " {a} "."</div> })}
        </section>
    }
}

//! Invitations: the email goes out through SMTP, the link lets the invitee join once,
//! and an SMTP outage delays the email without losing it.

use serde_json::json;

use crate::on_both;

use crate::support::*;

async fn an_invitee_joins_with_the_invited_role(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let token = app.invite(&owner.auth(), "new.person@example.com", "MARKETER").await;
    let mail = app.smtp.to("new.person@example.com");
    assert_eq!(mail.len(), 1);
    assert!(mail[0].text().contains("Test Workspace"), "the email names the workspace");

    let joined = ok(app.accept(&token).await);
    let s = &joined["acceptInvitation"];
    assert_eq!(s["workspace"]["id"], owner.workspace_id.as_str());
    let invitee = As::token(s["accessToken"].as_str().unwrap());
    let me =
        ok(app.gql(&invitee, "{ me { emailVerified memberships { role workspace { id } } } myRole }", json!({})).await);
    assert_eq!(me["me"]["memberships"][0]["role"], "MARKETER");
    assert_eq!(me["myRole"], "MARKETER");
    assert_eq!(me["me"]["emailVerified"], true, "the link proved the address");

    // The link works once.
    let again = app.accept(&token).await;
    assert_eq!(code(&again).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(field(&again).as_deref(), Some("token"));

    // The owner sees the new member and the accepted invitation.
    let team = ok(app
        .gql(
            &owner.auth(),
            "{ members { totalCount nodes { role user { email } } } invitations { nodes { status } } }",
            json!({}),
        )
        .await);
    assert_eq!(team["members"]["totalCount"], 2);
    assert_eq!(team["invitations"]["nodes"][0]["status"], "ACCEPTED");

    // A marketer may not invite (only owners and admins manage members).
    let res = app
        .gql(&invitee, "mutation { inviteMember(input: {email: \"x@example.com\", role: VIEWER}) { id } }", json!({}))
        .await;
    assert_eq!(code(&res).as_deref(), Some("FORBIDDEN"));
}

async fn an_existing_account_accepts_with_its_password(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let other = app.sign_up("BUSINESS").await;
    let token = app.invite(&owner.auth(), &other.email, "ANALYST").await;
    let wrong = app
        .gql(
            &As::anon(),
            "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken } }",
            json!({ "i": { "token": token, "password": "Not-the-password-9" } }),
        )
        .await;
    assert_eq!(field(&wrong).as_deref(), Some("password"));
    let res = ok(app
        .gql(
            &As::anon(),
            "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { user { id } workspace { id } } }",
            json!({ "i": { "token": token, "password": PASSWORD } }),
        )
        .await);
    assert_eq!(res["acceptInvitation"]["user"]["id"], other.user_id.as_str());
    let me = ok(app.gql(&other.auth(), "{ me { memberships { role } } }", json!({})).await);
    assert_eq!(me["me"]["memberships"].as_array().unwrap().len(), 2);
}

async fn a_revoked_invitation_link_stops_working(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let token = app.invite(&owner.auth(), "revoked@example.com", "VIEWER").await;
    let list = ok(app.gql(&owner.auth(), "{ invitations { nodes { id status } } }", json!({})).await);
    let id = list["invitations"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let r = ok(app
        .gql(&owner.auth(), "mutation($id: ID!) { revokeInvitation(id: $id) { status } }", json!({ "id": id }))
        .await);
    assert_eq!(r["revokeInvitation"]["status"], "REVOKED");
    let res = app.accept(&token).await;
    assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"));
}

async fn an_smtp_outage_delays_the_invitation_without_losing_it(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    app.drive_jobs().await; // the verification email
    app.smtp.stop();
    ok(app
        .gql(
            &owner.auth(),
            "mutation { inviteMember(input: {email: \"patient@example.com\", role: VIEWER}) { id } }",
            json!({}),
        )
        .await);
    let first = app.drive_jobs().await;
    assert!(first.retried >= 1, "the send failed and is scheduled again: {first:?}");
    assert!(app.smtp.to("patient@example.com").is_empty());
    let jobs =
        ok(app.gql(&owner.auth(), "{ jobs(state: QUEUED) { nodes { kind attempts lastError } } }", json!({})).await);
    let job = &jobs["jobs"]["nodes"][0];
    assert_eq!(job["kind"], "email.invitation");
    assert!(job["attempts"].as_i64().unwrap() >= 1);
    assert!(job["lastError"].as_str().unwrap().contains("smtp"), "{job}");

    app.smtp.restart().await;
    // The retry is due after the backoff (400 ms base here, with jitter).
    for _ in 0..100 {
        app.drive_jobs().await;
        if !app.smtp.to("patient@example.com").is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let mails = app.smtp.to("patient@example.com");
    assert_eq!(mails.len(), 1, "the email arrived once the server was back");
    let token = mails[0].link("/accept-invitation").unwrap().split("token=").nth(1).unwrap().to_owned();
    ok(app.accept(&token).await);
}

async fn bad_invitations_are_refused(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let res = app
        .gql(&owner.auth(), "mutation { inviteMember(input: {email: \"nope\", role: VIEWER}) { id } }", json!({}))
        .await;
    assert_eq!(field(&res).as_deref(), Some("email"));
    let res = app
        .gql(
            &owner.auth(),
            "mutation { inviteMember(input: {email: \"a@example.com\", role: EMPEROR}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"));
    let res = app
        .gql(
            &owner.auth(),
            &format!("mutation {{ inviteMember(input: {{email: \"{}\", role: VIEWER}}) {{ id }} }}", owner.email),
            json!({}),
        )
        .await;
    assert_eq!(code(&res).as_deref(), Some("CONFLICT"), "already a member");
    let res = app.accept("garbage").await;
    assert_eq!(field(&res).as_deref(), Some("token"));
    let inv = ok(app.gql(&owner.auth(), "{ invitations { totalCount } }", json!({})).await);
    assert_eq!(inv["invitations"]["totalCount"], 0);
}

on_both!(
    an_invitee_joins_with_the_invited_role,
    an_existing_account_accepts_with_its_password,
    a_revoked_invitation_link_stops_working,
    bad_invitations_are_refused,
);
crate::on_both_with!(an_smtp_outage_delays_the_invitation_without_losing_it, &[("PARLEY_JOB_BACKOFF_MS", "400")]);

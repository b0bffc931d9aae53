//! Emails Parley writes to people (not campaigns): what they say and where they link.

use serde::{Deserialize, Serialize};

/// A composed email, ready for a mail transport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn compose(to: &str, subject: String, lead: String, action: &str, link: &str, note: &str) -> Email {
    let text = format!("{lead}\n\n{action}: {link}\n\n{note}\n");
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;color:#1b2330\">\
         <p>{}</p><p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;background:#3a5bd9;\
         color:#fff;border-radius:6px;text-decoration:none\">{}</a></p>\
         <p style=\"color:#667\">{}</p><p style=\"color:#667;font-size:12px\">{}</p></body></html>",
        escape(&lead),
        escape(link),
        escape(action),
        escape(note),
        escape(link)
    );
    Email { to: to.to_owned(), subject, text, html }
}

/// The invitation to join a workspace.
pub fn invitation(to: &str, workspace: &str, inviter: &str, role: &str, link: &str) -> Email {
    compose(
        to,
        format!("{inviter} invited you to {workspace} on Parley"),
        format!("{inviter} invited you to join the workspace \"{workspace}\" on Parley as {role}."),
        "Accept the invitation",
        link,
        "The link works once and expires in 7 days. If you did not expect this, ignore this email.",
    )
}

/// The link that proves an address belongs to its user.
pub fn verification(to: &str, name: &str, link: &str) -> Email {
    compose(
        to,
        "Confirm your email address for Parley".to_owned(),
        format!("Hello {name}, please confirm that this is your email address."),
        "Confirm my address",
        link,
        "The link works once and expires in 3 days.",
    )
}

/// The link that lets a person choose a new password.
pub fn password_reset(to: &str, name: &str, link: &str) -> Email {
    compose(
        to,
        "Reset your Parley password".to_owned(),
        format!("Hello {name}, someone (hopefully you) asked to reset your Parley password."),
        "Choose a new password",
        link,
        "The link works once and expires in one hour. If you did not ask for this, ignore this email: your password stays as it is.",
    )
}

/// A notice that something changed in a person's account security, so a change they
/// did not make does not go unnoticed.
pub fn security_notice(to: &str, name: &str, what: &str, link: &str) -> Email {
    compose(
        to,
        format!("Parley security notice: {what}"),
        format!("Hello {name}, this is to let you know: {what}."),
        "Review your account",
        link,
        "If this was you, there is nothing to do. If it was not, reset your password at once and turn on two-factor log-in.",
    )
}

/// A contact reached a journey's notify step.
pub fn journey_notice(to: &str, name: &str, contact: &str, journey: &str, message: &str, link: &str) -> Email {
    compose(
        to,
        format!("{contact} · {journey}"),
        format!("Hello {name}, {contact} reached a step of the journey \"{journey}\" that asks for you: {message}"),
        "Open the contact",
        link,
        "You are told because a journey's step names you; its owner can change that.",
    )
}

/// A lead's first-touch deadline passed: to the routing rule's manager.
pub fn lead_escalation(to: &str, name: &str, contact: &str, owner: &str, due: &str, link: &str) -> Email {
    compose(
        to,
        format!("Lead not contacted in time: {contact}"),
        format!(
            "Hello {name}, the lead {contact} held by {owner} was due a first touch by {due} and had none; it is being given to another rep."
        ),
        "Open the lead",
        link,
        "You are told because a routing rule names you as the manager to escalate to.",
    )
}

/// A workflow task is due soon.
pub fn task_reminder(to: &str, name: &str, task: &str, project: &str, due: &str, link: &str) -> Email {
    compose(
        to,
        format!("Due {due}: {task} ({project})"),
        format!("Hello {name}, the task \"{task}\" of the project \"{project}\" is yours and due on {due}."),
        "Open the project's workflow",
        link,
        "You get one reminder per task; if it runs late, its project's owner is told too.",
    )
}

/// A workflow task is overdue: to its assignee and the project's owner.
pub fn task_overdue(to: &str, name: &str, task: &str, project: &str, due: &str, assignee: &str, link: &str) -> Email {
    compose(
        to,
        format!("Overdue: {task} ({project})"),
        format!(
            "Hello {name}, the task \"{task}\" of the project \"{project}\", assigned to {assignee}, was due on {due} and is not done."
        ),
        "Open the project's workflow",
        link,
        "Complete the task, or change its assignee, in the workflow.",
    )
}

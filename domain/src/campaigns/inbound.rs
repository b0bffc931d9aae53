//! Messages that come back (DEC-7, DEC-8): bounces as delivery status notifications
//! (RFC 3464) and complaints as feedback reports (RFC 5965), posted raw to a
//! workspace's secret hook. Each is parsed (`mail-parser`), matched to its send by the
//! return path (VERP) or the original Message-ID, and applied: a hard bounce or a
//! complaint suppresses the address, soft bounces count toward a threshold, and the
//! contact's timeline records it. Every message is kept with what was made of it; one
//! that is malformed or matches no send of the workspace changes nothing else.

use mail_parser::{MessageParser, MimeHeaders};
use sea_orm::ActiveValue::Set;
use serde_json::{Value, json};

use super::links;
use super::suppressions::{find_in, suppress_in};
use crate::contacts::consent::set_consent_in;
use crate::contacts::{Channel, ConsentStatus, timeline};
use crate::page::{Page, PageArgs};
use crate::{
    Actor, Audited, CampaignSendId, Error, InboundKind, InboundOutcome, Order, Parley, Permission, Result, Role,
    SuppressionReason, TenantCtx, TenantTx, new_id, now,
};
use entities::{campaign_send, contact, email_suppression, inbound_message};

/// A message that came back.
pub type InboundMessage = inbound_message::Model;

impl Audited for InboundMessage {
    fn audit_json(&self) -> Value {
        json!({ "kind": self.kind, "outcome": self.outcome, "send": self.send_id, "detail": self.detail })
    }
}

/// The most of a raw message kept.
const KEEP: usize = 256 * 1024;

/// What a report says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Delivery failed for good (`Action: failed`, status 5.x.x).
    HardBounce { recipient: String, status: String, diagnostic: String },
    /// Delivery failed for now (`Action: delayed`, or status 4.x.x).
    SoftBounce { recipient: String, status: String, diagnostic: String },
    /// The recipient reported the message as spam (or another feedback type).
    Complaint { recipient: String, feedback: String },
    /// Nothing to act on (a delivery confirmation, an auto-reply, unreadable).
    Nothing(String),
}

/// What a raw message says, and where it points: return-path addresses and Message-IDs
/// of the original message found in it.
#[derive(Debug, Clone)]
pub struct Reading {
    pub kind: InboundKind,
    pub report: Report,
    pub addresses: Vec<String>,
    pub message_ids: Vec<String>,
}

/// Header-style fields (`Name: value`, continued lines folded), lower-cased names, in
/// blocks separated by blank lines.
fn field_blocks(text: &str) -> Vec<Vec<(String, String)>> {
    let mut blocks = vec![Vec::new()];
    for line in text.lines() {
        if line.trim().is_empty() {
            if blocks.last().is_some_and(|b: &Vec<(String, String)>| !b.is_empty()) {
                blocks.push(Vec::new());
            }
            continue;
        }
        let Some(block) = blocks.last_mut() else { continue };
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = block.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            block.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    blocks.retain(|b| !b.is_empty());
    blocks
}

fn field<'a>(block: &'a [(String, String)], name: &str) -> Option<&'a str> {
    block.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// `rfc822; someone@example.com` → `someone@example.com`.
fn typed_address(v: &str) -> String {
    let a = v.split_once(';').map_or(v, |(_, a)| a);
    a.trim().trim_matches(['<', '>']).to_ascii_lowercase()
}

/// Reads a delivery-status body: the first recipient that failed or is delayed.
fn read_dsn(text: &str) -> Report {
    let blocks = field_blocks(text);
    for b in blocks.iter().skip(1).chain(blocks.first()) {
        let Some(recipient) = field(b, "final-recipient").or_else(|| field(b, "original-recipient")) else {
            continue;
        };
        let action = field(b, "action").unwrap_or_default().to_ascii_lowercase();
        let status = field(b, "status").unwrap_or_default().split_whitespace().next().unwrap_or_default().to_owned();
        let diagnostic: String = field(b, "diagnostic-code").unwrap_or_default().chars().take(500).collect();
        let recipient = typed_address(recipient);
        if action == "failed" && !status.starts_with('4') {
            return Report::HardBounce { recipient, status, diagnostic };
        }
        if action == "delayed" || (action == "failed" && status.starts_with('4')) {
            return Report::SoftBounce { recipient, status, diagnostic };
        }
    }
    Report::Nothing("the report names no failed or delayed recipient".into())
}

/// Reads a raw message.
pub fn read(raw: &[u8]) -> Reading {
    let Some(msg) = MessageParser::default().parse(raw) else {
        return Reading {
            kind: InboundKind::Other,
            report: Report::Nothing("not an email message".into()),
            addresses: Vec::new(),
            message_ids: Vec::new(),
        };
    };
    let mut addresses = Vec::new();
    for h in ["To", "Delivered-To", "X-Original-To", "Envelope-To"] {
        if let Some(v) = msg.header_raw(h) {
            addresses.extend(v.split(',').map(|a| {
                let a = a.trim();
                a.rsplit_once('<').map_or(a, |(_, r)| r).trim_end_matches('>').trim().to_owned()
            }));
        }
    }
    let (mut kind, mut report, mut message_ids) = (InboundKind::Other, None, Vec::new());
    for part in &msg.parts {
        let (ctype, subtype) = match part.content_type() {
            Some(ct) => (ct.ctype().to_ascii_lowercase(), ct.subtype().unwrap_or_default().to_ascii_lowercase()),
            None => continue,
        };
        let text = part.text_contents().unwrap_or_default();
        match (ctype.as_str(), subtype.as_str()) {
            ("message", "delivery-status") | ("message", "global-delivery-status") => {
                kind = InboundKind::Dsn;
                report = Some(read_dsn(text));
            }
            ("message", "feedback-report") => {
                kind = InboundKind::Feedback;
                let blocks = field_blocks(text);
                let b = blocks.first().cloned().unwrap_or_default();
                if let Some(from) = field(&b, "original-mail-from") {
                    addresses.push(typed_address(from));
                }
                let recipient = field(&b, "original-rcpt-to").map(typed_address).unwrap_or_default();
                let feedback = field(&b, "feedback-type").unwrap_or("abuse").to_ascii_lowercase();
                report = Some(Report::Complaint { recipient, feedback });
            }
            ("message", "rfc822") | ("message", "global") | ("text", "rfc822-headers") => {
                let headers = match part.message() {
                    Some(m) => String::from_utf8_lossy(m.raw_message()).into_owned(),
                    None => text.to_owned(),
                };
                let head = headers.split("\r\n\r\n").next().unwrap_or_default();
                let head = head.split("\n\n").next().unwrap_or_default();
                let fields = field_blocks(head);
                if let Some(b) = fields.first() {
                    message_ids.extend(field(b, "message-id").map(str::to_owned));
                    addresses.extend(field(b, "return-path").map(|a| a.trim_matches(['<', '>']).to_owned()));
                }
            }
            _ => {}
        }
    }
    let report = report.unwrap_or_else(|| Report::Nothing("neither a delivery status nor a feedback report".into()));
    Reading { kind, report, addresses, message_ids }
}

fn system(tenant: crate::WorkspaceId) -> TenantCtx {
    TenantCtx::new(tenant, Actor::System, Role::Admin)
}

/// The send a reading points to, in the tenant.
async fn matched(tx: &TenantTx<'_>, p: &Parley, r: &Reading) -> Result<Option<campaign_send::Model>> {
    let tenant = tx.tenant_id();
    let by_address = r.addresses.iter().find_map(|a| links::read_return_path(p, tenant, a));
    let by_id = || r.message_ids.iter().find_map(|m| links::read_message_id(m));
    let Some(id): Option<CampaignSendId> = by_address.or_else(by_id) else { return Ok(None) };
    match tx.find::<campaign_send::Entity>(id).await {
        Ok(s) => Ok(Some(s)),
        Err(Error::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Takes a raw message posted to the hook `secret`; `NOT_FOUND` when the secret is no
/// workspace's. Whatever the message holds, it is kept and answered as received.
pub async fn receive(p: &Parley, secret: &str, raw: &[u8]) -> Result<InboundMessage> {
    let tenant = links::read_inbound_secret(p, secret).ok_or(Error::NotFound)?;
    let ctx = system(tenant);
    let reading = read(raw);
    let tx = p.tenant_tx(&ctx).await?;
    let send = matched(&tx, p, &reading).await?;
    let (outcome, recipient, detail) = match (&send, &reading.report) {
        (_, Report::Nothing(why)) => (InboundOutcome::Ignored, String::new(), why.clone()),
        (None, r) => (InboundOutcome::Unmatched, recipient_of(r), "no send of this workspace matches it".to_owned()),
        (Some(s), r) => {
            let detail = apply(&tx, p, s, r).await?;
            (InboundOutcome::Applied, s.email.clone().unwrap_or_default(), detail)
        }
    };
    let kept = &raw[..raw.len().min(KEEP)];
    let row = inbound_message::ActiveModel {
        id: Set(new_id()),
        kind: Set(reading.kind),
        outcome: Set(outcome),
        send_id: Set(send.as_ref().map(|s| s.id)),
        recipient: Set(text(&recipient)),
        detail: Set(text(&detail)),
        raw: Set(text(&String::from_utf8_lossy(kept))),
        received_at: Set(now()),
        ..Default::default()
    };
    let saved = tx.create("email.inbound_received", row).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Text as a database column keeps it: PostgreSQL's text holds no NUL.
fn text(s: &str) -> String {
    s.replace('\0', "\u{fffd}")
}

fn recipient_of(r: &Report) -> String {
    match r {
        Report::HardBounce { recipient, .. }
        | Report::SoftBounce { recipient, .. }
        | Report::Complaint { recipient, .. } => recipient.clone(),
        Report::Nothing(_) => String::new(),
    }
}

/// Applies a report to its send, the address and the contact's timeline; answers what
/// was done.
async fn apply(tx: &TenantTx<'_>, p: &Parley, s: &campaign_send::Model, r: &Report) -> Result<String> {
    let Some(email) = s.email.clone() else { return Ok("the send has no address".into()) };
    let t = now();
    let c = tx.find::<contact::Entity>(s.contact_id).await?;
    let person = c.merged_into.unwrap_or(c.id);
    let base = json!({ "campaignId": s.campaign_id, "sendId": s.id, "channel": Channel::Email });
    let with = |extra: Value| {
        let mut v = base.clone();
        if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        v
    };
    match r {
        Report::HardBounce { status, diagnostic, .. } => {
            let first = s.bounce.as_deref() != Some("hard");
            mark(tx, s, |am| {
                am.bounce = Set(Some("hard".into()));
                am.bounced_at = Set(Some(t));
            })
            .await?;
            suppress_in(tx, &email, SuppressionReason::HardBounce, &format!("{status} {diagnostic}"), Some(s.id))
                .await?;
            if first {
                let props = with(json!({ "bounce": "hard", "status": status, "diagnostic": diagnostic }));
                timeline::append(tx, person, "email_bounced", props, t).await?;
            }
            Ok(format!("hard bounce {status}: address suppressed"))
        }
        Report::SoftBounce { status, diagnostic, .. } => {
            if s.bounce.is_some() {
                return Ok("this send's bounce was counted already".into());
            }
            mark(tx, s, |am| {
                am.bounce = Set(Some("soft".into()));
                am.bounced_at = Set(Some(t));
            })
            .await?;
            let count = count_soft(tx, &email, s.id, &format!("{status} {diagnostic}")).await?;
            let props = with(json!({ "bounce": "soft", "status": status, "diagnostic": diagnostic }));
            timeline::append(tx, person, "email_bounced", props, t).await?;
            if count >= p.settings().soft_bounce_limit {
                let why = format!("{count} soft bounces");
                suppress_in(tx, &email, SuppressionReason::SoftBounces, &why, Some(s.id)).await?;
                return Ok(format!("soft bounce {status}: {count}, address suppressed"));
            }
            Ok(format!("soft bounce {status}: {count} counted"))
        }
        Report::Complaint { feedback, .. } => {
            if s.complained_at.is_none() {
                mark(tx, s, |am| am.complained_at = Set(Some(t))).await?;
                let props = with(json!({ "feedback": feedback }));
                timeline::append(tx, person, "email_complained", props, t).await?;
                match set_consent_in(tx, person, Channel::Email, ConsentStatus::Denied, "spam complaint".into()).await {
                    Ok(_) | Err(Error::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
            suppress_in(tx, &email, SuppressionReason::Complaint, &format!("feedback: {feedback}"), Some(s.id)).await?;
            Ok(format!("complaint ({feedback}): address suppressed"))
        }
        Report::Nothing(why) => Ok(why.clone()),
    }
}

async fn mark(
    tx: &TenantTx<'_>,
    s: &campaign_send::Model,
    edit: impl FnOnce(&mut campaign_send::ActiveModel),
) -> Result<()> {
    tx.update::<campaign_send::Entity>("campaign_send.response", s.id, |am| {
        edit(am);
        Ok(())
    })
    .await?;
    Ok(())
}

/// Counts one more soft bounce of `email`; answers the count.
async fn count_soft(tx: &TenantTx<'_>, email: &str, send: CampaignSendId, detail: &str) -> Result<i32> {
    let t = now();
    match find_in(tx, email).await? {
        Some(s) => {
            let n = s.soft_bounces + 1;
            tx.update::<email_suppression::Entity>("email.soft_bounced", s.id, |am| {
                am.soft_bounces = Set(n);
                am.detail = Set(detail.chars().take(500).collect());
                am.send_id = Set(Some(send));
                am.updated_at = Set(t);
                Ok(())
            })
            .await?;
            Ok(n)
        }
        None => {
            let row = email_suppression::ActiveModel {
                id: Set(new_id()),
                email: Set(email.to_owned()),
                reason: Set(None),
                soft_bounces: Set(1),
                detail: Set(detail.chars().take(500).collect()),
                send_id: Set(Some(send)),
                suppressed_at: Set(None),
                updated_at: Set(t),
                ..Default::default()
            };
            tx.create("email.soft_bounced", row).await?;
            Ok(1)
        }
    }
}

/// Messages that came back to the workspace, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<InboundMessage>> {
    p.page::<inbound_message::Entity>(ctx, Permission::ManageCampaigns, Order::Newest, args).await
}

/// One message that came back.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: crate::InboundMessageId) -> Result<InboundMessage> {
    p.find::<inbound_message::Entity>(ctx, Permission::ManageCampaigns, id).await
}

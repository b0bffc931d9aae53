//! Email templates (EXE-2): MJML rendered to responsive HTML with `mrml`, a plain-text
//! part, and a subject, each personalised with `minijinja` (`{{ contact.first_name |
//! default("there") }}`). A template is rendered to HTML once, when it is saved; each
//! message then only fills in its tags, so sending stays fast. A template that does
//! not parse or render is refused when it is saved, never found out while sending.
//!
//! Tags may stand in text and attribute values; a tag that would wrap MJML elements
//! (`{% if %}` around an `<mj-section>`) is not personalisation MJML can lay out, and
//! is refused by `mrml` or left as text.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use serde_json::{Map, Value, json};

use crate::contacts::attributes_of;
use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::{Audited, Contact, ContactId, Error, Order, Parley, Permission, Result, TenantCtx, new_id, now, validate};
use entities::campaigns::enums::CampaignStatus;
use entities::ids::EmailTemplateId;
use entities::{campaign, contact, email_template};

/// An email template.
pub type EmailTemplate = email_template::Model;

impl Audited for EmailTemplate {
    fn audit_json(&self) -> Value {
        json!({ "name": self.name, "subject": self.subject, "mjml": self.mjml, "text": self.text })
    }
}

/// The largest MJML source kept (a newsletter is a few tens of KiB).
const MAX_SOURCE: usize = 512 * 1024;
/// What one message's personalisation may spend (minijinja's fuel: roughly one unit per
/// instruction), so a template looping without end cannot stall a worker.
const FUEL: u64 = 500_000;

/// A template's content as written.
#[derive(Debug, Clone, Default)]
pub struct TemplateInput {
    pub name: String,
    pub subject: String,
    pub mjml: String,
    /// The plain-text part; made from the HTML when left empty.
    pub text: String,
}

/// One message's subject and parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// A template ready to personalise many messages: its three parts parsed once.
pub struct Compiled {
    env: Environment<'static>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Compiled")
    }
}

fn template_error(field: &str, e: &minijinja::Error) -> Error {
    let at = e.line().map(|l| format!(" (line {l})")).unwrap_or_default();
    let what = e.detail().map(str::to_owned).unwrap_or_else(|| e.kind().to_string());
    Error::invalid(field, format!("does not render{at}: {what}"))
}

impl Compiled {
    /// Parses the subject, the HTML and the text (`subject`, `mjml`, `text` name them in
    /// errors).
    pub fn new(subject: &str, html: &str, text: &str) -> Result<Compiled> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        env.set_fuel(Some(FUEL));
        env.set_auto_escape_callback(|name| if name == "html" { AutoEscape::Html } else { AutoEscape::None });
        for (name, field, source) in [("subject", "subject", subject), ("html", "mjml", html), ("text", "text", text)] {
            env.add_template_owned(name.to_owned(), source.to_owned()).map_err(|e| template_error(field, &e))?;
        }
        Ok(Compiled { env })
    }

    /// The message for `vars` (`contact`, `campaign`, `unsubscribe_url`, …).
    pub fn render(&self, vars: &Value) -> Result<Rendered> {
        let ctx = minijinja::Value::from(minijinja::value::Serde(vars));
        let part = |name: &str, field: &str| -> Result<String> {
            let t = self.env.get_template(name).map_err(|e| template_error(field, &e))?;
            t.render(&ctx).map_err(|e| template_error(field, &e))
        };
        let subject = part("subject", "subject")?;
        // A subject is one line, whatever a value held.
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Rendered { subject, html: part("html", "mjml")?, text: part("text", "text")? })
    }
}

/// Renders MJML to HTML (its tags kept for personalisation).
pub fn mjml_to_html(mjml: &str) -> Result<String> {
    if mjml.trim().is_empty() {
        return Err(Error::invalid("mjml", "is required"));
    }
    if mjml.len() > MAX_SOURCE {
        return Err(Error::invalid("mjml", "is larger than 512 KiB"));
    }
    let parsed = mrml::parse(mjml).map_err(|e| Error::invalid("mjml", format!("is not valid MJML: {e}")))?;
    parsed
        .element
        .render(&mrml::prelude::render::RenderOptions::default())
        .map_err(|e| Error::invalid("mjml", format!("does not render: {e}")))
}

/// A plain-text version of an HTML email: blocks on lines of their own, links followed
/// by their address, tags and styles dropped. (Written here: the HTML-to-text crates pull
/// in a full HTML5 parser for what a generated email's simple markup does not need.)
pub fn text_from_html(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::new();
    let mut i = 0;
    let bytes = html.as_bytes();
    let mut href: Option<String> = None;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let end = match html[i..].find('>') {
                Some(e) => i + e,
                None => break,
            };
            let tag = &lower[i + 1..end];
            let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            // Skip what is not shown.
            if !tag.starts_with('/') && matches!(name.as_str(), "style" | "head" | "script" | "title") {
                let close = format!("</{name}");
                i = lower[end..].find(&close).map(|c| end + c).unwrap_or(bytes.len());
                if let Some(e) = html[i..].find('>') {
                    i += e + 1;
                }
                continue;
            }
            if name == "a" && !tag.starts_with('/') {
                href = attr(&html[i + 1..end], "href");
            }
            if name == "a"
                && tag.starts_with('/')
                && let Some(h) = href.take().filter(|h| h.starts_with("http") || h.contains("{{"))
            {
                out.push_str(&format!(" ({h})"));
            }
            if matches!(name.as_str(), "br" | "p" | "div" | "tr" | "h1" | "h2" | "h3" | "h4" | "li" | "table")
                && !out.ends_with('\n')
            {
                out.push('\n');
            }
            i = end + 1;
            continue;
        }
        let next = html[i..].find('<').map(|n| i + n).unwrap_or(bytes.len());
        out.push_str(&decode_entities(&html[i..next]));
        i = next;
    }
    let mut lines: Vec<String> = Vec::new();
    for line in out.lines() {
        let l = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if l.is_empty() && lines.last().is_none_or(String::is_empty) {
            continue;
        }
        lines.push(l);
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines.join("\n")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[at..];
    let (quote, rest) = match rest.chars().next()? {
        q @ ('"' | '\'') => (q, &rest[1..]),
        _ => (' ', rest),
    };
    Some(decode_entities(&rest[..rest.find(quote).unwrap_or(rest.len())]))
}

fn decode_entities(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The footer added to a template that has no unsubscribe link of its own.
const HTML_FOOTER: &str = "<div style=\"font-family:sans-serif;font-size:12px;color:#777;text-align:center;padding:16px\">You receive this email because you agreed to hear from us. <a href=\"{{ unsubscribe_url }}\" style=\"color:#777\">Unsubscribe</a></div>";
const TEXT_FOOTER: &str = "\n\n--\nUnsubscribe: {{ unsubscribe_url }}\n";

/// The three parts a template is saved with, checked: the MJML rendered, the text made
/// when empty, an unsubscribe link added where it is missing, and each part rendered
/// once with an empty contact so no error waits for sending.
struct Parts {
    subject: String,
    mjml: String,
    text: String,
    html: String,
    compiled: Compiled,
}

/// The text part sent: the one written, else one made from the HTML; with an
/// unsubscribe link unless it has one.
fn full_text(given: &str, html: &str) -> String {
    let t = if given.trim().is_empty() { text_from_html(html) } else { given.trim().to_owned() };
    if t.contains("unsubscribe_url") { t } else { format!("{t}{TEXT_FOOTER}") }
}

fn parts(input: &TemplateInput) -> Result<Parts> {
    let subject = validate::name("subject", &input.subject, 300)?;
    let mut html = mjml_to_html(&input.mjml)?;
    if !html.contains("unsubscribe_url") {
        html = match html.rfind("</body>") {
            Some(at) => format!("{}{HTML_FOOTER}{}", &html[..at], &html[at..]),
            None => format!("{html}{HTML_FOOTER}"),
        };
    }
    if input.text.len() > MAX_SOURCE {
        return Err(Error::invalid("text", "is larger than 512 KiB"));
    }
    let given = input.text.trim().to_owned();
    let compiled = Compiled::new(&subject, &html, &full_text(&given, &html))?;
    compiled.render(&sample_vars())?;
    Ok(Parts { subject, mjml: input.mjml.clone(), text: given, html, compiled })
}

/// The variables of a message with an empty contact.
fn sample_vars() -> Value {
    json!({ "contact": {}, "campaign": { "name": "" }, "unsubscribe_url": "#" })
}

/// A contact as templates see it: its fields by their attribute keys, and the
/// built-in ones (`email`, `phone`, `first_name`, `last_name`, `external_id`,
/// `time_zone`, also in camelCase), which win over a field of the same name.
pub fn contact_vars(c: &Contact) -> Value {
    let mut m: Map<String, Value> = attributes_of(c);
    let own = [
        ("email", &c.email, "email"),
        ("phone", &c.phone, "phone"),
        ("first_name", &c.first_name, "firstName"),
        ("last_name", &c.last_name, "lastName"),
        ("external_id", &c.external_id, "externalId"),
        ("time_zone", &c.time_zone, "timeZone"),
    ];
    for (snake, v, camel) in own {
        let v = v.clone().map(Value::String).unwrap_or(Value::Null);
        m.insert(snake.to_owned(), v.clone());
        m.insert(camel.to_owned(), v);
    }
    m.insert("id".into(), json!(c.id));
    Value::Object(m)
}

/// The compiled form of a saved template.
pub fn compile(t: &EmailTemplate) -> Result<Compiled> {
    Compiled::new(&t.subject, &t.html, &full_text(&t.text, &t.html))
}

/// Saves a new template. `BAD_USER_INPUT` naming `subject`, `mjml` or `text` when a
/// part does not parse or render.
pub async fn create(ctx: &TenantCtx, p: &Parley, input: TemplateInput) -> Result<EmailTemplate> {
    let name = validate::name("name", &input.name, 200)?;
    let parts = tokio::task::spawn_blocking(move || parts(&input)).await.map_err(Error::internal)??;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    name_free(&tx, &name, None).await?;
    let t = now();
    let row = email_template::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        subject: Set(parts.subject),
        mjml: Set(parts.mjml),
        text: Set(parts.text),
        html: Set(parts.html),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let saved = tx.create("email_template.created", row).await?;
    tx.commit().await?;
    Ok(saved)
}

async fn name_free(tx: &crate::TenantTx<'_>, name: &str, me: Option<EmailTemplateId>) -> Result<()> {
    let mut q = email_template::Entity::scoped(tx.ctx()).filter(email_template::Column::Name.eq(name));
    if let Some(me) = me {
        q = q.filter(email_template::Column::Id.ne(me));
    }
    match q.one(tx).await? {
        Some(_) => Err(Error::invalid("name", "is already the name of a template of this workspace")),
        None => Ok(()),
    }
}

/// Changes a template. Campaigns that have started keep what they were sent with
/// (`CONFLICT` while one is running or scheduled from it).
pub async fn update(ctx: &TenantCtx, p: &Parley, id: EmailTemplateId, input: TemplateInput) -> Result<EmailTemplate> {
    let name = validate::name("name", &input.name, 200)?;
    let parts = tokio::task::spawn_blocking(move || parts(&input)).await.map_err(Error::internal)??;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    tx.find::<email_template::Entity>(id).await?;
    name_free(&tx, &name, Some(id)).await?;
    let launched =
        [CampaignStatus::InApproval, CampaignStatus::Scheduled, CampaignStatus::Running, CampaignStatus::Paused];
    if let Some(c) = using(&tx, id, Some(&launched)).await? {
        return Err(Error::Conflict(format!(
            "the campaign \"{}\" is launched with this template; copy it to change it",
            c.name
        )));
    }
    let saved = tx
        .update::<email_template::Entity>("email_template.updated", id, |am| {
            am.name = Set(name);
            am.subject = Set(parts.subject);
            am.mjml = Set(parts.mjml);
            am.text = Set(parts.text);
            am.html = Set(parts.html);
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// A campaign (of one of `statuses`, or any) that sends template `id` in one of its
/// variants.
async fn using(
    tx: &crate::TenantTx<'_>,
    id: EmailTemplateId,
    statuses: Option<&[CampaignStatus]>,
) -> Result<Option<super::Campaign>> {
    let mut q = campaign::Entity::scoped(tx.ctx());
    if let Some(s) = statuses {
        q = q.filter(campaign::Column::Status.is_in(s.iter().copied()));
    }
    Ok(q.all(tx).await?.into_iter().find(|c| super::variants_of(c).iter().any(|v| v.template_id == id)))
}

/// One template.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: EmailTemplateId) -> Result<EmailTemplate> {
    p.find::<email_template::Entity>(ctx, Permission::ReadContacts, id).await
}

/// The workspace's templates, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<EmailTemplate>> {
    p.page::<email_template::Entity>(ctx, Permission::ReadContacts, Order::Newest, args).await
}

/// Deletes a template no campaign uses.
pub async fn delete(ctx: &TenantCtx, p: &Parley, id: EmailTemplateId) -> Result<EmailTemplate> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let t = tx.find::<email_template::Entity>(id).await?;
    if let Some(c) = using(&tx, id, None).await? {
        return Err(Error::Conflict(format!("the campaign \"{}\" uses this template", c.name)));
    }
    let gone = tx.delete::<email_template::Entity>("email_template.deleted", t).await?;
    tx.commit().await?;
    Ok(gone)
}

/// The variables of a preview for `c` (links that lead to a page saying so).
fn preview_vars(p: &Parley, c: Option<&Contact>) -> Value {
    json!({
        "contact": c.map(contact_vars).unwrap_or_else(|| json!({})),
        "campaign": { "name": "Preview" },
        "unsubscribe_url": format!("{}/u/preview", p.settings().public_url),
    })
}

async fn contact_for_preview(ctx: &TenantCtx, p: &Parley, id: Option<ContactId>) -> Result<Option<Contact>> {
    let Some(id) = id else { return Ok(None) };
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let c = tx.find::<contact::Entity>(id).await?;
    tx.commit().await?;
    Ok(Some(c))
}

/// Saved template `id` as `contact` would receive it (an empty contact when None).
pub async fn preview(ctx: &TenantCtx, p: &Parley, id: EmailTemplateId, contact: Option<ContactId>) -> Result<Rendered> {
    let t = get(ctx, p, id).await?;
    let c = contact_for_preview(ctx, p, contact).await?;
    let vars = preview_vars(p, c.as_ref());
    tokio::task::spawn_blocking(move || compile(&t)?.render(&vars)).await.map_err(Error::internal)?
}

/// Unsaved content as `contact` would receive it (the editor's live preview); the same
/// errors as saving it.
pub async fn preview_input(
    ctx: &TenantCtx,
    p: &Parley,
    input: TemplateInput,
    contact: Option<ContactId>,
) -> Result<Rendered> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    tx.commit().await?;
    let c = contact_for_preview(ctx, p, contact).await?;
    let vars = preview_vars(p, c.as_ref());
    tokio::task::spawn_blocking(move || parts(&input)?.compiled.render(&vars)).await.map_err(Error::internal)?
}

/// The most addresses one test send goes to.
pub const MAX_TEST_RECIPIENTS: usize = 10;

/// Queues a test send of template `id` to `to` (1 to 10 addresses), from `from` at
/// sending domain `domain`, personalised for `contact` (an empty contact when None).
pub async fn send_test(
    ctx: &TenantCtx,
    p: &Parley,
    id: EmailTemplateId,
    domain: crate::SendingDomainId,
    from: &str,
    to: &[String],
    contact: Option<ContactId>,
) -> Result<()> {
    if to.is_empty() || to.len() > MAX_TEST_RECIPIENTS {
        return Err(Error::invalid("to", format!("is 1 to {MAX_TEST_RECIPIENTS} addresses")));
    }
    let to = to
        .iter()
        .enumerate()
        .map(|(i, t)| crate::validate::Email::parse(&format!("to[{i}]"), t).map(|e| e.as_str().to_owned()))
        .collect::<Result<Vec<_>>>()?;
    let from = crate::validate::Email::parse("fromAddress", from)?.as_str().to_owned();
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    tx.find::<email_template::Entity>(id).await?;
    let d = tx.find::<entities::sending_domain::Entity>(domain).await?;
    super::domains::check_from("fromAddress", &from, &d.domain)?;
    if let Some(c) = contact {
        tx.find::<contact::Entity>(c).await?;
    }
    let job = crate::jobs::TestEmail { template_id: id, sending_domain_id: domain, from, to, contact_id: contact };
    crate::jobs::enqueue_in(&tx, p, ctx, crate::jobs::NewJob::of(&job)).await?;
    tx.commit().await?;
    Ok(())
}

/// A test send's messages (subject marked `[Test]`), and the key that signs them.
pub async fn prepare_test(
    ctx: &TenantCtx,
    p: &Parley,
    job: &crate::jobs::TestEmail,
) -> Result<(Vec<super::run::Outgoing>, super::domains::DkimKey)> {
    let tx = p.tenant_tx(ctx).await?;
    let t = tx.find::<email_template::Entity>(job.template_id).await?;
    let key = super::domains::key_in(&tx, p, job.sending_domain_id).await?;
    let c = match job.contact_id {
        Some(id) => Some(tx.find::<contact::Entity>(id).await?),
        None => None,
    };
    tx.commit().await?;
    let vars = preview_vars(p, c.as_ref());
    let r = compile(&t)?.render(&vars)?;
    let out = job
        .to
        .iter()
        .map(|to| super::run::Outgoing {
            send: new_id(),
            to: to.clone(),
            subject: format!("[Test] {}", r.subject),
            html: r.html.clone(),
            text: r.text.clone(),
            message_id: format!("test-{}@{}", uuid::Uuid::now_v7().simple(), key.domain),
            return_path: format!("bounces@{}", key.domain),
            unsubscribe_url: format!("{}/u/preview", p.settings().public_url),
        })
        .collect();
    Ok((out, key))
}

//! What a campaign email carries that must come back to Parley: the unsubscribe link,
//! the open pixel and click redirects, the envelope sender (VERP) and the Message-ID,
//! and the secret address of a workspace's inbound hook. Each is signed with a tag
//! ([`crate::sealed::Keys::tag`]), so none can be forged, replayed onto another send,
//! or turned into an open redirect.

use base64::Engine;

use crate::{CampaignSendId, Parley, TypedId, WorkspaceId};

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

/// Bytes of a tag in links (96 bits: forging one is out of reach).
const TAG: usize = 12;

/// Which send a link or an address is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRef {
    pub tenant: WorkspaceId,
    pub send: CampaignSendId,
}

impl SendRef {
    fn bytes(self) -> [u8; 32] {
        let mut b = [0u8; 32];
        b[..16].copy_from_slice(self.tenant.uuid().as_bytes());
        b[16..].copy_from_slice(self.send.uuid().as_bytes());
        b
    }
}

/// What a token is for; a token made for one purpose never reads as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Unsubscribe,
    Open,
    Click,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::Unsubscribe => "unsubscribe",
            Purpose::Open => "open",
            Purpose::Click => "click",
        }
    }
}

/// The token for `r` and `purpose` (`extra` is signed too: a click's target URL).
pub fn token(p: &Parley, purpose: Purpose, r: SendRef, extra: &str) -> String {
    let bytes = r.bytes();
    let mut data = bytes.to_vec();
    data.extend_from_slice(extra.as_bytes());
    let tag = p.settings().secrets.tag(purpose.name(), &data, TAG);
    let mut out = bytes.to_vec();
    out.extend_from_slice(&tag);
    b64().encode(out)
}

/// The send a token names, when Parley made it for `purpose` (and `extra`).
pub fn read(p: &Parley, purpose: Purpose, token: &str, extra: &str) -> Option<SendRef> {
    let raw = b64().decode(token.trim()).ok()?;
    if raw.len() != 32 + TAG {
        return None;
    }
    let (bytes, tag) = raw.split_at(32);
    let mut data = bytes.to_vec();
    data.extend_from_slice(extra.as_bytes());
    if !p.settings().secrets.check_tag(purpose.name(), &data, tag) {
        return None;
    }
    let tenant = uuid::Uuid::from_slice(&bytes[..16]).ok()?;
    let send = uuid::Uuid::from_slice(&bytes[16..]).ok()?;
    Some(SendRef { tenant: tenant.into(), send: send.into() })
}

/// The one-click unsubscribe URL of a send (RFC 8058): a GET shows a page that asks, a
/// POST of `List-Unsubscribe=One-Click` unsubscribes at once.
pub fn unsubscribe_url(p: &Parley, r: SendRef) -> String {
    format!("{}/u/{}", p.settings().public_url, token(p, Purpose::Unsubscribe, r, ""))
}

/// The open pixel of a send.
pub fn open_url(p: &Parley, r: SendRef) -> String {
    format!("{}/t/o/{}.gif", p.settings().public_url, token(p, Purpose::Open, r, ""))
}

/// The tracked form of link `url` in a send: a redirect that records the click, signed
/// with the target, so it leads nowhere else.
pub fn click_url(p: &Parley, r: SendRef, url: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(url.as_bytes()).collect();
    format!("{}/t/c/{}?u={encoded}", p.settings().public_url, token(p, Purpose::Click, r, url))
}

/// The envelope sender of a send (VERP): `bounces+<send><tag>@<domain>`. Bounces come
/// back to it, so the address alone says which send bounced.
pub fn return_path(p: &Parley, r: SendRef, domain: &str) -> String {
    let tag = p.settings().secrets.tag("return-path", &r.bytes(), 6);
    format!("bounces+{}{}@{domain}", r.send.uuid().simple(), hex::encode(tag))
}

/// The send a return-path address names (any case; the tenant is the hook's).
pub fn read_return_path(p: &Parley, tenant: WorkspaceId, address: &str) -> Option<CampaignSendId> {
    let local = address.trim().trim_matches(['<', '>']).split('@').next()?.to_ascii_lowercase();
    let rest = local.strip_prefix("bounces+")?;
    if rest.len() != 32 + 12 {
        return None;
    }
    let send = uuid::Uuid::parse_str(&rest[..32]).ok()?;
    let tag = hex::decode(&rest[32..]).ok()?;
    let r = SendRef { tenant, send: send.into() };
    p.settings().secrets.check_tag("return-path", &r.bytes(), &tag).then_some(r.send)
}

/// The Message-ID of a send, without the angle brackets.
pub fn message_id(send: CampaignSendId, domain: &str) -> String {
    format!("{}@{domain}", send.uuid().simple())
}

/// The send a Message-ID names, if Parley made it (at any domain).
pub fn read_message_id(id: &str) -> Option<CampaignSendId> {
    let local = id.trim().trim_matches(['<', '>']).split('@').next()?;
    if local.len() != 32 {
        return None;
    }
    uuid::Uuid::parse_str(local).ok().map(Into::into)
}

/// The secret last part of a workspace's inbound hook URL.
pub fn inbound_secret(p: &Parley, tenant: WorkspaceId) -> String {
    let tag = p.settings().secrets.tag("inbound-email", tenant.uuid().as_bytes(), 16);
    format!("{}.{}", tenant.uuid().simple(), hex::encode(tag))
}

/// The workspace an inbound hook secret belongs to.
pub fn read_inbound_secret(p: &Parley, secret: &str) -> Option<WorkspaceId> {
    let (id, tag) = secret.trim().split_once('.')?;
    let tenant = uuid::Uuid::parse_str(id).ok()?;
    let tag = hex::decode(tag).ok()?;
    p.settings().secrets.check_tag("inbound-email", tenant.as_bytes(), &tag).then(|| tenant.into())
}

/// The URL raw messages for workspace `tenant` are posted to.
pub fn inbound_url(p: &Parley, tenant: WorkspaceId) -> String {
    format!("{}/hooks/inbound-email/{}", p.settings().public_url, inbound_secret(p, tenant))
}

/// `html` with every web link (`<a href="http…">`) leading through its tracked
/// redirect, and the open pixel before `</body>`. The unsubscribe link stays as it is.
pub fn tracked_html(p: &Parley, r: SendRef, html: &str, unsubscribe: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() + 1024);
    let mut at = 0;
    while let Some(found) = lower[at..].find("<a ") {
        let tag_start = at + found;
        let Some(tag_len) = lower[tag_start..].find('>') else { break };
        let tag_end = tag_start + tag_len;
        let Some(h) = lower[tag_start..tag_end].find("href=\"") else {
            out.push_str(&html[at..=tag_end]);
            at = tag_end + 1;
            continue;
        };
        let value_start = tag_start + h + 6;
        let Some(value_len) = html[value_start..tag_end].find('"') else { break };
        let value_end = value_start + value_len;
        let url = html[value_start..value_end].replace("&amp;", "&");
        out.push_str(&html[at..value_start]);
        let web = url.starts_with("http://") || url.starts_with("https://");
        if web && url != unsubscribe {
            out.push_str(&click_url(p, r, &url).replace('&', "&amp;"));
        } else {
            out.push_str(&html[value_start..value_end]);
        }
        at = value_end;
    }
    out.push_str(&html[at..]);
    let pixel = format!(
        "<img src=\"{}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0\">",
        open_url(p, r)
    );
    match out.rfind("</body>") {
        Some(i) => out.insert_str(i, &pixel),
        None => out.push_str(&pixel),
    }
    out
}

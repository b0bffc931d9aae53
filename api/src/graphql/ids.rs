//! Opaque Relay global IDs: base64url of `Type:uuid`.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// The global ID of object `id` of `type_name`.
pub fn global_id(type_name: &str, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}")))
}

/// Splits a global ID into its type and UUID; `None` if it is not one of ours.
pub fn parse_any(id: &str) -> Option<(String, Uuid)> {
    let raw = URL_SAFE_NO_PAD.decode(id.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (t, u) = text.split_once(':')?;
    Some((t.to_owned(), Uuid::try_parse(u).ok()?))
}

/// The UUID inside a global ID of `type_name`. A malformed ID is bad input naming
/// `field`; a well-formed ID of another type is simply not found.
pub fn parse(type_name: &str, field: &str, id: &ID) -> domain::Result<Uuid> {
    match parse_any(id) {
        Some((t, u)) if t == type_name => Ok(u),
        Some(_) => Err(domain::Error::NotFound),
        None => Err(domain::Error::invalid(field, "is not a valid ID")),
    }
}

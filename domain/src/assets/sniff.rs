//! What an uploaded file is, from its first bytes. Written here rather than taken from
//! a MIME-guessing crate: those go by the name or know hundreds of types, and an asset
//! is only ever one of the few kinds a reviewer's browser shows safely.

use crate::{Error, Result};
use entities::assets::enums::AssetKind;

/// How many first bytes are read to tell.
pub(crate) const HEAD: usize = 4096;

/// The kind and content type of a file starting with `head`; `file` is refused (naming
/// what is accepted) when it is none of them.
pub fn sniff(head: &[u8]) -> Result<(AssetKind, &'static str)> {
    if head.is_empty() {
        return Err(Error::invalid("file", "is empty"));
    }
    let image = |t| Ok((AssetKind::Image, t));
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return image("image/png");
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return image("image/jpeg");
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return image("image/gif");
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return image("image/webp");
    }
    if head.starts_with(b"%PDF-") {
        return Ok((AssetKind::Pdf, "application/pdf"));
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // The head may end inside a character.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
        Err(_) => "",
    };
    let lower = text.trim_start_matches('\u{feff}').trim_start().to_ascii_lowercase();
    if lower.starts_with("<svg") || (lower.starts_with("<?xml") && lower.contains("<svg")) {
        return image("image/svg+xml");
    }
    let html_start = ["<!doctype html", "<html", "<head", "<body", "<table", "<!--"];
    if html_start.iter().any(|s| lower.starts_with(s))
        && (lower.contains("<html")
            || lower.contains("<body")
            || lower.contains("<table")
            || lower.starts_with("<!doctype html"))
    {
        return Ok((AssetKind::Html, "text/html; charset=utf-8"));
    }
    Err(Error::invalid("file", "is not an image (PNG, JPEG, GIF, WebP or SVG), a PDF or an HTML document"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_read_from_the_first_bytes() {
        let kind = |b: &[u8]| sniff(b).ok();
        assert_eq!(kind(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some((AssetKind::Image, "image/png")));
        assert_eq!(kind(&[0xFF, 0xD8, 0xFF, 0xE0]), Some((AssetKind::Image, "image/jpeg")));
        assert_eq!(kind(b"GIF89a.."), Some((AssetKind::Image, "image/gif")));
        assert_eq!(kind(b"RIFF\x10\0\0\0WEBPVP8 "), Some((AssetKind::Image, "image/webp")));
        assert_eq!(kind(b"%PDF-1.7\n"), Some((AssetKind::Pdf, "application/pdf")));
        assert_eq!(
            kind(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some((AssetKind::Image, "image/svg+xml"))
        );
        assert_eq!(
            kind(b"\xef\xbb\xbf  <!DOCTYPE html><html><body>Hi</body></html>"),
            Some((AssetKind::Html, "text/html; charset=utf-8"))
        );
        assert_eq!(
            kind(b"<!-- preheader --><table><tr><td>Hi</td></tr></table>"),
            Some((AssetKind::Html, "text/html; charset=utf-8"))
        );
    }

    #[test]
    fn anything_else_is_refused_naming_what_is_accepted() {
        for bad in [&b""[..], b"name,email\nann,a@x", b"PK\x03\x04zip", b"<!-- just a comment -->", b"\xff\xfe\0<\0h"] {
            let r = sniff(bad);
            assert!(
                matches!(&r, Err(Error::Invalid { field, message })
                    if field == "file" && (message.contains("is empty") || message.contains("PNG"))),
                "{bad:?}: {r:?}"
            );
        }
    }
}

//! XML bodies with quick-xml: the `<{Action}Response>` envelope with its optional
//! `<{Action}Result>` and `ResponseMetadata`, the `<ErrorResponse>` envelope, and the element
//! helpers the result encoders share.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use time::macros::format_description;

use keygate_core::Timestamp;

/// A body under construction.
pub struct Xml {
    w: Writer<Vec<u8>>,
}

impl std::fmt::Debug for Xml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Xml")
    }
}

impl Xml {
    fn new() -> Self {
        let mut x = Self {
            w: Writer::new(Vec::new()),
        };
        x.emit(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        x
    }

    fn emit(&mut self, e: Event<'_>) {
        // Writing into a Vec cannot fail.
        let _ = self.w.write_event(e);
    }

    pub fn open(&mut self, name: &str) {
        self.emit(Event::Start(BytesStart::new(name)));
    }

    fn open_ns(&mut self, name: &str, ns: &str) {
        let mut start = BytesStart::new(name);
        start.push_attribute(("xmlns", ns));
        self.emit(Event::Start(start));
    }

    pub fn close(&mut self, name: &str) {
        self.emit(Event::End(BytesEnd::new(name)));
    }

    /// `<name>text</name>`, the text escaped.
    pub fn text(&mut self, name: &str, text: &str) {
        self.open(name);
        self.text_inline(text);
        self.close(name);
    }

    /// Text directly inside the current element (a `<member>` of a list of strings).
    pub fn text_inline(&mut self, text: &str) {
        let text = xml_chars(text);
        self.emit(Event::Text(BytesText::new(&text)));
    }

    pub fn date(&mut self, name: &str, t: Timestamp) {
        self.text(name, &iso8601(t));
    }

    pub fn boolean(&mut self, name: &str, b: bool) {
        self.text(name, if b { "true" } else { "false" });
    }

    /// `<name><member>…</member>…</name>`.
    pub fn list<T>(&mut self, name: &str, items: &[T], mut each: impl FnMut(&mut Xml, &T)) {
        self.open(name);
        for item in items {
            self.open("member");
            each(self, item);
            self.close("member");
        }
        self.close(name);
    }

    /// The writer only ever writes `str`s, so the check passes and the buffer becomes the
    /// string without a copy.
    fn finish(self) -> String {
        String::from_utf8(self.w.into_inner())
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// The text with every character XML 1.0 cannot carry (control characters other than tab, LF
/// and CR; unpaired surrogates cannot occur in a `str`) replaced by U+FFFD, so that a caller's
/// input echoed in a message never breaks the document.
fn xml_chars(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    if text.chars().any(bad) {
        text.chars()
            .map(|c| if bad(c) { '\u{FFFD}' } else { c })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// ISO 8601 UTC at second precision: `2024-05-01T12:00:00Z`.
pub fn iso8601(t: Timestamp) -> String {
    t.to_datetime()
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default()
}

/// A success body; `result` writes the inside of `<{action}Result>`, absent for actions that
/// have no output.
pub fn response(
    action: &str,
    namespace: &str,
    request_id: &str,
    result: Option<&dyn Fn(&mut Xml)>,
) -> String {
    let mut x = Xml::new();
    let root = format!("{action}Response");
    x.open_ns(&root, namespace);
    if let Some(write) = result {
        let name = format!("{action}Result");
        x.open(&name);
        write(&mut x);
        x.close(&name);
    }
    x.open("ResponseMetadata");
    x.text("RequestId", request_id);
    x.close("ResponseMetadata");
    x.close(&root);
    x.finish()
}

pub fn error(namespace: &str, fault: &str, code: &str, message: &str, request_id: &str) -> String {
    let mut x = Xml::new();
    x.open_ns("ErrorResponse", namespace);
    x.open("Error");
    x.text("Type", fault);
    x.text("Code", code);
    x.text("Message", message);
    x.close("Error");
    x.text("RequestId", request_id);
    x.close("ErrorResponse");
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_document() {
        let body = error("urn:x", "Sender", "SomeCode", "Value 'a\u{1}b' <x>", "rid");
        assert!(body.contains("a\u{FFFD}b"), "{body}");
        assert!(body.contains("&lt;x&gt;"));
        assert!(!body.contains('\u{1}'));
    }
}

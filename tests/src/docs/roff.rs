//! A small man(7) writer: escapes text and never emits what `mandoc -T lint` warns about
//! (blank lines, paragraph macros right after a heading, trailing spaces).

/// A man page being written.
#[derive(Debug, Default)]
pub struct Page {
    out: String,
    /// Whether the last thing written was a heading or a list item's tag (no `.PP` then).
    fresh: bool,
}

/// Escapes `text` for a roff text line: backslashes, and dashes that are options or minus.
pub fn escape(text: &str) -> String {
    let mut s = text.replace('\\', "\\e").replace('-', "\\-");
    // A line starting with '.' or '\'' would be a request.
    if s.starts_with('.') || s.starts_with('\'') {
        s.insert_str(0, "\\&");
    }
    s
}

/// `text` in bold.
pub fn bold(text: &str) -> String {
    format!("\\fB{}\\fR", escape(text))
}

/// `text` in italics.
pub fn italic(text: &str) -> String {
    format!("\\fI{}\\fR", escape(text))
}

fn quote(arg: &str) -> String {
    format!("\"{}\"", arg.replace('"', "\\(dq"))
}

impl Page {
    /// A page with its title line.
    pub fn new(name: &str, section: u8, date: &str, source: &str, manual: &str) -> Page {
        let mut page = Page::default();
        page.request(&format!(
            ".TH {} {section} {} {} {}",
            name.to_uppercase().replace('-', "\\-"),
            quote(date),
            quote(source),
            quote(manual)
        ));
        page
    }

    fn request(&mut self, line: &str) {
        self.out.push_str(line);
        self.out.push('\n');
    }

    /// Text lines, filled by the formatter: wrapped at spaces to stay within 80 bytes.
    fn text_line(&mut self, text: &str) {
        let mut line = String::new();
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() && line.len() + 1 + word.len() > 79 {
                self.emit_text(&line);
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            self.emit_text(&line);
        }
    }

    fn emit_text(&mut self, line: &str) {
        if line.starts_with('.') || line.starts_with('\'') {
            self.out.push_str("\\&");
        }
        self.request(line);
    }

    /// `.SH NAME`.
    pub fn section(&mut self, name: &str) {
        self.request(&format!(".SH {}", quote(&name.to_uppercase())));
        self.fresh = true;
    }

    /// `.SS title` (title already formatted).
    pub fn subsection(&mut self, title: &str) {
        self.request(&format!(".SS {}", quote(title)));
        self.fresh = true;
    }

    /// A paragraph of plain text (escaped); blank lines in `text` start new paragraphs.
    pub fn text(&mut self, text: &str) {
        for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            let joined = para.split_whitespace().collect::<Vec<_>>().join(" ");
            self.raw_paragraph(&escape(&joined));
        }
    }

    /// A paragraph of already formatted roff text (one or more text lines).
    pub fn raw_paragraph(&mut self, roff: &str) {
        if !self.fresh {
            self.request(".PP");
        }
        for line in roff.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
            if line.starts_with('.') {
                self.request(line);
            } else {
                self.text_line(line);
            }
        }
        self.fresh = false;
    }

    /// A tagged paragraph: `tag` (formatted roff) then the body (plain text).
    pub fn item(&mut self, tag: &str, body: &str) {
        self.request(".TP");
        self.request(tag);
        self.fresh = true;
        let mut first = true;
        for para in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            if !first {
                self.request(".IP");
            }
            let joined = para.split_whitespace().collect::<Vec<_>>().join(" ");
            self.text_line(&escape(&joined));
            first = false;
        }
        self.fresh = false;
    }

    /// Lines shown as they are (examples, file contents), indented.
    pub fn literal(&mut self, lines: &[&str]) {
        if !self.fresh {
            self.request(".PP");
        }
        self.request(".RS 4");
        self.request(".EX");
        for line in lines {
            let line = line.trim_end();
            if line.is_empty() {
                // An empty line inside .EX is still a blank line to mandoc.
                self.request("\\&");
            } else {
                self.request(&escape(line));
            }
        }
        self.request(".EE");
        self.request(".RE");
        self.fresh = false;
    }

    /// The page's source.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_escapes() {
        assert_eq!(escape(".hidden"), "\\&.hidden");
        assert_eq!(escape("a\\b --x"), "a\\eb \\-\\-x");
        let mut p = Page::new("x", 1, "d", "s", "m");
        p.section("name");
        p.text("one\n\ntwo");
        let out = p.finish();
        assert!(out.contains(".SH \"NAME\"\none\n.PP\ntwo\n"), "{out}");
    }
}

//! Text entry: one line of text with a cursor, and forms of several such lines.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key did to a text input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text or cursor changed (or nothing happened).
    Changed,
    /// Enter.
    Submit,
    /// Esc.
    Cancel,
    /// Tab or ↓: on to the next field.
    Next,
    /// Shift-Tab or ↑: back to the previous field.
    Prev,
}

/// One line of text being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    /// The text.
    pub value: String,
    /// The cursor, in characters.
    pub cursor: usize,
    /// Shown as dots (passwords).
    pub secret: bool,
}

impl TextInput {
    /// An input holding `value`, with the cursor at its end.
    pub fn new(value: impl Into<String>) -> TextInput {
        let value = value.into();
        TextInput {
            cursor: value.chars().count(),
            value,
            secret: false,
        }
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Applies a key.
    pub fn key(&mut self, key: &KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => return Edit::Submit,
            KeyCode::Esc => return Edit::Cancel,
            KeyCode::Tab | KeyCode::Down => return Edit::Next,
            KeyCode::BackTab | KeyCode::Up => return Edit::Prev,
            KeyCode::Char('u') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.value.replace_range(..at, "");
                self.cursor = 0;
            }
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.value.chars().count(),
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                let at = self.byte_at(self.cursor);
                self.value.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Delete if self.cursor < self.value.chars().count() => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.value.chars().count()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.value.chars().count(),
            _ => {}
        }
        Edit::Changed
    }

    /// The text as shown: dots for a secret.
    pub fn shown(&self) -> String {
        if self.secret {
            "•".repeat(self.value.chars().count())
        } else {
            crate::cli::output::clean(&self.value).into_owned()
        }
    }
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// The label.
    pub label: &'static str,
    /// The protocol's name of the field, to place the daemon's `Invalid {field}` errors.
    pub name: &'static str,
    /// The input.
    pub input: TextInput,
}

/// A few lines to fill in, then Enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The title.
    pub title: String,
    /// The fields.
    pub fields: Vec<FormField>,
    /// The field with the cursor.
    pub focus: usize,
    /// An error to show next to a field: (field index, reason).
    pub error: Option<(usize, String)>,
}

impl Form {
    /// A form with these `(label, protocol name, initial value)` fields.
    pub fn new(title: impl Into<String>, fields: &[(&'static str, &'static str, &str)]) -> Form {
        Form {
            title: title.into(),
            fields: fields
                .iter()
                .map(|(label, name, value)| FormField {
                    label,
                    name,
                    input: TextInput::new(*value),
                })
                .collect(),
            focus: 0,
            error: None,
        }
    }

    /// Marks the field named `name` as secret.
    pub fn secret(mut self, name: &str) -> Form {
        for f in &mut self.fields {
            if f.name == name {
                f.input.secret = true;
            }
        }
        self
    }

    /// The value of the field named `name` (empty when there is none), trimmed.
    pub fn value(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.input.value.trim().to_string())
            .unwrap_or_default()
    }

    /// Applies a key: `Submit` and `Cancel` are for the caller.
    pub fn key(&mut self, key: &KeyEvent) -> Edit {
        let n = self.fields.len();
        let Some(field) = self.fields.get_mut(self.focus) else {
            return Edit::Cancel;
        };
        match field.input.key(key) {
            Edit::Next => self.focus = (self.focus + 1) % n,
            Edit::Prev => self.focus = (self.focus + n - 1) % n,
            Edit::Changed => {}
            other => return other,
        }
        Edit::Changed
    }

    /// Shows the daemon's error next to the field it names (or the first field), and puts the
    /// cursor there.
    pub fn show_error(&mut self, field: Option<&str>, reason: String) {
        let at = field
            .and_then(|name| self.fields.iter().position(|f| f.name == name))
            .unwrap_or(self.focus);
        self.focus = at;
        self.error = Some((at, reason));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_editing_and_moving() {
        let mut t = TextInput::new("ab");
        t.key(&k(KeyCode::Left));
        t.key(&k(KeyCode::Char('é')));
        assert_eq!(t.value, "aéb");
        t.key(&k(KeyCode::Backspace));
        t.key(&k(KeyCode::Backspace));
        assert_eq!(t.value, "b");
        assert_eq!(t.key(&k(KeyCode::Enter)), Edit::Submit);
        t.secret = true;
        assert_eq!(t.shown(), "•");
    }

    #[test]
    fn forms_move_between_fields_and_place_errors() {
        let mut f = Form::new("x", &[("A", "a", ""), ("B", "b", "2")]);
        f.key(&k(KeyCode::Char('1')));
        f.key(&k(KeyCode::Tab));
        f.key(&k(KeyCode::Char('3')));
        assert_eq!((f.value("a"), f.value("b")), ("1".into(), "23".into()));
        f.show_error(Some("a"), "bad".into());
        assert_eq!(f.focus, 0);
        assert_eq!(f.error, Some((0, "bad".into())));
    }
}

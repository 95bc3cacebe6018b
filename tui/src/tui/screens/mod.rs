//! One module per screen: its state, the commands it takes, what they do, and how it draws.

pub mod audit;
pub mod cdrs;
pub mod customer;
pub mod customers;
pub mod domains;
pub mod editor;
pub mod files;
pub mod ratecards;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState, Wrap};

use super::app::{App, Link};
use crate::cli::output::clean;

/// A table of rows with a cursor, or the empty state's words, or "loading…".
pub struct Grid<'a> {
    pub title: String,
    pub headers: &'a [&'a str],
    pub widths: &'a [Constraint],
    /// `None` while not loaded.
    pub rows: Option<Vec<Vec<String>>>,
    pub cursor: usize,
    /// What to say when there are no rows: what to do.
    pub empty: &'a str,
}

impl Grid<'_> {
    /// Draws the grid into `area`, in a box with its title.
    pub fn render(self, app: &App, f: &mut Frame, area: Rect) {
        let block = Block::bordered().title(self.title.clone());
        self.render_in(app, f, area, block);
    }

    /// Draws the grid into `area` without a box (inside another screen's box).
    pub fn render_plain(self, app: &App, f: &mut Frame, area: Rect) {
        self.render_in(app, f, area, Block::new());
    }

    fn render_in(self, app: &App, f: &mut Frame, area: Rect, block: Block) {
        let t = app.theme;
        let rows = match self.rows {
            Some(rows) if !rows.is_empty() => rows,
            other => {
                let text = match (&other, &app.link) {
                    (Some(_), _) => self.empty.to_string(),
                    (None, Link::Down(reason)) => reason.clone(),
                    (None, _) => "loading…".to_string(),
                };
                f.render_widget(
                    Paragraph::new(text)
                        .style(t.dim())
                        .wrap(Wrap { trim: true })
                        .block(block),
                    area,
                );
                return;
            }
        };
        let rows: Vec<Row> = rows
            .into_iter()
            .map(|cells| Row::new(cells.into_iter().map(|c| clean(&c).into_owned())))
            .collect();
        let header = Row::new(self.headers.iter().copied()).style(t.title());
        let table = Table::new(rows, self.widths.iter().copied())
            .header(header)
            .column_spacing(1)
            .row_highlight_style(t.selected())
            .block(block);
        let mut state = TableState::default().with_selected(Some(self.cursor));
        f.render_stateful_widget(table, area, &mut state);
    }
}

/// `text` cut to `width` characters, with `…` when something was cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `text` wrapped at word boundaries into lines of at most `width` characters (a longer word
/// is split).
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let have = line.chars().count();
            let need = word.chars().count() + usize::from(have > 0);
            if have + need <= width {
                if have > 0 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if have > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A label and a value wrapped under itself: continuation lines start where the value did.
pub fn labelled(
    label: ratatui::text::Span<'static>,
    value: &str,
    style: ratatui::style::Style,
    width: u16,
) -> Vec<ratatui::text::Line<'static>> {
    use ratatui::text::{Line, Span};
    let indent = label.width();
    let parts = wrap_words(value, usize::from(width).saturating_sub(indent));
    let mut label = Some(label);
    parts
        .into_iter()
        .map(|part| {
            let head = label
                .take()
                .unwrap_or_else(|| Span::raw(" ".repeat(indent)));
            Line::from(vec![head, Span::styled(part, style)])
        })
        .collect()
}

/// A size as `1.2 MiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes;
    let mut tenths = 0;
    let mut unit = 0;
    while value >= 1024 && unit + 1 < UNITS.len() {
        tenths = (value % 1024) * 10 / 1024;
        value /= 1024;
        unit += 1;
    }
    if unit == 0 {
        format!("{value} B")
    } else {
        format!("{value}.{tenths} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_wrap_and_text_fits() {
        assert_eq!(super::wrap_words("ab cd ef", 5), vec!["ab cd", "ef"]);
        assert_eq!(super::wrap_words("abcdefg", 3), vec!["abc", "def", "g"]);
        assert_eq!(super::wrap_words("", 3), vec![""]);
        assert_eq!(super::fit("dns_pending · A record", 8), "dns_pen…");
        assert_eq!(super::fit("ok", 8), "ok");
    }

    #[test]
    fn sizes() {
        assert_eq!(super::size(12), "12 B");
        assert_eq!(super::size(1536), "1.5 KiB");
        assert_eq!(super::size(3 * 1024 * 1024), "3.0 MiB");
    }
}

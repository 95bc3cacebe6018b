//! The Audit screen: the newest recorded changes, newest first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Wrap};

use super::Grid;
use crate::cli::output::{clean, utc};
use crate::tui::app::{App, Cursor, MOVES};
use crate::tui::keys::Cmd;

/// The screen's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub cursor: Cursor,
}

/// What the screen takes.
pub fn offered() -> Vec<Cmd> {
    MOVES.to_vec()
}

/// Carries out a command of the screen.
pub fn command(app: &mut App, cmd: Cmd) {
    let n = app.data.audit.as_ref().map_or(0, Vec::len);
    app.audit.cursor.apply(cmd, n);
}

/// Draws the screen: the entries, and the selected one's detail below.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let [grid, detail] = Layout::vertical([Constraint::Min(3), Constraint::Length(3)]).areas(area);
    let rows = app.data.audit.as_ref().map(|entries| {
        entries
            .iter()
            .map(|e| {
                vec![
                    e.seq.to_string(),
                    utc(e.at),
                    e.uid.map_or("—".into(), |u| u.to_string()),
                    e.action.clone(),
                    e.target.clone(),
                ]
            })
            .collect()
    });
    Grid {
        title: " Audit log ".into(),
        headers: &["Seq", "At (UTC)", "uid", "Action", "Target"],
        widths: &[
            Constraint::Length(5),
            Constraint::Length(19),
            Constraint::Length(5),
            Constraint::Length(18),
            Constraint::Fill(1),
        ],
        rows,
        cursor: app.audit.cursor.0,
        empty: "Nothing recorded yet.",
    }
    .render(app, f, area.intersection(grid));
    let text = app
        .data
        .audit
        .as_ref()
        .and_then(|a| a.get(app.audit.cursor.0))
        .map_or(String::new(), |e| clean(&e.detail).into_owned());
    f.render_widget(
        Paragraph::new(text)
            .style(app.theme.dim())
            .wrap(Wrap { trim: true }),
        detail,
    );
}

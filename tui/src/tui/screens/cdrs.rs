//! The Unassigned CDRs screen: CDRs that matched no customer, by account code, and assigning
//! them (the account code is added to the customer so later CDRs match).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use super::Grid;
use crate::cli::output::utc;
use crate::tui::app::{App, Cursor, MOVES};
use crate::tui::keys::Cmd;
use crate::tui::popup::{Pick, Popup, Then};

/// The screen's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub cursor: Cursor,
}

/// What the screen takes.
pub fn offered() -> Vec<Cmd> {
    let mut c = vec![Cmd::Assign];
    c.extend(MOVES);
    c
}

/// Carries out a command of the screen.
pub fn command(app: &mut App, cmd: Cmd) {
    let groups = app.data.unassigned.as_deref().unwrap_or_default();
    if app.cdrs.cursor.apply(cmd, groups.len()) {
        return;
    }
    if cmd == Cmd::Assign
        && let Some(g) = groups.get(app.cdrs.cursor.0)
    {
        let items = app
            .data
            .customers
            .iter()
            .flatten()
            .map(|c| {
                (
                    format!("#{} {} ({})", c.id, c.name, c.currency),
                    Pick::Id(c.id),
                )
            })
            .collect();
        let code = g.account_code.clone();
        app.popup = Some(Popup::picker(
            format!("Assign \"{code}\" to"),
            items,
            Then::Assign(code),
        ));
    }
}

/// Draws the screen.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let rows = app.data.unassigned.as_ref().map(|groups| {
        groups
            .iter()
            .map(|g| {
                let code = if g.account_code.is_empty() {
                    "(none)".to_string()
                } else {
                    g.account_code.clone()
                };
                vec![
                    code,
                    format!("{:>7}", g.cdrs),
                    utc(g.first_call),
                    utc(g.last_call),
                ]
            })
            .collect()
    });
    Grid {
        title: " Unassigned CDRs by account code ".into(),
        headers: &[
            "Account code",
            "   CDRs",
            "First call (UTC)",
            "Last call (UTC)",
        ],
        widths: &[
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(19),
            Constraint::Length(19),
        ],
        rows,
        cursor: app.cdrs.cursor.0,
        empty: "Every CDR belongs to a customer.",
    }
    .render(app, f, area);
}

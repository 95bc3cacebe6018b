//! The Rate cards screen: the cards, and importing a CSV file with progress.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Gauge;

use super::Grid;
use crate::cli::output::utc;
use crate::tui::app::{App, Cursor, MOVES};
use crate::tui::input::Form;
use crate::tui::keys::Cmd;
use crate::tui::popup::{Popup, Then};

/// The Rate cards screen's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub cursor: Cursor,
    /// An import in progress: pieces sent, pieces in all.
    pub progress: Option<(usize, usize)>,
}

/// What the screen takes.
pub fn offered() -> Vec<Cmd> {
    let mut c = vec![Cmd::Import];
    c.extend(MOVES);
    c
}

/// Carries out a command of the screen.
pub fn command(app: &mut App, cmd: Cmd) {
    let n = app.data.ratecards.as_ref().map_or(0, Vec::len);
    if app.ratecards.cursor.apply(cmd, n) {
        return;
    }
    if cmd == Cmd::Import {
        if app.ratecards.progress.is_some() {
            app.error("an import is running; wait for it to finish");
            return;
        }
        let name = app
            .data
            .ratecards
            .as_ref()
            .and_then(|c| c.get(app.ratecards.cursor.0))
            .map_or(String::new(), |c| c.name.clone());
        let form = Form::new(
            "Import rates from CSV",
            &[
                ("Path", "path", ""),
                ("Rate card", "name", &name),
                ("Currency", "currency", "USD"),
                ("Replace all (yes/no)", "replace", "no"),
            ],
        );
        app.popup = Some(Popup::form(form, Then::ImportRateCard));
    }
}

/// Draws the screen.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let area = match app.ratecards.progress {
        Some((done, total)) => {
            let [grid, bar] =
                Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
            let ratio = if total == 0 {
                0.0
            } else {
                done as f64 / total as f64
            };
            f.render_widget(
                Gauge::default()
                    .gauge_style(app.theme.ok())
                    .ratio(ratio.clamp(0.0, 1.0))
                    .label(format!("importing: part {done} of {total}")),
                bar,
            );
            grid
        }
        None => area,
    };
    let rows = app.data.ratecards.as_ref().map(|cards| {
        cards
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.currency.clone(),
                    format!("{:>8}", c.rates),
                    utc(c.updated_at),
                ]
            })
            .collect()
    });
    Grid {
        title: " Rate cards ".into(),
        headers: &["Name", "Cur", "   Rates", "Updated (UTC)"],
        widths: &[
            Constraint::Fill(1),
            Constraint::Length(3),
            Constraint::Length(8),
            Constraint::Length(19),
        ],
        rows,
        cursor: app.ratecards.cursor.0,
        empty: "No rate cards. Press i to import one from a CSV file (prefix, name, rate, ...).",
    }
    .render(app, f, area);
}

//! The Files screen: the public file store (logos and other public files).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use super::{Grid, size};
use crate::cli::output::utc;
use crate::tui::app::{App, Cursor, MOVES};
use crate::tui::input::Form;
use crate::tui::keys::Cmd;
use crate::tui::popup::{Popup, Then};

/// The Files screen's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub cursor: Cursor,
}

/// What the screen takes.
pub fn offered() -> Vec<Cmd> {
    let mut c = vec![Cmd::Upload, Cmd::Delete];
    c.extend(MOVES);
    c
}

/// Carries out a command of the screen.
pub fn command(app: &mut App, cmd: Cmd) {
    let files = app.data.files.as_deref().unwrap_or_default();
    if app.files.cursor.apply(cmd, files.len()) {
        return;
    }
    match cmd {
        Cmd::Upload => {
            let form = Form::new(
                "Upload a public file",
                &[("Path", "path", ""), ("Store as", "name", "")],
            );
            app.popup = Some(Popup::form(form, Then::UploadFile));
        }
        Cmd::Delete => {
            if let Some(f) = files.get(app.files.cursor.0) {
                app.popup = Some(Popup::confirm(
                    format!("Delete the public file {}?", f.name),
                    Then::DeleteFile(f.name.clone()),
                ));
            }
        }
        _ => {}
    }
}

/// Draws the screen.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let rows = app.data.files.as_ref().map(|files| {
        files
            .iter()
            .map(|x| {
                let dims = match (x.width, x.height) {
                    (Some(w), Some(h)) => format!("{w}x{h}"),
                    _ => String::new(),
                };
                vec![
                    x.name.clone(),
                    format!("{:>9}", size(x.size)),
                    x.content_type.clone(),
                    dims,
                    utc(x.uploaded_at),
                ]
            })
            .collect()
    });
    Grid {
        title: " Public files ".into(),
        headers: &["Name", "     Size", "Type", "Pixels", "Uploaded (UTC)"],
        widths: &[
            Constraint::Fill(2),
            Constraint::Length(9),
            Constraint::Fill(1),
            Constraint::Length(9),
            Constraint::Length(19),
        ],
        rows,
        cursor: app.files.cursor.0,
        empty: "The public file store is empty. Press u to upload a file (a logo, say).",
    }
    .render(app, f, area);
}

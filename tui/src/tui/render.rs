//! Drawing: a pure function of the app's state. The screen is a bar of top screens, the body,
//! a message line, the key bar (from the key table) and the status line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, Link, Message, Top};
use super::keys;
use super::popup;
use super::screens::{audit, cdrs, customer, customers, domains, editor, files, ratecards};
use crate::cli::output::clean;

/// Draws the whole console.
pub fn draw(f: &mut Frame, app: &App) {
    let [head, body, message, keybar, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(f.area());
    header(f, app, head);
    if let Some(e) = &app.editor {
        editor::render(app, e, f, body);
    } else if let Some(v) = &app.customer {
        customer::render(app, v, f, body);
    } else {
        match app.top {
            Top::Domains => domains::render(app, f, body),
            Top::Customers => customers::render(app, f, body),
            Top::Files => files::render(app, f, body),
            Top::RateCards => ratecards::render(app, f, body),
            Top::Cdrs => cdrs::render(app, f, body),
            Top::Audit => audit::render(app, f, body),
        }
    }
    message_line(f, app, message);
    key_bar(f, app, keybar);
    status_line(f, app, status);
    if let Some(p) = &app.popup {
        popup::render(app, p, f, f.area());
    }
}

fn header(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let long: usize = Top::ALL.iter().map(|(_, n, _)| n.len() + 4).sum::<usize>() + 8;
    let mut spans = vec![Span::styled("Portico ", t.title())];
    if long > usize::from(area.width) {
        spans.clear();
    }
    for (i, (top, name, short)) in Top::ALL.iter().enumerate() {
        let name = if long > usize::from(area.width) {
            short
        } else {
            name
        };
        let style = if *top == app.top {
            t.active_tab()
        } else {
            t.text()
        };
        spans.push(Span::styled(format!("{}", i + 1), t.key()));
        spans.push(Span::styled(format!(" {name}"), style));
        spans.push(Span::raw("  "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn message_line(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let line = match &app.message {
        Some(Message::Info(text)) => Line::styled(clean(text).into_owned(), t.ok()),
        Some(Message::Error(text)) => Line::styled(clean(text).into_owned(), t.error()),
        None => Line::default(),
    };
    f.render_widget(Paragraph::new(line), area);
}

fn key_bar(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let mut spans = Vec::new();
    for (key, hint) in keys::bar(&app.offered()) {
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key, t.key()));
        spans.push(Span::raw(format!(" {hint}")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The status line's text, at most `width` characters: the daemon's version, uptime and
/// ingest (as many of these as fit), or why it is not there.
pub fn status_text(app: &App, width: usize) -> String {
    let parts = match &app.link {
        Link::Connecting => vec![format!("connecting to {}…", app.socket)],
        Link::Down(reason) => vec![reason.clone()],
        Link::Up(v) => {
            let mut parts = vec![format!("porticod {}", v.daemon)];
            if let Some(up) = app.uptime() {
                parts.push(format!("up {up}"));
            }
            if let Some(s) = &app.ingest.status {
                if let Some(r) = app.ingest.per_minute {
                    parts.push(format!("ingest {r}/min"));
                }
                parts.push(format!("{} CDRs", s.cdrs));
                if s.unassigned > 0 {
                    parts.push(format!("{} unassigned", s.unassigned));
                }
                if s.quarantined > 0 {
                    parts.push(format!("{} quarantined", s.quarantined));
                }
            }
            parts
        }
    };
    let mut text = String::new();
    for part in parts {
        let more = if text.is_empty() {
            part
        } else {
            format!("{text} · {part}")
        };
        if !text.is_empty() && more.chars().count() > width {
            break;
        }
        text = more;
    }
    text
}

fn status_line(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let style = match app.link {
        Link::Down(_) => t.error(),
        _ => t.status(),
    };
    f.render_widget(
        Paragraph::new(format!(
            " {}",
            clean(&status_text(app, usize::from(area.width).saturating_sub(1)))
        ))
        .style(style),
        area,
    );
}

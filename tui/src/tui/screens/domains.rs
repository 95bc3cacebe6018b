//! The Domains screen: every portal domain with its sign-up, DNS and certificate state.

use crossterm::event::KeyEvent;
use portico_protocol::{Domain, SignupStatus};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use super::Grid;
use crate::tui::app::{App, Cursor, Data, MOVES};
use crate::tui::cert;
use crate::tui::input::{Edit, Form, TextInput};
use crate::tui::keys::Cmd;
use crate::tui::popup::{Popup, Then};
use crate::tui::screens::editor;

/// The Domains screen's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub cursor: Cursor,
    /// The filter in force.
    pub filter: String,
    /// The filter being typed.
    pub filtering: Option<TextInput>,
}

impl State {
    /// What the screen takes.
    pub fn offered(&self) -> Vec<Cmd> {
        if self.filtering.is_some() {
            return vec![Cmd::Confirm, Cmd::Cancel];
        }
        let mut c = vec![Cmd::Add, Cmd::Open, Cmd::Delete, Cmd::Filter];
        c.extend(MOVES);
        c
    }

    /// Keeps the cursor on a row.
    pub fn clamp(&mut self, data: &Data) {
        let n = shown(self, data).len();
        self.cursor.clamp(n);
    }
}

/// The domains the filter lets through.
pub fn shown<'a>(s: &State, data: &'a Data) -> Vec<&'a Domain> {
    let filter = s
        .filtering
        .as_ref()
        .map_or(s.filter.as_str(), |t| t.value.as_str())
        .to_lowercase();
    data.domains
        .iter()
        .flatten()
        .filter(|d| {
            filter.is_empty()
                || d.fqdn.contains(&filter)
                || d.brand_name.to_lowercase().contains(&filter)
        })
        .collect()
}

fn selected(app: &App) -> Option<Domain> {
    shown(&app.domains, &app.data)
        .get(app.domains.cursor.0)
        .map(|d| (*d).clone())
}

/// Carries out a command of the screen.
pub fn command(app: &mut App, cmd: Cmd) {
    let n = shown(&app.domains, &app.data).len();
    if app.domains.cursor.apply(cmd, n) {
        return;
    }
    match cmd {
        Cmd::Add => {
            let form = Form::new(
                "Add a domain",
                &[
                    ("FQDN", "fqdn", ""),
                    ("Brand name", "brand_name", ""),
                    ("Currencies", "currencies", "USD"),
                ],
            );
            app.popup = Some(Popup::form(form, Then::AddDomain));
        }
        Cmd::Open => {
            if let Some(d) = selected(app) {
                editor::open(app, d);
            }
        }
        Cmd::Delete => {
            if let Some(d) = selected(app) {
                app.popup = Some(Popup::confirm(
                    format!("Delete the domain {}? Its portal stops at once.", d.fqdn),
                    Then::DeleteDomain(d.fqdn),
                ));
            }
        }
        Cmd::Filter => {
            app.domains.filtering = Some(TextInput::new(app.domains.filter.clone()));
        }
        _ => {}
    }
}

/// A key while the filter is typed.
pub fn type_key(app: &mut App, key: &KeyEvent) {
    let Some(input) = &mut app.domains.filtering else {
        return;
    };
    match input.key(key) {
        Edit::Submit => {
            app.domains.filter = input.value.trim().to_string();
            app.domains.filtering = None;
        }
        Edit::Cancel => app.domains.filtering = None,
        _ => {}
    }
    app.domains.cursor = Cursor::default();
}

/// The sign-up column: who may sign up, and `!` when they wait for approval.
fn signup(d: &Domain) -> String {
    let who = match (d.customer_signup, d.carrier_signup) {
        (true, true) => "both",
        (true, false) => "cust",
        (false, true) => "carr",
        (false, false) => return "off".into(),
    };
    match d.signup_status {
        SignupStatus::PendingApproval => format!("{who} (appr)"),
        SignupStatus::Active => who.into(),
    }
}

/// Draws the screen.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let s = &app.domains;
    let list = shown(s, &app.data);
    let rows = app.data.domains.as_ref().map(|_| {
        list.iter()
            .map(|d| {
                let tls = app.data.tls(&d.fqdn);
                vec![
                    d.fqdn.clone(),
                    d.brand_name.clone(),
                    signup(d),
                    cert::dns_text(tls),
                    cert::cert_text(tls, app.now),
                ]
            })
            .collect()
    });
    let filter = match &s.filtering {
        Some(t) => format!(" /{}▏", t.shown()),
        None if !s.filter.is_empty() => format!(" /{}", s.filter),
        None => String::new(),
    };
    let count = app
        .data
        .domains
        .as_ref()
        .map_or(String::new(), |_| format!(" ({})", list.len()));
    // Below 70 columns the brand gives way to the FQDN.
    let wide = area.width >= 70;
    let cert_width: u16 = if wide { 24 } else { 21 };
    let rows = rows.map(|rows: Vec<Vec<String>>| {
        rows.into_iter()
            .map(|mut r| {
                if let Some(cert) = r.last_mut() {
                    *cert = super::fit(cert, usize::from(cert_width));
                }
                if !wide {
                    r.remove(1);
                }
                r
            })
            .collect()
    });
    let (headers, widths): (&[&str], &[Constraint]) = if wide {
        (
            &["FQDN", "Brand", "Sign-up", "DNS", "Certificate"],
            &[
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Length(11),
                Constraint::Length(3),
                Constraint::Length(cert_width),
            ],
        )
    } else {
        (
            &["FQDN", "Sign-up", "DNS", "Certificate"],
            &[
                Constraint::Fill(1),
                Constraint::Length(11),
                Constraint::Length(3),
                Constraint::Length(cert_width),
            ],
        )
    };
    Grid {
        title: format!(" Domains{count}{filter} "),
        headers,
        widths,
        rows,
        cursor: s.cursor.0,
        empty: if s.filter.is_empty() {
            "No domains yet. Press a to add one: its FQDN, brand name and currencies."
        } else {
            "No domain matches the filter. Press / to change it."
        },
    }
    .render(app, f, area);
}

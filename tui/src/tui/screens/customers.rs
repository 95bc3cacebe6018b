//! The Customers screen: every account, pending approvals first, with a status filter.

use crossterm::event::KeyEvent;
use portico_protocol::{Customer, CustomerStatus};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use super::Grid;
use crate::tui::app::{App, Cursor, Data, MOVES};
use crate::tui::input::{Edit, Form, TextInput};
use crate::tui::io::Request;
use crate::tui::keys::Cmd;
use crate::tui::popup::{Popup, Then};
use crate::tui::screens::customer;

/// The Customers screen's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub cursor: Cursor,
    /// Only customers with this status.
    pub status: Option<CustomerStatus>,
    pub filter: String,
    pub filtering: Option<TextInput>,
}

impl State {
    /// What the screen takes.
    pub fn offered(&self) -> Vec<Cmd> {
        if self.filtering.is_some() {
            return vec![Cmd::Confirm, Cmd::Cancel];
        }
        let mut c = vec![
            Cmd::Open,
            Cmd::Approve,
            Cmd::Reject,
            Cmd::Add,
            Cmd::StatusFilter,
            Cmd::Filter,
        ];
        c.extend(MOVES);
        c
    }

    /// Keeps the cursor on a row.
    pub fn clamp(&mut self, data: &Data) {
        let n = shown(self, data).len();
        self.cursor.clamp(n);
    }
}

/// The customers shown: pending approval first, then by id.
pub fn shown<'a>(s: &State, data: &'a Data) -> Vec<&'a Customer> {
    let filter = s
        .filtering
        .as_ref()
        .map_or(s.filter.as_str(), |t| t.value.as_str())
        .to_lowercase();
    let mut list: Vec<&Customer> = data
        .customers
        .iter()
        .flatten()
        .filter(|c| s.status.is_none_or(|st| c.status == st))
        .filter(|c| {
            filter.is_empty()
                || c.name.to_lowercase().contains(&filter)
                || c.id.to_string() == filter
                || c.account_codes
                    .iter()
                    .any(|a| a.to_lowercase().contains(&filter))
        })
        .collect();
    list.sort_by_key(|c| (c.status != CustomerStatus::PendingApproval, c.id));
    list
}

fn selected(app: &App) -> Option<Customer> {
    shown(&app.customers, &app.data)
        .get(app.customers.cursor.0)
        .map(|c| (*c).clone())
}

/// Carries out a command of the screen.
pub fn command(app: &mut App, cmd: Cmd) {
    let n = shown(&app.customers, &app.data).len();
    if app.customers.cursor.apply(cmd, n) {
        return;
    }
    match cmd {
        Cmd::Open => {
            if let Some(c) = selected(app) {
                customer::open(app, c.id);
            }
        }
        Cmd::Approve | Cmd::Reject => {
            let Some(c) = selected(app) else { return };
            if c.status != CustomerStatus::PendingApproval {
                app.error(format!("#{} {} is not pending approval", c.id, c.name));
            } else if cmd == Cmd::Approve {
                app.request(Request::Approve(c.id));
            } else {
                app.popup = Some(Popup::confirm(
                    format!(
                        "Reject #{} {}? It is suspended and cannot log in.",
                        c.id, c.name
                    ),
                    Then::Reject(c.id),
                ));
            }
        }
        Cmd::Add => {
            let form = Form::new(
                "Add a customer",
                &[("Name", "name", ""), ("Currency", "currency", "USD")],
            );
            app.popup = Some(Popup::form(form, Then::AddCustomer));
        }
        Cmd::StatusFilter => {
            let s = &mut app.customers;
            s.status = match s.status {
                None => Some(CustomerStatus::PendingApproval),
                Some(CustomerStatus::PendingApproval) => Some(CustomerStatus::Active),
                Some(CustomerStatus::Active) => Some(CustomerStatus::Suspended),
                Some(CustomerStatus::Suspended) => None,
            };
            s.cursor = Cursor::default();
        }
        Cmd::Filter => {
            app.customers.filtering = Some(TextInput::new(app.customers.filter.clone()));
        }
        _ => {}
    }
}

/// A key while the filter is typed.
pub fn type_key(app: &mut App, key: &KeyEvent) {
    let Some(input) = &mut app.customers.filtering else {
        return;
    };
    match input.key(key) {
        Edit::Submit => {
            app.customers.filter = input.value.trim().to_string();
            app.customers.filtering = None;
        }
        Edit::Cancel => app.customers.filtering = None,
        _ => {}
    }
    app.customers.cursor = Cursor::default();
}

/// Draws the screen.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let s = &app.customers;
    let list = shown(s, &app.data);
    let pending = app
        .data
        .customers
        .iter()
        .flatten()
        .filter(|c| c.status == CustomerStatus::PendingApproval)
        .count();
    let rows = app.data.customers.as_ref().map(|_| {
        list.iter()
            .map(|c| {
                let status = match c.status {
                    CustomerStatus::PendingApproval => "PENDING".to_string(),
                    other => other.to_string(),
                };
                vec![
                    c.id.to_string(),
                    c.name.clone(),
                    c.kind.to_string(),
                    c.currency.clone(),
                    status,
                    c.account_codes.join(","),
                ]
            })
            .collect()
    });
    let status = s.status.map_or("all".to_string(), |st| st.to_string());
    let filter = match &s.filtering {
        Some(t) => format!(" /{}▏", t.shown()),
        None if !s.filter.is_empty() => format!(" /{}", s.filter),
        None => String::new(),
    };
    let waiting = if pending > 0 {
        format!(", {pending} pending")
    } else {
        String::new()
    };
    Grid {
        title: format!(" Customers: {status}{waiting}{filter} "),
        headers: &["ID", "Name", "Kind", "Cur", "Status", "Account codes"],
        widths: &[
            Constraint::Length(4),
            Constraint::Fill(3),
            Constraint::Length(8),
            Constraint::Length(3),
            Constraint::Length(9),
            Constraint::Fill(2),
        ],
        rows,
        cursor: s.cursor.0,
        empty: "No customers here. Press a to add one, or f for another status.",
    }
    .render(app, f, area);
}

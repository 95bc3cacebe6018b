//! The customer view: its fields, contacts, routes, payments, portal access overrides, and its
//! alerts, packages and contracts (with who approved them).
//!
//! The Fields tab is drawn from the `Customer` DTO itself (through serde), so a field the
//! protocol gains shows up here without a change; the few that can be edited are listed in
//! [`EDITABLE`].

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;
use portico_protocol::{
    Access, AdminError, ContactCreated, Customer, CustomerDetail, CustomerKind, CustomerPatch,
    CustomerStatus, Section,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Tabs, Wrap};
use serde_json::Value;

use super::Grid;
use crate::cli::output::{clean, time};
use crate::tui::app::{App, Cursor, MOVES};
use crate::tui::input::{Edit, Form, TextInput};
use crate::tui::io::{Failure, Request};
use crate::tui::keys::Cmd;
use crate::tui::popup::{Pick, Popup, Then};

/// The fields an admin may change here, by their DTO names, and whether they cycle through
/// fixed values (else they are typed).
pub const EDITABLE: &[(&str, bool)] = &[
    ("name", false),
    ("kind", true),
    ("currency", false),
    ("status", true),
    ("debit_limit", false),
    ("account_codes", false),
];

/// The tabs of the customer view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Fields,
    Contacts,
    Routes,
    Payments,
    Access,
    /// Alerts, packages and contracts (with their approvals).
    Account,
}

impl Tab {
    const ALL: [Tab; 6] = [
        Tab::Fields,
        Tab::Contacts,
        Tab::Routes,
        Tab::Payments,
        Tab::Access,
        Tab::Account,
    ];

    fn title(self) -> &'static str {
        match self {
            Tab::Fields => "Fields",
            Tab::Contacts => "Contacts",
            Tab::Routes => "Routes",
            Tab::Payments => "Payments",
            Tab::Account => "Account",
            Tab::Access => "Portal Access",
        }
    }

    /// The title when the long ones do not fit.
    fn short(self) -> &'static str {
        match self {
            Tab::Fields => "Fields",
            Tab::Contacts => "Contacts",
            Tab::Routes => "Routes",
            Tab::Payments => "Pay",
            Tab::Account => "Acct",
            Tab::Access => "Access",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// The customer view's state.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub id: u64,
    pub detail: Option<CustomerDetail>,
    pub tab: Tab,
    pub rows: [Cursor; 6],
    /// Typed or cycled field values not yet saved, by DTO name.
    pub edits: BTreeMap<String, String>,
    /// The overrides as edited.
    pub overrides: BTreeMap<Section, Access>,
    /// The domain the effective access is shown for (index into the domain list).
    pub domain: Option<usize>,
    pub typing: Option<TextInput>,
    pub pending: Option<u64>,
    pub error: Option<(String, String)>,
}

impl View {
    fn new(id: u64) -> View {
        View {
            id,
            detail: None,
            tab: Tab::Fields,
            rows: [Cursor::default(); 6],
            edits: BTreeMap::new(),
            overrides: BTreeMap::new(),
            domain: None,
            typing: None,
            pending: None,
            error: None,
        }
    }

    fn row(&self) -> usize {
        self.rows[self.tab.index()].0
    }

    fn stored_overrides(&self) -> BTreeMap<Section, Access> {
        self.detail
            .as_ref()
            .map(|d| d.customer.overrides.clone())
            .unwrap_or_default()
    }

    /// The override changes: every section whose state differs from the stored one.
    pub fn override_changes(&self) -> Vec<(Section, Access)> {
        let stored = self.stored_overrides();
        Section::ALL
            .iter()
            .filter_map(|s| {
                let now = self.overrides.get(s).copied().unwrap_or(Access::Default);
                let was = stored.get(s).copied().unwrap_or(Access::Default);
                (now != was).then_some((*s, now))
            })
            .collect()
    }

    /// True when something is not saved.
    pub fn changed(&self) -> bool {
        !self.edits.is_empty() || !self.override_changes().is_empty()
    }

    fn len(&self) -> usize {
        let Some(d) = &self.detail else { return 0 };
        match self.tab {
            Tab::Fields => fields(&d.customer).len(),
            Tab::Contacts => d.contacts.len(),
            Tab::Routes => d.routes.len(),
            Tab::Payments => d.payments.len(),
            Tab::Account => 0,
            Tab::Access => Section::ALL.len(),
        }
    }

    /// The field on the cursor of the Fields tab: (name, cycles).
    fn field(&self) -> Option<(&'static str, bool)> {
        let d = self.detail.as_ref()?;
        let (key, _) = fields(&d.customer).into_iter().nth(self.rows[0].0)?;
        EDITABLE.iter().find(|(n, _)| *n == key).copied()
    }

    /// What the view takes.
    pub fn offered(&self) -> Vec<Cmd> {
        if self.typing.is_some() {
            return vec![Cmd::Confirm, Cmd::Cancel];
        }
        let mut c = Vec::new();
        match self.tab {
            Tab::Fields => match self.field() {
                Some((_, true)) => c.push(Cmd::Toggle),
                Some((_, false)) => c.push(Cmd::EditField),
                None => {}
            },
            Tab::Contacts => c.extend([Cmd::Add, Cmd::ResetPassword]),
            Tab::Routes | Tab::Payments => c.push(Cmd::Add),
            Tab::Account => {}
            Tab::Access => c.extend([Cmd::Cycle, Cmd::EffectiveDomain]),
        }
        if self
            .detail
            .as_ref()
            .is_some_and(|d| d.customer.status == CustomerStatus::PendingApproval)
        {
            c.push(Cmd::Approve);
        }
        c.extend([Cmd::Save, Cmd::NextTab, Cmd::PrevTab]);
        c.extend(MOVES);
        c
    }

    fn patch(&self) -> Result<CustomerPatch, (String, String)> {
        let mut p = CustomerPatch::default();
        for (key, value) in &self.edits {
            let bad = |e: portico_protocol::UnknownName| (key.clone(), e.to_string());
            match key.as_str() {
                "name" => p.name = Some(value.clone()),
                "kind" => p.kind = Some(value.parse().map_err(bad)?),
                "currency" => p.currency = Some(value.trim().to_uppercase()),
                "status" => p.status = Some(value.parse().map_err(bad)?),
                "debit_limit" => p.debit_limit = Some(value.trim().to_string()),
                "account_codes" => {
                    p.account_codes = Some(
                        value
                            .split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect(),
                    )
                }
                _ => {}
            }
        }
        Ok(p)
    }
}

/// The order of the fields this console knows; fields it does not know yet follow, by name.
const ORDER: &[&str] = &[
    "id",
    "name",
    "kind",
    "currency",
    "status",
    "debit_limit",
    "account_codes",
    "created_at",
];

/// The DTO's fields as (name, text), without the overrides (they have their own tab).
pub fn fields(c: &Customer) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::to_value(c) else {
        return Vec::new();
    };
    let mut entries: Vec<(String, Value)> = map.into_iter().collect();
    entries.sort_by_key(|(k, _)| {
        (
            ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()),
            k.clone(),
        )
    });
    entries
        .into_iter()
        .filter(|(k, _)| k != "overrides")
        .map(|(k, v)| {
            let text = match (&v, k.ends_with("_at")) {
                (Value::Number(n), true) => n.as_i64().map_or_else(|| n.to_string(), time),
                _ => text(&v),
            };
            (k, text)
        })
        .collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// Opens the view of customer `id` and loads it.
pub fn open(app: &mut App, id: u64) {
    app.customer = Some(View::new(id));
    app.message = None;
    app.request(Request::Customer(id));
    if app.data.domains.is_none() {
        app.request(Request::Domains);
    }
}

/// Carries out a command of the view.
pub fn command(app: &mut App, cmd: Cmd) {
    let Some(v) = &mut app.customer else { return };
    let len = v.len();
    let tab = v.tab.index();
    if v.rows[tab].apply(cmd, len) {
        return;
    }
    let id = v.id;
    match cmd {
        Cmd::Back => {
            if v.changed() {
                app.popup = Some(Popup::confirm(
                    format!("Leave customer #{id} without saving the changes?"),
                    Then::DiscardCustomer,
                ));
            } else {
                app.customer = None;
                app.request(Request::Customers);
            }
        }
        Cmd::NextTab | Cmd::PrevTab => {
            let n = Tab::ALL.len();
            let step = if cmd == Cmd::NextTab { 1 } else { n - 1 };
            v.tab = Tab::ALL[(tab + step) % n];
        }
        Cmd::EditField => {
            if let (Some((key, _)), Some(d)) = (v.field(), &v.detail) {
                let current = v.edits.get(key).cloned().unwrap_or_else(|| {
                    fields(&d.customer)
                        .into_iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, t)| t)
                        .unwrap_or_default()
                });
                v.typing = Some(TextInput::new(current));
            }
        }
        Cmd::Toggle => {
            let (Some((key, _)), Some(d)) = (v.field(), &v.detail) else {
                return;
            };
            let now = v.edits.get(key).cloned().unwrap_or_else(|| match key {
                "kind" => d.customer.kind.to_string(),
                _ => d.customer.status.to_string(),
            });
            let next = match key {
                "kind" => cycle(CustomerKind::ALL, &now),
                _ => cycle(CustomerStatus::ALL, &now),
            };
            v.edits.insert(key.to_string(), next);
        }
        Cmd::Cycle => {
            if let Some(s) = Section::ALL.get(v.row()) {
                let now = v.overrides.get(s).copied().unwrap_or(Access::Default);
                let next = match now {
                    Access::Default => Access::Show,
                    Access::Show => Access::Hide,
                    Access::Hide => Access::Default,
                };
                v.overrides.insert(*s, next);
            }
        }
        Cmd::EffectiveDomain => {
            let n = app.data.domains.as_ref().map_or(0, Vec::len);
            if n > 0 {
                v.domain = Some(v.domain.map_or(0, |d| (d + 1) % n));
            }
        }
        Cmd::Approve => {
            app.request(Request::Approve(id));
        }
        Cmd::Save => save(app),
        Cmd::Add => {
            let (form, then) = match v.tab {
                Tab::Contacts => (
                    Form::new(
                        "Add a contact (portal login)",
                        &[
                            ("E-mail", "email", ""),
                            ("Name", "name", ""),
                            ("Password", "password", ""),
                            ("Allowed IPs", "ip_allow", ""),
                        ],
                    )
                    .secret("password"),
                    Then::AddContact(id),
                ),
                Tab::Routes => (
                    Form::new(
                        "Assign a rate card",
                        &[
                            ("Rate card", "ratecard", ""),
                            ("Tech prefix", "tech_prefix", ""),
                        ],
                    ),
                    Then::AddRoute(id),
                ),
                Tab::Payments => (
                    Form::new(
                        "Record a payment",
                        &[("Amount", "amount", ""), ("Description", "description", "")],
                    ),
                    Then::AddPayment(id),
                ),
                _ => return,
            };
            app.popup = Some(Popup::form(form, then));
        }
        Cmd::ResetPassword => {
            let email = v
                .detail
                .as_ref()
                .and_then(|d| d.contacts.get(v.rows[Tab::Contacts.index()].0))
                .map(|c| c.email.clone());
            if let Some(email) = email {
                app.popup = Some(Popup::confirm(
                    format!("Reset the password of {email}? A new one is shown once."),
                    Then::ResetPassword(email),
                ));
            }
        }
        _ => {}
    }
}

fn cycle<T: std::fmt::Display>(all: &[T], now: &str) -> String {
    let at = all.iter().position(|x| x.to_string() == now).unwrap_or(0);
    all[(at + 1) % all.len()].to_string()
}

fn save(app: &mut App) {
    let Some(v) = &app.customer else { return };
    if !v.changed() {
        app.info("nothing to save");
        return;
    }
    let id = v.id;
    let changes = v.override_changes();
    let patch = match v.patch() {
        Ok(p) => p,
        Err((field, reason)) => {
            if let Some(v) = &mut app.customer {
                v.error = Some((field.clone(), reason.clone()));
            }
            app.error(format!("not saved: {field}: {reason}"));
            return;
        }
    };
    let mut ticket = None;
    if !v.edits.is_empty() {
        ticket = Some(app.request(Request::SetCustomer(id, patch)));
    }
    if !changes.is_empty() {
        ticket = Some(app.request(Request::Overrides(id, changes)));
    }
    if let Some(v) = &mut app.customer {
        v.pending = ticket;
        v.error = None;
    }
    app.info("saving…");
}

/// A key while a field is typed.
pub fn type_key(app: &mut App, key: &KeyEvent) {
    let Some(v) = &mut app.customer else { return };
    let Some(input) = &mut v.typing else { return };
    match input.key(key) {
        Edit::Submit => {
            let text = input.value.clone();
            v.typing = None;
            if let Some((name, _)) = v.field() {
                v.edits.insert(name.to_string(), text);
            }
        }
        Edit::Cancel => v.typing = None,
        _ => {}
    }
}

/// The customer's details arrived.
pub fn loaded(app: &mut App, detail: CustomerDetail) {
    let Some(v) = &mut app.customer else { return };
    if v.id != detail.customer.id {
        return;
    }
    v.overrides = detail.customer.overrides.clone();
    v.edits.clear();
    v.detail = Some(detail);
    let len = v.len();
    let tab = v.tab.index();
    v.rows[tab].clamp(len);
    if v.domain.is_none() {
        let domain = default_domain(app);
        if let Some(v) = &mut app.customer {
            v.domain = domain;
        }
    }
}

/// The domain to show the effective access on: the customer's own when the DTO names one,
/// else the first.
fn default_domain(app: &App) -> Option<usize> {
    let domains = app.data.domains.as_ref()?;
    let own = app
        .customer
        .as_ref()
        .and_then(|v| v.detail.as_ref())
        .and_then(|d| serde_json::to_value(&d.customer).ok())
        .and_then(|v| v.get("domain").and_then(Value::as_str).map(str::to_string));
    own.and_then(|fqdn| domains.iter().position(|d| d.fqdn == fqdn))
        .or((!domains.is_empty()).then_some(0))
}

/// A customer changed (saved, approved, rejected): reload the view.
pub fn changed(app: &mut App, c: Customer) {
    if let Some(v) = &mut app.customer
        && v.id == c.id
    {
        v.pending = None;
        let id = v.id;
        app.request(Request::Customer(id));
    }
}

/// A contact was added or its password reset: show the password once.
pub fn contact_created(app: &mut App, created: ContactCreated) {
    let email = created.contact.email.clone();
    match created.generated_password {
        Some(p) => {
            app.popup = Some(Popup::Notice {
                title: "Password".into(),
                text: format!(
                    "The password of {email} is:\n\n  {p}\n\nIt is shown only this once."
                ),
            })
        }
        None => app.info(format!("contact {email} saved")),
    }
    if let Some(v) = &app.customer {
        let id = v.id;
        app.request(Request::Customer(id));
    }
}

/// A save failed. True when it was this view's.
pub fn failed(app: &mut App, ticket: Option<u64>, failure: &Failure) -> bool {
    let Some(v) = &mut app.customer else {
        return false;
    };
    if v.pending.is_none() || v.pending != ticket {
        return false;
    }
    v.pending = None;
    if let Failure::Admin(AdminError::Invalid { field, reason }) = failure {
        v.error = Some((field.clone(), reason.clone()));
    }
    app.error(format!("not saved: {failure}"));
    true
}

/// A pick for the customer view (none today: its lists are typed in forms).
pub fn picked(_app: &mut App, _then: &Then, _pick: Pick) {}

/// Draws the view.
pub fn render(app: &App, v: &View, f: &mut Frame, area: Rect) {
    let t = app.theme;
    let name = v
        .detail
        .as_ref()
        .map_or(String::new(), |d| format!(" {}", clean(&d.customer.name)));
    let mark = if v.changed() { " [modified]" } else { "" };
    let block = Block::bordered().title(Line::from(vec![
        Span::styled(format!(" #{}{name}", v.id), t.title()),
        Span::styled(format!("{mark} "), t.warn()),
    ]));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [tabs, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
    let long: usize = Tab::ALL.iter().map(|t| t.title().len() + 3).sum();
    let fits = long <= usize::from(tabs.width);
    f.render_widget(
        Tabs::new(
            Tab::ALL
                .iter()
                .map(|t| if fits { t.title() } else { t.short() }),
        )
        .select(v.tab.index())
        .highlight_style(t.active_tab())
        .divider("│")
        .block(Block::default().borders(Borders::BOTTOM)),
        tabs,
    );
    let Some(d) = &v.detail else {
        f.render_widget(Paragraph::new("loading…").style(t.dim()), body);
        return;
    };
    match v.tab {
        Tab::Fields => render_fields(app, v, d, f, body),
        Tab::Contacts => contacts(app, v, d, f, body),
        Tab::Routes => Grid {
            title: String::new(),
            headers: &["Rate card", "Tech prefix"],
            widths: &[Constraint::Fill(3), Constraint::Fill(1)],
            rows: Some(
                d.routes
                    .iter()
                    .map(|r| vec![r.ratecard.clone(), r.tech_prefix.clone()])
                    .collect(),
            ),
            cursor: v.row(),
            empty: "No rate card assigned: calls are not rated. Press a to assign one.",
        }
        .render_plain(app, f, body),
        Tab::Payments => Grid {
            title: String::new(),
            headers: &["ID", "Date (UTC)", "Amount", "Status", "Description"],
            widths: &[
                Constraint::Length(4),
                Constraint::Length(10),
                Constraint::Length(12),
                Constraint::Length(9),
                Constraint::Fill(1),
            ],
            rows: Some(
                d.payments
                    .iter()
                    .map(|p| {
                        vec![
                            p.id.to_string(),
                            crate::cli::output::day(p.created_at),
                            format!("{:>12}", p.amount.to_string()),
                            p.status.to_string(),
                            p.description.clone(),
                        ]
                    })
                    .collect(),
            ),
            cursor: v.row(),
            empty: "No payments. Press a to record one.",
        }
        .render_plain(app, f, body),
        Tab::Account => render_account(app, d, f, body),
        Tab::Access => render_access(app, v, f, body),
    }
}

/// The contacts: at 80 columns every column but the date added; narrower, the time zone and
/// the allowed networks give way (they are in `portico contact list`).
fn contacts(app: &App, v: &View, d: &CustomerDetail, f: &mut Frame, area: Rect) {
    let wide = area.width >= 70;
    let two_factor = |on: bool| if on { "on" } else { "off" }.to_string();
    let or_dash = |s: &str| {
        if s.is_empty() {
            "—".to_string()
        } else {
            s.to_string()
        }
    };
    let rows = d
        .contacts
        .iter()
        .map(|c| {
            if wide {
                vec![
                    c.email.clone(),
                    c.name.clone(),
                    or_dash(&c.phone),
                    or_dash(&c.time_zone),
                    two_factor(c.two_factor),
                    or_dash(&c.ip_allow.join(",")),
                ]
            } else {
                vec![
                    c.email.clone(),
                    c.name.clone(),
                    or_dash(&c.phone),
                    two_factor(c.two_factor),
                ]
            }
        })
        .collect();
    let (headers, widths): (&[&str], &[Constraint]) = if wide {
        (
            &["E-mail", "Name", "Phone", "Time zone", "2FA", "Allowed IPs"],
            &[
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Length(16),
                Constraint::Length(13),
                Constraint::Length(3),
                Constraint::Length(12),
            ],
        )
    } else {
        (
            &["E-mail", "Name", "Phone", "2FA"],
            &[
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Length(16),
                Constraint::Length(3),
            ],
        )
    };
    Grid {
        title: String::new(),
        headers,
        widths,
        rows: Some(rows),
        cursor: v.row(),
        empty: "No portal logins. Press a to add one.",
    }
    .render_plain(app, f, area);
}

/// Alerts, packages and contracts, one section each; a contract says who approved it.
fn render_account(app: &App, d: &CustomerDetail, f: &mut Frame, area: Rect) {
    let t = app.theme;
    let cur = &d.customer.currency;
    let mut lines = Vec::new();
    let heading = |name: &str, n: usize| Line::styled(format!("{name} ({n})"), t.title());
    lines.push(heading("Alerts", d.alerts.len()));
    if d.alerts.is_empty() {
        lines.push(Line::styled("  none", t.dim()));
    }
    for a in &d.alerts {
        lines.push(Line::raw(format!(
            "  below {} {cur} → {}",
            a.threshold,
            clean(&a.email)
        )));
    }
    lines.push(heading("Packages", d.packages.len()));
    if d.packages.is_empty() {
        lines.push(Line::styled("  none", t.dim()));
    }
    for p in &d.packages {
        let about = if p.description.is_empty() {
            String::new()
        } else {
            format!(" · {}", clean(&p.description))
        };
        lines.push(Line::raw(format!(
            "  {} · {} {cur}/month{about}",
            clean(&p.name),
            p.price
        )));
    }
    lines.push(heading("Contracts", d.contracts.len()));
    if d.contracts.is_empty() {
        lines.push(Line::styled("  none", t.dim()));
    }
    for c in &d.contracts {
        let approved = d.approvals.iter().find(|a| a.contract_id == c.id);
        let (state, style) = match approved {
            Some(a) => {
                let who = d
                    .contacts
                    .iter()
                    .find(|x| x.id == a.contact_id)
                    .map_or_else(|| a.typed_name.clone(), |x| x.email.clone());
                (
                    format!(
                        "approved {} by {} (signed \"{}\")",
                        crate::cli::output::day(a.approved_at),
                        clean(&who),
                        clean(&a.typed_name)
                    ),
                    Style::new(),
                )
            }
            None if c.required => ("NOT approved yet (required)".to_string(), t.warn()),
            None => ("not approved (optional)".to_string(), t.dim()),
        };
        lines.extend(super::labelled(
            Span::raw(format!("  {}: ", clean(&c.name))),
            &state,
            style,
            area.width,
        ));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn render_fields(app: &App, v: &View, d: &CustomerDetail, f: &mut Frame, area: Rect) {
    let t = app.theme;
    let list = fields(&d.customer);
    let w = list.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut lines = Vec::new();
    for (i, (key, value)) in list.iter().enumerate() {
        let selected = i == v.rows[0].0;
        let editable = EDITABLE.iter().any(|(n, _)| n == key);
        let edited = v.edits.get(key);
        let shown = match (&v.typing, selected, edited) {
            (Some(input), true, _) => input.shown(),
            (_, _, Some(e)) => clean(e).into_owned(),
            _ => clean(value).into_owned(),
        };
        let mut spans = vec![
            Span::styled(
                format!("{key:>w$}"),
                if selected { t.selected() } else { t.dim() },
            ),
            Span::styled(if edited.is_some() { " * " } else { "   " }, t.warn()),
            Span::styled(shown, if editable { t.text() } else { t.dim() }),
        ];
        if selected && v.typing.is_some() {
            spans.push(Span::styled(" ", t.selected()));
        }
        lines.push(Line::from(spans));
        if let Some((field, reason)) = &v.error
            && field == key
        {
            lines.push(Line::styled(
                format!("{:>w$}   ↑ {}", "", clean(reason)),
                t.error(),
            ));
        }
    }
    if let Some(b) = &d.balance {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>w$}   ", "balance"), t.dim()),
            Span::styled(
                format!("{} {} (available {})", b.balance, b.currency, b.available),
                if b.low_balance { t.error() } else { t.text() },
            ),
        ]));
    }
    if !d.template_of.is_empty() {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>w$}   ", "template of"), t.dim()),
            Span::raw(clean(&d.template_of.join(", ")).into_owned()),
        ]));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn render_access(app: &App, v: &View, f: &mut Frame, area: Rect) {
    let t = app.theme;
    let domain = v
        .domain
        .and_then(|i| app.data.domains.as_ref().and_then(|d| d.get(i)));
    let on = domain.map_or("—".to_string(), |d| d.fqdn.clone());
    let stored = v.stored_overrides();
    let rows = Section::ALL
        .iter()
        .map(|s| {
            let access = v.overrides.get(s).copied().unwrap_or(Access::Default);
            let effective = match (access, domain) {
                (Access::Show, _) => "shown",
                (Access::Hide, _) => "hidden",
                (Access::Default, Some(d)) if d.access.contains(s) => "shown",
                (Access::Default, Some(_)) => "hidden",
                (Access::Default, None) => "—",
            };
            let was = stored.get(s).copied().unwrap_or(Access::Default);
            let mark = if was == access { "" } else { " *" };
            vec![
                s.to_string(),
                format!("{access}{mark}"),
                effective.to_string(),
            ]
        })
        .collect();
    let [head, grid] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("effective on ", t.dim()),
            Span::raw(clean(&on).into_owned()),
        ])),
        head,
    );
    Grid {
        title: String::new(),
        headers: &["Section", "Override", "Effective"],
        widths: &[
            Constraint::Fill(2),
            Constraint::Length(10),
            Constraint::Length(9),
        ],
        rows: Some(rows),
        cursor: v.row(),
        empty: "",
    }
    .render_plain(app, f, grid);
}

//! Windows over the screen: the help, confirmations, forms, pickers and notices. A form stays
//! open while the daemon answers it, so that a refusal is shown next to the field it names.

use crossterm::event::{KeyCode, KeyEvent};
use portico_protocol::{AdminError, ContactSpec, CustomerPatch, DomainPatch, PaymentSpec};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::app::{App, Cursor};
use super::cert::{self, CertAction};
use super::input::{Edit, Form, TextInput};
use super::io::{Failure, Request};
use super::keys::{self, Cmd};
use super::screens::{customer, editor};
use crate::cli::output::clean;

/// What a popup does when it is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    AddDomain,
    DeleteDomain(String),
    DiscardEditor,
    DiscardCustomer,
    TemplateCustomer,
    Logo,
    UploadLogo(String),
    UploadPem(String),
    RemoveCert(String),
    TestMail(String),
    AddCustomer,
    Reject(u64),
    AddContact(u64),
    ResetPassword(String),
    AddRoute(u64),
    AddPayment(u64),
    UploadFile,
    DeleteFile(String),
    ImportRateCard,
    Assign(String),
}

/// A value picked from a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    None,
    Id(u64),
    Name(String),
}

/// A searchable list to pick from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub title: String,
    pub items: Vec<(String, Pick)>,
    pub filter: TextInput,
    pub cursor: Cursor,
    pub then: Then,
}

impl Picker {
    /// The items the filter lets through.
    pub fn shown(&self) -> Vec<&(String, Pick)> {
        let f = self.filter.value.to_lowercase();
        self.items
            .iter()
            .filter(|(label, _)| label.to_lowercase().contains(&f))
            .collect()
    }
}

/// A window over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Help(Vec<(String, &'static str)>),
    Confirm {
        text: String,
        then: Then,
    },
    Form {
        form: Form,
        then: Then,
        /// The request it waits for.
        pending: Option<u64>,
    },
    Picker(Picker),
    Notice {
        title: String,
        text: String,
    },
}

impl Popup {
    /// A form to fill in.
    pub fn form(form: Form, then: Then) -> Popup {
        Popup::Form {
            form,
            then,
            pending: None,
        }
    }

    /// A confirmation.
    pub fn confirm(text: impl Into<String>, then: Then) -> Popup {
        Popup::Confirm {
            text: text.into(),
            then,
        }
    }

    /// A picker.
    pub fn picker(title: impl Into<String>, items: Vec<(String, Pick)>, then: Then) -> Popup {
        Popup::Picker(Picker {
            title: title.into(),
            items,
            filter: TextInput::default(),
            cursor: Cursor::default(),
            then,
        })
    }

    /// What the popup takes (for the key bar and the help; forms and pickers take text).
    pub fn offered(&self) -> Vec<Cmd> {
        match self {
            Popup::Help(_) => vec![Cmd::Back],
            Popup::Confirm { .. } => vec![Cmd::Yes, Cmd::No],
            Popup::Form { .. } => vec![Cmd::Confirm, Cmd::Cancel, Cmd::NextField, Cmd::PrevField],
            Popup::Picker(_) => vec![Cmd::Pick, Cmd::Cancel, Cmd::Up, Cmd::Down],
            Popup::Notice { .. } => vec![Cmd::Back, Cmd::Confirm],
        }
    }

    /// True when keys are text.
    pub fn typing(&self) -> bool {
        matches!(self, Popup::Form { .. } | Popup::Picker(_))
    }
}

/// A key while a form or picker is open.
pub fn key(app: &mut App, key: &KeyEvent) {
    let Some(popup) = app.popup.take() else {
        return;
    };
    match popup {
        Popup::Form {
            mut form,
            then,
            pending,
        } => {
            if pending.is_some() {
                // Waiting for the daemon: only Esc (close, the answer still comes) is taken.
                if key.code == KeyCode::Esc {
                    return;
                }
                app.popup = Some(Popup::Form {
                    form,
                    then,
                    pending,
                });
                return;
            }
            match form.key(key) {
                Edit::Cancel => {}
                Edit::Submit => {
                    form.error = None;
                    match submit(app, &then, &form) {
                        Ok(Some(ticket)) => {
                            app.popup = Some(Popup::Form {
                                form,
                                then,
                                pending: Some(ticket),
                            })
                        }
                        Ok(None) => {}
                        Err((field, reason)) => {
                            form.show_error(field, reason);
                            app.popup = Some(Popup::form(form, then));
                        }
                    }
                }
                _ => app.popup = Some(Popup::form(form, then)),
            }
        }
        Popup::Picker(mut p) => {
            let len = p.shown().len();
            match key.code {
                KeyCode::Esc => return,
                KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
                    let cmd = match key.code {
                        KeyCode::Up => Cmd::Up,
                        KeyCode::Down => Cmd::Down,
                        KeyCode::PageUp => Cmd::PageUp,
                        _ => Cmd::PageDown,
                    };
                    p.cursor.apply(cmd, len);
                }
                KeyCode::Enter => {
                    if let Some((_, pick)) = p.shown().get(p.cursor.0).map(|x| (*x).clone()) {
                        picked(app, &p.then, pick);
                    }
                    return;
                }
                _ => {
                    p.filter.key(key);
                    p.cursor = Cursor::default();
                }
            }
            app.popup = Some(Popup::Picker(p));
        }
        other => app.popup = Some(other),
    }
}

/// A command while the help, a confirmation or a notice is open.
pub fn command(app: &mut App, cmd: Cmd) {
    let Some(popup) = app.popup.take() else {
        return;
    };
    match popup {
        Popup::Confirm { then, .. } if cmd == Cmd::Yes => confirmed(app, &then),
        Popup::Confirm { .. } if cmd == Cmd::No => {}
        Popup::Help(_) | Popup::Notice { .. } if matches!(cmd, Cmd::Back | Cmd::Confirm) => {}
        other => app.popup = Some(other),
    }
}

/// A request this popup waited for succeeded: close it.
pub fn answered(app: &mut App, ticket: Option<u64>) {
    if let Some(Popup::Form { pending, .. }) = &app.popup
        && pending.is_some()
        && *pending == ticket
    {
        app.popup = None;
    }
}

/// A request this popup waited for failed: show why next to the field. True when shown.
pub fn failed(app: &mut App, ticket: Option<u64>, failure: &Failure) -> bool {
    let Some(Popup::Form { form, pending, .. }) = &mut app.popup else {
        return false;
    };
    if pending.is_none() || *pending != ticket {
        return false;
    }
    *pending = None;
    match failure {
        Failure::Admin(AdminError::Invalid { field, reason }) => {
            form.show_error(Some(field), reason.clone())
        }
        other => form.show_error(None, other.to_string()),
    }
    true
}

type Refusal = (Option<&'static str>, String);

fn required(form: &Form, name: &'static str, label: &str) -> Result<String, Refusal> {
    let v = form.value(name);
    if v.is_empty() {
        return Err((Some(name), format!("{label} is required")));
    }
    Ok(v)
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A filled-in form: the ticket of the request it made, if any.
fn submit(app: &mut App, then: &Then, form: &Form) -> Result<Option<u64>, Refusal> {
    let request = match then {
        Then::AddDomain => {
            let fqdn = required(form, "fqdn", "the FQDN")?;
            let brand = form.value("brand_name");
            let patch = DomainPatch {
                brand_name: (!brand.is_empty()).then_some(brand),
                currencies: Some(list(&form.value("currencies"))),
                ..DomainPatch::default()
            };
            Request::AddDomain(fqdn, patch)
        }
        Then::UploadLogo(fqdn) => Request::PutFile {
            path: required(form, "path", "the path")?.into(),
            name: required(form, "name", "the name")?,
            logo_of: Some(fqdn.clone()),
        },
        Then::UploadFile => Request::PutFile {
            path: required(form, "path", "the path")?.into(),
            name: required(form, "name", "the name")?,
            logo_of: None,
        },
        Then::UploadPem(fqdn) => {
            let action = CertAction::UploadPem {
                chain: required(form, "chain", "the certificate chain")?.into(),
                key: required(form, "key", "the key")?.into(),
            };
            cert::request(fqdn, &action)
        }
        Then::TestMail(fqdn) => {
            let to = required(form, "to", "the address")?;
            let ticket = app.request(Request::TestMail(fqdn.clone(), to.clone()));
            editor::test_mail_sent(app, to, ticket);
            return Ok(Some(ticket));
        }
        Then::AddCustomer => Request::AddCustomer(CustomerPatch {
            name: Some(required(form, "name", "the name")?),
            currency: Some(required(form, "currency", "the currency")?),
            ..CustomerPatch::default()
        }),
        Then::AddContact(id) => {
            let password = form.value("password");
            Request::AddContact(
                *id,
                ContactSpec {
                    email: required(form, "email", "the e-mail address")?,
                    name: form.value("name"),
                    password: (!password.is_empty()).then_some(password),
                    ip_allow: list(&form.value("ip_allow")),
                },
            )
        }
        Then::AddRoute(id) => Request::AddRoute(
            *id,
            required(form, "ratecard", "the rate card")?,
            form.value("tech_prefix"),
        ),
        Then::AddPayment(id) => Request::AddPayment(
            *id,
            PaymentSpec {
                amount: required(form, "amount", "the amount")?,
                status: None,
                description: form.value("description"),
            },
        ),
        Then::ImportRateCard => {
            let replace = form.value("replace").to_lowercase();
            let replace = match replace.as_str() {
                "" | "no" | "n" => false,
                "yes" | "y" => true,
                _ => return Err((Some("replace"), "answer yes or no".into())),
            };
            Request::ImportRateCard {
                path: required(form, "path", "the path")?.into(),
                name: required(form, "name", "the name")?,
                currency: required(form, "currency", "the currency")?,
                replace,
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(app.request(request)))
}

fn confirmed(app: &mut App, then: &Then) {
    match then {
        Then::DeleteDomain(fqdn) => {
            app.request(Request::RemoveDomain(fqdn.clone()));
        }
        Then::DiscardEditor => app.editor = None,
        Then::DiscardCustomer => app.customer = None,
        Then::Reject(id) => {
            app.request(Request::Reject(*id));
        }
        Then::ResetPassword(email) => {
            app.request(Request::ResetPassword(email.clone()));
        }
        Then::DeleteFile(name) => {
            app.request(Request::RemoveFile(name.clone()));
        }
        Then::RemoveCert(fqdn) => {
            app.request(cert::request(fqdn, &CertAction::RemoveUploaded));
        }
        _ => {}
    }
}

fn picked(app: &mut App, then: &Then, pick: Pick) {
    match then {
        Then::TemplateCustomer | Then::Logo => editor::picked(app, then, pick),
        Then::Assign(code) => {
            if let Pick::Id(id) = pick {
                app.request(Request::Assign(code.clone(), id));
            }
        }
        _ => customer::picked(app, then, pick),
    }
}

/// A rectangle of at most `w` x `h` in the middle of `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws the popup over `area`.
pub fn render(app: &App, popup: &Popup, f: &mut Frame, area: Rect) {
    let t = app.theme;
    match popup {
        Popup::Help(lines) => {
            // One column when it fits, else as many as it takes, side by side.
            let rows = usize::from(area.height.saturating_sub(2)).max(1);
            let columns = lines.len().div_ceil(rows).max(1);
            let per_column = lines.len().div_ceil(columns);
            let height = u16::try_from(per_column + 2).unwrap_or(u16::MAX);
            let width = if columns == 1 { 56 } else { area.width };
            let r = centered(area, width, height);
            f.render_widget(Clear, r);
            let block = Block::bordered().title(" Keys (Esc to close) ");
            let inner = block.inner(r);
            f.render_widget(block, r);
            let parts = Layout::horizontal(vec![Constraint::Fill(1); columns]).split(inner);
            for (chunk, part) in lines.chunks(per_column).zip(parts.iter()) {
                let key_w = chunk
                    .iter()
                    .map(|(k, _)| k.chars().count())
                    .max()
                    .unwrap_or(0);
                let items: Vec<Line> = chunk
                    .iter()
                    .map(|(k, h)| {
                        Line::from(vec![
                            Span::styled(format!("{k:>key_w$} "), t.key()),
                            Span::raw(*h),
                        ])
                    })
                    .collect();
                f.render_widget(Paragraph::new(items), *part);
            }
        }
        Popup::Confirm { text, .. } => {
            let r = centered(area, 50, 5);
            f.render_widget(Clear, r);
            let lines = vec![
                Line::from(clean(text).into_owned()),
                Line::from(vec![
                    Span::styled("y", t.key()),
                    Span::raw(" yes   "),
                    Span::styled("n", t.key()),
                    Span::raw(" no"),
                ]),
            ];
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: true })
                    .block(Block::bordered().title(" Sure? ")),
                r,
            );
        }
        Popup::Form { form, pending, .. } => render_form(app, form, pending.is_some(), f, area),
        Popup::Picker(p) => {
            let r = centered(area, 50, area.height.saturating_sub(2).min(16));
            f.render_widget(Clear, r);
            let block = Block::bordered().title(format!(" {} ", clean(&p.title)));
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [filter, rows] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
            f.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::styled("/ ", t.dim()),
                    Span::raw(p.filter.shown()),
                    Span::styled(" ", t.selected()),
                ])),
                filter,
            );
            let shown = p.shown();
            let items: Vec<ListItem> = shown
                .iter()
                .map(|(label, _)| ListItem::new(clean(label).into_owned()))
                .collect();
            let mut state = ListState::default().with_selected(Some(p.cursor.0));
            f.render_stateful_widget(
                List::new(items).highlight_style(t.selected()),
                rows,
                &mut state,
            );
        }
        Popup::Notice { title, text } => {
            let r = centered(area, 60, 7);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(clean_lines(text))
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title(format!(" {} (Enter to close) ", clean(title)))),
                r,
            );
        }
    }
}

fn render_form(app: &App, form: &Form, waiting: bool, f: &mut Frame, area: Rect) {
    let t = app.theme;
    let extra = usize::from(form.error.is_some()) + usize::from(waiting);
    let height = u16::try_from(form.fields.len() + extra + 2).unwrap_or(u16::MAX);
    let r = centered(area, 64, height);
    f.render_widget(Clear, r);
    let label_w = form
        .fields
        .iter()
        .map(|x| x.label.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines = Vec::new();
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let mut spans = vec![
            Span::styled(
                format!("{:>label_w$} ", field.label),
                if focused { t.title() } else { t.dim() },
            ),
            Span::raw(field.input.shown()),
        ];
        if focused && !waiting {
            spans.push(Span::styled(" ", t.selected()));
        }
        lines.push(Line::from(spans));
        if let Some((at, reason)) = &form.error
            && *at == i
        {
            lines.push(Line::styled(
                format!("{:>label_w$} ↑ {}", "", clean(reason)),
                t.error(),
            ));
        }
    }
    if waiting {
        lines.push(Line::styled("waiting for porticod…", t.dim()));
    }
    let hint = keys::bar(&[Cmd::Confirm, Cmd::Cancel])
        .into_iter()
        .map(|(k, h)| format!("{k} {h}"))
        .collect::<Vec<_>>()
        .join(" · ");
    f.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(format!(" {} ", clean(&form.title)))
                .title_bottom(format!(" {hint} ")),
        ),
        r,
    );
}

/// A text of several lines with each line cleaned (its line breaks kept).
fn clean_lines(text: &str) -> String {
    text.lines().map(clean).collect::<Vec<_>>().join("\n")
}

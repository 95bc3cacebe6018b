//! The console's state and how keys and the daemon's replies change it. Nothing here draws or
//! does I/O: keys become [`Cmd`]s, commands change state and queue [`Effect`]s, and the loop in
//! `mod.rs` carries the effects out. That keeps every screen testable without a terminal.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;
use portico_protocol::{
    AuditEntry, Customer, Domain, DomainTls, FileInfo, IngestStatus, RateCard, UnassignedGroup,
    VersionInfo,
};

use super::cert;
use super::io::{Failure, Reply, Request};
use super::keys::{self, Cmd};
use super::popup::{self, Popup};
use super::screens::{audit, cdrs, customer, customers, domains, editor, files, ratecards};
use super::theme::Theme;

/// The top screens, in the order of their number keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Top {
    Domains,
    Customers,
    Files,
    RateCards,
    Cdrs,
    Audit,
}

impl Top {
    /// Every top screen with its long and short name.
    pub const ALL: [(Top, &'static str, &'static str); 6] = [
        (Top::Domains, "Domains", "Dom"),
        (Top::Customers, "Customers", "Cust"),
        (Top::Files, "Files", "Files"),
        (Top::RateCards, "Rate cards", "Rates"),
        (Top::Cdrs, "CDRs", "CDRs"),
        (Top::Audit, "Audit", "Audit"),
    ];
}

/// Something the loop must do for the app.
// A handful of effects per key press: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a request to the daemon; replies about it carry the ticket.
    Request(u64, Request),
    /// Suspend the console and edit `text` in `$EDITOR`; the result comes back through
    /// [`App::edited`].
    EditText { what: ExternalText, text: String },
    /// Leave.
    Quit,
}

/// Text edited in `$EDITOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalText {
    Css,
    Js,
}

impl ExternalText {
    /// The temporary file's suffix, so the editor highlights it.
    pub fn suffix(self) -> &'static str {
        match self {
            ExternalText::Css => ".css",
            ExternalText::Js => ".js",
        }
    }
}

/// The link to the daemon, as the status line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Up(VersionInfo),
    Down(String),
}

/// The message line: what just happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Info(String),
    Error(String),
}

/// What the console knows of the daemon's objects; `None` until loaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Data {
    pub domains: Option<Vec<Domain>>,
    pub customers: Option<Vec<Customer>>,
    pub files: Option<Vec<FileInfo>>,
    pub ratecards: Option<Vec<RateCard>>,
    pub unassigned: Option<Vec<UnassignedGroup>>,
    pub audit: Option<Vec<AuditEntry>>,
    /// DNS and certificate state per FQDN, loaded with the domain list (see `cert.rs`).
    pub tls: BTreeMap<String, DomainTls>,
}

impl Data {
    /// The DNS and certificate state of a domain, when known.
    pub fn tls(&self, fqdn: &str) -> Option<&DomainTls> {
        self.tls.get(fqdn)
    }
}

/// The ingest figures of the status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ingest {
    pub status: Option<IngestStatus>,
    /// CDRs per minute over the last two samples.
    pub per_minute: Option<u64>,
    last: Option<(i64, u64)>,
}

/// A cursor in a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor(pub usize);

impl Cursor {
    /// Moves for `cmd` within `len` rows; true when `cmd` was a move.
    pub fn apply(&mut self, cmd: Cmd, len: usize) -> bool {
        let last = len.saturating_sub(1);
        self.0 = match cmd {
            Cmd::Up => self.0.saturating_sub(1),
            Cmd::Down => (self.0 + 1).min(last),
            Cmd::PageUp => self.0.saturating_sub(10),
            Cmd::PageDown => (self.0 + 10).min(last),
            _ => return false,
        };
        true
    }

    /// Keeps the cursor inside `len` rows.
    pub fn clamp(&mut self, len: usize) {
        self.0 = self.0.min(len.saturating_sub(1));
    }
}

/// The moves every list takes.
pub const MOVES: [Cmd; 4] = [Cmd::Up, Cmd::Down, Cmd::PageUp, Cmd::PageDown];

/// The whole state of the console.
#[derive(Debug)]
pub struct App {
    pub theme: Theme,
    /// The socket, for the status line.
    pub socket: String,
    pub link: Link,
    pub ingest: Ingest,
    /// Now, in Unix seconds (set by the loop; fixed in tests).
    pub now: i64,
    pub data: Data,
    pub top: Top,
    pub domains: domains::State,
    pub customers: customers::State,
    pub files: files::State,
    pub ratecards: ratecards::State,
    pub cdrs: cdrs::State,
    pub audit: audit::State,
    /// The domain editor, over the Domains screen.
    pub editor: Option<editor::Editor>,
    /// The customer view, over the Customers screen.
    pub customer: Option<customer::View>,
    pub popup: Option<Popup>,
    pub message: Option<Message>,
    effects: Vec<Effect>,
    next_ticket: u64,
    /// Set when the screen must be drawn again.
    pub dirty: bool,
}

impl App {
    /// A fresh console; nothing is loaded until the daemon answers.
    pub fn new(theme: Theme, socket: String, now: i64) -> App {
        App {
            theme,
            socket,
            link: Link::Connecting,
            ingest: Ingest::default(),
            now,
            data: Data::default(),
            top: Top::Domains,
            domains: domains::State::default(),
            customers: customers::State::default(),
            files: files::State::default(),
            ratecards: ratecards::State::default(),
            cdrs: cdrs::State::default(),
            audit: audit::State::default(),
            editor: None,
            customer: None,
            popup: None,
            message: None,
            effects: Vec::new(),
            next_ticket: 0,
            dirty: true,
        }
    }

    /// Takes the effects queued so far.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Queues a request; returns its ticket.
    pub fn request(&mut self, request: Request) -> u64 {
        self.next_ticket += 1;
        self.effects
            .push(Effect::Request(self.next_ticket, request));
        self.next_ticket
    }

    /// Queues an effect other than a request.
    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// Says something on the message line.
    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message::Info(text.into()));
    }

    /// Says what went wrong on the message line.
    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message::Error(text.into()));
    }

    /// The commands the focused part of the screen takes, first match wins.
    pub fn offered(&self) -> Vec<Cmd> {
        if let Some(p) = &self.popup {
            return p.offered();
        }
        let mut cmds = if let Some(e) = &self.editor {
            e.offered(&self.data)
        } else if let Some(v) = &self.customer {
            v.offered()
        } else {
            let mut c = match self.top {
                Top::Domains => self.domains.offered(),
                Top::Customers => self.customers.offered(),
                Top::Files => files::offered(),
                Top::RateCards => ratecards::offered(),
                Top::Cdrs => cdrs::offered(),
                Top::Audit => audit::offered(),
            };
            if !self.typing() {
                c.extend([
                    Cmd::GoDomains,
                    Cmd::GoCustomers,
                    Cmd::GoFiles,
                    Cmd::GoRateCards,
                    Cmd::GoCdrs,
                    Cmd::GoAudit,
                ]);
            }
            c
        };
        if !self.typing() {
            cmds.extend([Cmd::Help, Cmd::Back, Cmd::Refresh]);
        }
        cmds.push(Cmd::Quit);
        cmds
    }

    /// True while a line of text has the keys.
    pub fn typing(&self) -> bool {
        match (&self.popup, &self.editor, &self.customer) {
            (Some(p), _, _) => p.typing(),
            (None, Some(e), _) => e.typing.is_some(),
            (None, None, Some(v)) => v.typing.is_some(),
            (None, None, None) => match self.top {
                Top::Domains => self.domains.filtering.is_some(),
                Top::Customers => self.customers.filtering.is_some(),
                _ => false,
            },
        }
    }

    /// Handles one key.
    pub fn key(&mut self, key: &KeyEvent) {
        self.dirty = true;
        let offered = self.offered();
        // Ctrl-C always quits, even while typing.
        if keys::lookup(key, &[Cmd::Quit]).is_some() {
            self.effect(Effect::Quit);
            return;
        }
        if self.typing() {
            self.type_key(key);
            return;
        }
        let Some(cmd) = keys::lookup(key, &offered) else {
            return;
        };
        self.command(cmd);
    }

    fn type_key(&mut self, key: &KeyEvent) {
        if self.popup.is_some() {
            popup::key(self, key);
        } else if self.editor.is_some() {
            editor::type_key(self, key);
        } else if self.customer.is_some() {
            customer::type_key(self, key);
        } else {
            match self.top {
                Top::Domains => domains::type_key(self, key),
                Top::Customers => customers::type_key(self, key),
                _ => {}
            }
        }
    }

    /// Carries out one command.
    pub fn command(&mut self, cmd: Cmd) {
        self.dirty = true;
        if self.popup.is_some() {
            popup::command(self, cmd);
            return;
        }
        match cmd {
            Cmd::Quit => return self.effect(Effect::Quit),
            Cmd::Help => {
                let mut offered = self.offered();
                offered.retain(|c| *c != Cmd::Help);
                self.popup = Some(Popup::Help(keys::help(&offered)));
                return;
            }
            Cmd::Refresh => return self.reload(),
            _ => {}
        }
        if self.editor.is_some() {
            return editor::command(self, cmd);
        }
        if self.customer.is_some() {
            return customer::command(self, cmd);
        }
        if cmd == Cmd::Back {
            // A top screen has nothing behind it.
            return self.effect(Effect::Quit);
        }
        let go = match cmd {
            Cmd::GoDomains => Some(Top::Domains),
            Cmd::GoCustomers => Some(Top::Customers),
            Cmd::GoFiles => Some(Top::Files),
            Cmd::GoRateCards => Some(Top::RateCards),
            Cmd::GoCdrs => Some(Top::Cdrs),
            Cmd::GoAudit => Some(Top::Audit),
            _ => None,
        };
        if let Some(top) = go {
            self.top = top;
            self.message = None;
            return self.reload();
        }
        match self.top {
            Top::Domains => domains::command(self, cmd),
            Top::Customers => customers::command(self, cmd),
            Top::Files => files::command(self, cmd),
            Top::RateCards => ratecards::command(self, cmd),
            Top::Cdrs => cdrs::command(self, cmd),
            Top::Audit => audit::command(self, cmd),
        }
    }

    /// Asks again for what the current screen shows.
    pub fn reload(&mut self) {
        if let Some(v) = &self.customer {
            let id = v.id;
            self.request(Request::Customer(id));
            self.request(Request::Domains);
            return;
        }
        match self.top {
            Top::Domains => {
                self.request(Request::Domains);
                self.request(Request::Tls);
                self.request(Request::Customers);
                self.request(Request::Files);
            }
            Top::Customers => {
                self.request(Request::Customers);
                self.request(Request::Domains);
            }
            Top::Files => {
                self.request(Request::Files);
            }
            Top::RateCards => {
                self.request(Request::RateCards);
            }
            Top::Cdrs => {
                self.request(Request::Unassigned);
                self.request(Request::Customers);
            }
            Top::Audit => {
                self.request(Request::Audit);
            }
        }
    }

    /// Applies a reply of the I/O task. `ticket` is the request it answers, when it answers one.
    pub fn reply(&mut self, ticket: Option<u64>, reply: Reply) {
        self.dirty = true;
        match reply {
            Reply::Up(version) => {
                let again = matches!(self.link, Link::Down(_));
                self.link = Link::Up(version);
                if again {
                    self.info("connected to porticod again");
                }
                self.reload();
            }
            Reply::Down(reason) => self.link = Link::Down(reason),
            Reply::Ingest(status) => {
                let before = self.ingest.per_minute;
                if let Some((t, n)) = self.ingest.last
                    && self.now > t
                {
                    let added = status.cdrs.saturating_sub(n);
                    let secs = u64::try_from(self.now - t).unwrap_or(1);
                    self.ingest.per_minute = Some(added * 60 / secs);
                }
                self.ingest.last = Some((self.now, status.cdrs));
                let changed = self.ingest.status.as_ref() != Some(&status)
                    || before != self.ingest.per_minute;
                self.ingest.status = Some(status);
                self.dirty = changed;
            }
            Reply::Domains(list) => {
                self.data.domains = Some(list);
                self.domains.clamp(&self.data);
            }
            Reply::Customers(list) => {
                self.data.customers = Some(list);
                self.customers.clamp(&self.data);
            }
            Reply::Files(list) => self.data.files = Some(list),
            Reply::RateCards(list) => self.data.ratecards = Some(list),
            Reply::Unassigned(list) => self.data.unassigned = Some(list),
            Reply::Audit(list) => self.data.audit = Some(list),
            Reply::Tls(list) => {
                self.data.tls = list.into_iter().map(|t| (t.fqdn.clone(), t)).collect();
            }
            Reply::TlsChecked(tls) => {
                let dns = tls
                    .dns
                    .as_ref()
                    .map_or_else(|| cert::UNKNOWN.to_string(), |d| d.found.clone());
                self.info(format!(
                    "{}: DNS {}; certificate {}",
                    tls.fqdn,
                    dns,
                    cert::cert_text(Some(&tls), self.now)
                ));
                self.data.tls.insert(tls.fqdn.clone(), tls);
            }
            Reply::CertUploaded(tls) => {
                self.info(format!(
                    "{}: uploaded certificate served ({})",
                    tls.fqdn,
                    cert::cert_text(Some(&tls), self.now)
                ));
                self.data.tls.insert(tls.fqdn.clone(), tls);
            }
            Reply::CertRemoved(tls) => {
                self.info(format!(
                    "{}: uploaded certificate removed; back to automatic certificates ({})",
                    tls.fqdn,
                    cert::cert_text(Some(&tls), self.now)
                ));
                self.data.tls.insert(tls.fqdn.clone(), tls);
            }
            Reply::TestMailSent { fqdn, answer } => {
                editor::test_mail_done(self, ticket, &fqdn, Ok(answer.clone()));
                self.info(answer);
            }
            Reply::DomainSaved { added, domain } => {
                editor::saved(self, ticket, added, domain);
            }
            Reply::DomainRemoved(fqdn) => {
                if let Some(list) = &mut self.data.domains {
                    list.retain(|d| d.fqdn != fqdn);
                }
                self.domains.clamp(&self.data);
                self.info(format!("domain {fqdn} deleted"));
            }
            Reply::Customer(detail) => customer::loaded(self, *detail),
            Reply::CustomerChanged(c) => {
                let text = format!("customer #{} {} is {}", c.id, c.name, c.status);
                if let Some(list) = &mut self.data.customers {
                    match list.iter_mut().find(|o| o.id == c.id) {
                        Some(slot) => *slot = c.clone(),
                        None => list.push(c.clone()),
                    }
                }
                customer::changed(self, c);
                self.info(text);
            }
            Reply::ContactCreated(created) => customer::contact_created(self, created),
            Reply::FileStored(info) => {
                self.info(format!("file {} stored ({} bytes)", info.name, info.size));
                self.request(Request::Files);
            }
            Reply::ImportProgress { done, total } => {
                self.ratecards.progress = Some((done, total));
            }
            Reply::Imported(imp) => {
                self.ratecards.progress = None;
                self.info(format!(
                    "rate card {}: {} new, {} replaced, {} rates in all",
                    imp.card.name, imp.inserted, imp.replaced, imp.card.rates
                ));
                self.request(Request::RateCards);
            }
            Reply::Assigned {
                account_code,
                moved,
            } => {
                self.info(format!(
                    "{moved} CDRs of account code \"{account_code}\" assigned"
                ));
                self.request(Request::Unassigned);
            }
            Reply::Done(text) => {
                self.info(text);
                self.reload();
            }
            Reply::Failed { what, failure } => self.failed(ticket, what, failure),
        }
        if ticket.is_some() {
            popup::answered(self, ticket);
        }
    }

    fn failed(&mut self, ticket: Option<u64>, what: &str, failure: Failure) {
        if what == "importing" {
            self.ratecards.progress = None;
        }
        if what == "sending the test mail" {
            editor::test_mail_done(self, ticket, "", Err(failure.to_string()));
            self.error(format!("{what}: {failure}"));
        }
        // A form or editor waiting for this answer shows the error next to the field.
        if popup::failed(self, ticket, &failure) || editor::failed(self, ticket, &failure) {
            return;
        }
        if customer::failed(self, ticket, &failure) {
            return;
        }
        self.error(format!("{what}: {failure}"));
    }

    /// The result of editing text in `$EDITOR`.
    pub fn edited(&mut self, what: ExternalText, result: Result<String, String>) {
        self.dirty = true;
        match result {
            Ok(text) => editor::external_text(self, what, text),
            Err(e) => self.error(e),
        }
    }

    /// Moves the clock; true when the status line changed.
    pub fn tick(&mut self, now: i64) -> bool {
        let before = self.uptime();
        self.now = now;
        let changed = before != self.uptime();
        self.dirty |= changed;
        changed
    }

    /// The daemon's uptime, in whole minutes as shown.
    pub fn uptime(&self) -> Option<String> {
        match &self.link {
            Link::Up(v) => Some(duration((self.now - v.started_at).max(0))),
            _ => None,
        }
    }
}

/// Seconds as `3d 4h`, `4h 05m` or `12m`.
pub fn duration(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else {
        format!("{m}m")
    }
}

/// Keys for a screen's quick tests: drives the app as a person would.
#[cfg(test)]
pub fn press(app: &mut App, keys: &str) {
    use crossterm::event::{KeyCode, KeyModifiers};
    for c in keys.chars() {
        let code = match c {
            '⏎' => KeyCode::Enter,
            '⎋' => KeyCode::Esc,
            '⇥' => KeyCode::Tab,
            '⇤' => KeyCode::BackTab,
            '↑' => KeyCode::Up,
            '↓' => KeyCode::Down,
            '⌫' => KeyCode::Backspace,
            c => KeyCode::Char(c),
        };
        app.key(&KeyEvent::new(code, KeyModifiers::NONE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(59), "0m");
        assert_eq!(duration(3_600 + 5 * 60), "1h 05m");
        assert_eq!(duration(2 * 86_400 + 3 * 3_600), "2d 3h");
    }

    #[test]
    fn ingest_rate_comes_from_two_samples() {
        let mut app = App::new(Theme::new(false), "s".into(), 1_000);
        let status = |cdrs| IngestStatus {
            cdrs,
            ..IngestStatus::default()
        };
        app.reply(None, Reply::Ingest(status(100)));
        assert_eq!(app.ingest.per_minute, None);
        app.now = 1_030;
        app.reply(None, Reply::Ingest(status(160)));
        assert_eq!(app.ingest.per_minute, Some(120));
    }

    #[test]
    fn back_on_a_top_screen_quits() {
        let mut app = App::new(Theme::new(false), "s".into(), 0);
        press(&mut app, "2");
        app.take_effects();
        press(&mut app, "q");
        assert_eq!(app.take_effects(), vec![Effect::Quit]);
    }

    #[test]
    fn ctrl_c_quits_even_while_typing() {
        use crossterm::event::{KeyCode, KeyModifiers};
        let mut app = App::new(Theme::new(false), "s".into(), 0);
        press(&mut app, "/");
        assert!(app.typing());
        app.key(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert_eq!(app.take_effects(), vec![Effect::Quit]);
    }
}

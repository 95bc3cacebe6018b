//! The domain editor: the tabs of the Portal dialog over one domain. Changes stay in a draft
//! until `s` saves them as one `domain_set` with only what changed (sections as show/hide edits,
//! so that two admins editing different sections do not undo each other).

use crossterm::event::KeyEvent;
use portico_protocol::{
    AdminError, BreakoutColumn, CdrColumn, Domain, DomainPatch, Section, SignupStatus,
    SmtpSecurity, SmtpSettings, SmtpSpec, TlsState,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Tabs, Wrap};

use crate::cli::output::{clean, time};
use crate::tui::app::{App, Cursor, Data, Effect, ExternalText, MOVES};
use crate::tui::cert::{self, CertAction};
use crate::tui::input::{Edit, Form, TextInput};
use crate::tui::io::{Failure, Request};
use crate::tui::keys::Cmd;
use crate::tui::popup::{Pick, Popup, Then};

/// The tabs, as in the Portal dialog (plus the certificate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Basic,
    Access,
    Breakout,
    Cdr,
    Advanced,
    Smtp,
    Certificate,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 7] = [
        Tab::Basic,
        Tab::Access,
        Tab::Breakout,
        Tab::Cdr,
        Tab::Advanced,
        Tab::Smtp,
        Tab::Certificate,
    ];

    fn title(self) -> &'static str {
        match self {
            Tab::Basic => "Basic",
            Tab::Access => "User Access",
            Tab::Breakout => "Breakout",
            Tab::Cdr => "CDR",
            Tab::Advanced => "Advanced",
            Tab::Smtp => "SMTP",
            Tab::Certificate => "Certificate",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Tab::Basic => "Basic",
            Tab::Access => "Access",
            Tab::Breakout => "Brk",
            Tab::Cdr => "CDR",
            Tab::Advanced => "Adv",
            Tab::Smtp => "SMTP",
            Tab::Certificate => "Cert",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// A row of the Basic, Advanced or SMTP tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Fqdn,
    BrandName,
    CustomerSignup,
    CarrierSignup,
    SignupStatus,
    Currencies,
    TemplateCustomer,
    CustomCss,
    CustomJs,
    Logo,
    Footer,
    SmtpHost,
    SmtpPort,
    SmtpSecurity,
    SmtpUsername,
    SmtpPassword,
    SmtpFrom,
}

/// How a field is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ReadOnly,
    Text,
    Secret,
    Switch,
    Choice,
    Picked,
    External,
}

impl Field {
    fn of(tab: Tab) -> &'static [Field] {
        match tab {
            Tab::Basic => &[
                Field::Fqdn,
                Field::BrandName,
                Field::CustomerSignup,
                Field::CarrierSignup,
                Field::SignupStatus,
                Field::Currencies,
                Field::TemplateCustomer,
            ],
            Tab::Advanced => &[
                Field::CustomCss,
                Field::CustomJs,
                Field::Logo,
                Field::Footer,
            ],
            Tab::Smtp => &[
                Field::SmtpHost,
                Field::SmtpPort,
                Field::SmtpSecurity,
                Field::SmtpUsername,
                Field::SmtpPassword,
                Field::SmtpFrom,
            ],
            _ => &[],
        }
    }

    /// The protocol's name, as the daemon's errors name it.
    fn name(self) -> &'static str {
        match self {
            Field::Fqdn => "fqdn",
            Field::BrandName => "brand_name",
            Field::CustomerSignup => "customer_signup",
            Field::CarrierSignup => "carrier_signup",
            Field::SignupStatus => "signup_status",
            Field::Currencies => "currencies",
            Field::TemplateCustomer => "template_customer",
            Field::CustomCss => "custom_css",
            Field::CustomJs => "custom_js",
            Field::Logo => "logo",
            Field::Footer => "footer",
            Field::SmtpHost => "smtp.host",
            Field::SmtpPort => "smtp.port",
            Field::SmtpSecurity => "smtp.security",
            Field::SmtpUsername => "smtp.username",
            Field::SmtpPassword => "smtp.password",
            Field::SmtpFrom => "smtp.from",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Field::Fqdn => "FQDN",
            Field::BrandName => "Brand name",
            Field::CustomerSignup => "Customer sign-up",
            Field::CarrierSignup => "Carrier sign-up",
            Field::SignupStatus => "Sign-up status",
            Field::Currencies => "Currencies",
            Field::TemplateCustomer => "Template customer",
            Field::CustomCss => "Custom CSS",
            Field::CustomJs => "Custom JS",
            Field::Logo => "Logo",
            Field::Footer => "Footer",
            Field::SmtpHost => "Host",
            Field::SmtpPort => "Port",
            Field::SmtpSecurity => "Security",
            Field::SmtpUsername => "Username",
            Field::SmtpPassword => "Password",
            Field::SmtpFrom => "From",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Field::Fqdn => Kind::ReadOnly,
            Field::CustomerSignup | Field::CarrierSignup => Kind::Switch,
            Field::SignupStatus | Field::SmtpSecurity => Kind::Choice,
            Field::TemplateCustomer | Field::Logo => Kind::Picked,
            Field::CustomCss | Field::CustomJs => Kind::External,
            Field::SmtpPassword => Kind::Secret,
            _ => Kind::Text,
        }
    }

    /// True when the daemon's error field `field` is this one.
    fn is(self, field: &str) -> bool {
        let name = self.name();
        name == field || name.strip_prefix("smtp.") == Some(field)
    }
}

/// The SMTP settings as edited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SmtpDraft {
    pub host: String,
    pub port: String,
    pub security: SmtpSecurity,
    pub username: String,
    /// A new password; `None` keeps the stored one.
    pub password: Option<String>,
    pub password_set: bool,
    pub from: String,
}

impl SmtpDraft {
    fn of(s: Option<&SmtpSettings>) -> SmtpDraft {
        match s {
            None => SmtpDraft::default(),
            Some(s) => SmtpDraft {
                host: s.host.clone(),
                port: s.port.to_string(),
                security: s.security,
                username: s.username.clone(),
                password: None,
                password_set: s.password_set,
                from: s.from.clone(),
            },
        }
    }
}

/// Which list of a column tab has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Customers,
    Carriers,
}

/// The editor's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    pub orig: Domain,
    pub draft: Domain,
    pub smtp_orig: SmtpDraft,
    pub smtp: SmtpDraft,
    pub tab: Tab,
    pub rows: [Cursor; 7],
    pub side: Side,
    /// The field being typed in.
    pub typing: Option<TextInput>,
    /// The daemon's last refusal: (field, reason).
    pub error: Option<(String, String)>,
    /// The save in flight.
    pub pending: Option<u64>,
    /// The last test mail of the SMTP tab.
    pub test_mail: Option<TestMail>,
}

/// A test mail sent from the SMTP tab, and what the daemon answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestMail {
    /// The address it went to.
    pub to: String,
    /// The request in flight.
    pub pending: Option<u64>,
    /// The daemon's answer, or its error.
    pub outcome: Option<Result<String, String>>,
}

impl Editor {
    /// An editor over `domain`.
    pub fn new(domain: Domain) -> Editor {
        let smtp = SmtpDraft::of(domain.smtp.as_ref());
        Editor {
            orig: domain.clone(),
            draft: domain,
            smtp_orig: smtp.clone(),
            smtp,
            tab: Tab::Basic,
            rows: [Cursor::default(); 7],
            side: Side::Customers,
            typing: None,
            error: None,
            pending: None,
            test_mail: None,
        }
    }

    fn row(&self) -> usize {
        self.rows[self.tab.index()].0
    }

    fn field(&self) -> Option<Field> {
        Field::of(self.tab).get(self.row()).copied()
    }

    /// True when the draft differs from what is stored.
    pub fn changed(&self) -> bool {
        self.draft != self.orig || self.smtp != self.smtp_orig
    }

    fn len(&self) -> usize {
        match self.tab {
            Tab::Access => Section::ALL.len(),
            Tab::Breakout => BreakoutColumn::ALL.len(),
            Tab::Cdr => CdrColumn::ALL.len(),
            Tab::Certificate => 0,
            t => Field::of(t).len(),
        }
    }

    /// What the editor takes, given the tab, the row and the domain's certificate state.
    pub fn offered(&self, data: &Data) -> Vec<Cmd> {
        if self.typing.is_some() {
            return vec![Cmd::Confirm, Cmd::Cancel];
        }
        let mut c = Vec::new();
        match self.tab {
            Tab::Access => c.push(Cmd::Toggle),
            Tab::Breakout | Tab::Cdr => c.extend([
                Cmd::Toggle,
                Cmd::MoveUp,
                Cmd::MoveDown,
                Cmd::Left,
                Cmd::Right,
            ]),
            Tab::Certificate => {
                c.push(Cmd::RecheckDns);
                let tls = data.tls(&self.orig.fqdn);
                if tls.is_some_and(|t| matches!(t.state, TlsState::Failed { .. })) {
                    c.push(Cmd::RetryNow);
                }
                c.push(Cmd::UploadPem);
                if cert::uploaded(tls) {
                    c.push(Cmd::RemoveCert);
                }
            }
            _ => match self.field().map(Field::kind) {
                Some(Kind::Text | Kind::Secret) => c.push(Cmd::EditField),
                Some(Kind::Switch) => c.push(Cmd::Toggle),
                Some(Kind::Choice) => c.push(Cmd::Toggle),
                Some(Kind::Picked) => c.push(Cmd::Pick),
                Some(Kind::External) => c.push(Cmd::EditExternal),
                Some(Kind::ReadOnly) | None => {}
            },
        }
        if self.field() == Some(Field::Logo) {
            c.push(Cmd::Upload);
        }
        if self.tab == Tab::Smtp {
            c.push(Cmd::TestMail);
        }
        c.extend([Cmd::Save, Cmd::NextTab, Cmd::PrevTab]);
        c.extend(MOVES);
        c
    }

    /// The patch that saves the draft: only what changed.
    pub fn patch(&self) -> DomainPatch {
        let (o, d) = (&self.orig, &self.draft);
        fn changed<T: PartialEq + Clone>(a: &T, b: &T) -> Option<T> {
            (a != b).then(|| b.clone())
        }
        let smtp = if self.smtp == self.smtp_orig {
            None
        } else if self.smtp.host.trim().is_empty() {
            Some(None)
        } else {
            let s = &self.smtp;
            Some(Some(SmtpSpec {
                host: s.host.trim().to_string(),
                port: s.port.trim().parse().ok(),
                security: Some(s.security),
                username: s.username.clone(),
                password: s.password.clone(),
                from: s.from.trim().to_string(),
            }))
        };
        DomainPatch {
            brand_name: changed(&o.brand_name, &d.brand_name),
            customer_signup: changed(&o.customer_signup, &d.customer_signup),
            carrier_signup: changed(&o.carrier_signup, &d.carrier_signup),
            signup_status: changed(&o.signup_status, &d.signup_status),
            currencies: changed(&o.currencies, &d.currencies),
            template_customer: changed(&o.template_customer, &d.template_customer),
            access: None,
            show_sections: d
                .access
                .iter()
                .filter(|s| !o.access.contains(s))
                .copied()
                .collect(),
            hide_sections: o
                .access
                .iter()
                .filter(|s| !d.access.contains(s))
                .copied()
                .collect(),
            cdr_columns: changed(&o.cdr_columns, &d.cdr_columns),
            carrier_cdr_columns: changed(&o.carrier_cdr_columns, &d.carrier_cdr_columns),
            breakout_columns: changed(&o.breakout_columns, &d.breakout_columns),
            carrier_breakout_columns: changed(
                &o.carrier_breakout_columns,
                &d.carrier_breakout_columns,
            ),
            custom_js: changed(&o.custom_js, &d.custom_js),
            custom_css: changed(&o.custom_css, &d.custom_css),
            logo: changed(&o.logo, &d.logo),
            footer: changed(&o.footer, &d.footer),
            smtp,
        }
    }

    fn text_of(&self, field: Field) -> String {
        let d = &self.draft;
        match field {
            Field::BrandName => d.brand_name.clone(),
            Field::Currencies => d.currencies.join(","),
            Field::Footer => d.footer.clone(),
            Field::SmtpHost => self.smtp.host.clone(),
            Field::SmtpPort => self.smtp.port.clone(),
            Field::SmtpUsername => self.smtp.username.clone(),
            Field::SmtpFrom => self.smtp.from.clone(),
            _ => String::new(),
        }
    }

    fn set_text(&mut self, field: Field, text: String) {
        let d = &mut self.draft;
        match field {
            Field::BrandName => d.brand_name = text,
            Field::Currencies => {
                d.currencies = text
                    .split(',')
                    .map(|c| c.trim().to_uppercase())
                    .filter(|c| !c.is_empty())
                    .collect()
            }
            Field::Footer => d.footer = text,
            Field::SmtpHost => self.smtp.host = text,
            Field::SmtpPort => self.smtp.port = text,
            Field::SmtpUsername => self.smtp.username = text,
            Field::SmtpPassword => self.smtp.password = Some(text),
            Field::SmtpFrom => self.smtp.from = text,
            _ => {}
        }
    }
}

/// The included columns in order, then the others in canonical order.
fn column_rows<T: Copy + PartialEq>(chosen: &[T], all: &[T]) -> Vec<(T, bool)> {
    chosen
        .iter()
        .map(|c| (*c, true))
        .chain(
            all.iter()
                .filter(|c| !chosen.contains(c))
                .map(|c| (*c, false)),
        )
        .collect()
}

/// Includes or leaves out the column on row `row`; moves it with `delta` when included.
fn column_edit<T: Copy + PartialEq>(chosen: &mut Vec<T>, all: &[T], row: usize, cmd: Cmd) -> usize {
    let rows = column_rows(chosen, all);
    let Some((col, included)) = rows.get(row).copied() else {
        return row;
    };
    match cmd {
        Cmd::Toggle if included => {
            chosen.retain(|c| *c != col);
            row
        }
        Cmd::Toggle => {
            chosen.push(col);
            row
        }
        Cmd::MoveUp if included && row > 0 => {
            chosen.swap(row, row - 1);
            row - 1
        }
        Cmd::MoveDown if included && row + 1 < chosen.len() => {
            chosen.swap(row, row + 1);
            row + 1
        }
        _ => row,
    }
}

/// Opens the editor over a domain.
pub fn open(app: &mut App, domain: Domain) {
    app.editor = Some(Editor::new(domain));
    app.message = None;
}

/// Carries out a command of the editor.
pub fn command(app: &mut App, cmd: Cmd) {
    let Some(e) = &mut app.editor else {
        return;
    };
    let len = e.len();
    let tab = e.tab.index();
    if e.rows[tab].apply(cmd, len) {
        return;
    }
    match cmd {
        Cmd::Back => {
            if e.changed() {
                app.popup = Some(Popup::confirm(
                    format!("Leave {} without saving the changes?", e.orig.fqdn),
                    Then::DiscardEditor,
                ));
            } else {
                app.editor = None;
            }
        }
        Cmd::NextTab | Cmd::PrevTab => {
            let n = Tab::ALL.len();
            let step = if cmd == Cmd::NextTab { 1 } else { n - 1 };
            e.tab = Tab::ALL[(e.tab.index() + step) % n];
        }
        Cmd::Left => e.side = Side::Customers,
        Cmd::Right => e.side = Side::Carriers,
        Cmd::Save => save(app),
        Cmd::Toggle | Cmd::MoveUp | Cmd::MoveDown => {
            let row = e.row();
            let field = e.field();
            let d = &mut e.draft;
            let moved = match (e.tab, e.side) {
                (Tab::Access, _) if cmd == Cmd::Toggle => {
                    if let Some(s) = Section::ALL.get(row) {
                        if d.access.contains(s) {
                            d.access.retain(|x| x != s);
                        } else {
                            d.access.push(*s);
                            d.access.sort();
                        }
                    }
                    row
                }
                (Tab::Cdr, Side::Customers) => {
                    column_edit(&mut d.cdr_columns, CdrColumn::ALL, row, cmd)
                }
                (Tab::Cdr, Side::Carriers) => {
                    column_edit(&mut d.carrier_cdr_columns, CdrColumn::ALL, row, cmd)
                }
                (Tab::Breakout, Side::Customers) => {
                    column_edit(&mut d.breakout_columns, BreakoutColumn::ALL, row, cmd)
                }
                (Tab::Breakout, Side::Carriers) => column_edit(
                    &mut d.carrier_breakout_columns,
                    BreakoutColumn::ALL,
                    row,
                    cmd,
                ),
                _ => {
                    match field {
                        Some(Field::CustomerSignup) => d.customer_signup = !d.customer_signup,
                        Some(Field::CarrierSignup) => d.carrier_signup = !d.carrier_signup,
                        Some(Field::SignupStatus) => {
                            d.signup_status = match d.signup_status {
                                SignupStatus::Active => SignupStatus::PendingApproval,
                                SignupStatus::PendingApproval => SignupStatus::Active,
                            }
                        }
                        Some(Field::SmtpSecurity) => {
                            let all = SmtpSecurity::ALL;
                            let at = all.iter().position(|s| *s == e.smtp.security).unwrap_or(0);
                            e.smtp.security = all[(at + 1) % all.len()];
                        }
                        _ => {}
                    }
                    row
                }
            };
            e.rows[tab] = Cursor(moved);
        }
        Cmd::EditField => {
            if let Some(field) = e.field() {
                let mut input = TextInput::new(e.text_of(field));
                input.secret = field.kind() == Kind::Secret;
                e.typing = Some(input);
            }
        }
        Cmd::EditExternal => {
            let (what, text) = match e.field() {
                Some(Field::CustomCss) => (ExternalText::Css, e.draft.custom_css.clone()),
                Some(Field::CustomJs) => (ExternalText::Js, e.draft.custom_js.clone()),
                _ => return,
            };
            app.effect(Effect::EditText { what, text });
        }
        Cmd::Pick => match e.field() {
            Some(Field::TemplateCustomer) => {
                let mut items = vec![("(none)".to_string(), Pick::None)];
                items.extend(app.data.customers.iter().flatten().map(|c| {
                    (
                        format!("#{} {} ({}, {})", c.id, c.name, c.kind, c.currency),
                        Pick::Id(c.id),
                    )
                }));
                app.popup = Some(Popup::picker(
                    "Template customer",
                    items,
                    Then::TemplateCustomer,
                ));
            }
            Some(Field::Logo) => {
                let mut items = vec![("(none)".to_string(), Pick::None)];
                items.extend(
                    app.data
                        .files
                        .iter()
                        .flatten()
                        .filter(|f| f.content_type.starts_with("image/"))
                        .map(|f| (f.name.clone(), Pick::Name(f.name.clone()))),
                );
                app.popup = Some(Popup::picker("Logo (public files)", items, Then::Logo));
            }
            _ => {}
        },
        Cmd::Upload => {
            let fqdn = e.orig.fqdn.clone();
            let form = Form::new(
                "Upload a logo",
                &[("Path", "path", ""), ("Store as", "name", "")],
            );
            app.popup = Some(Popup::form(form, Then::UploadLogo(fqdn)));
        }
        Cmd::TestMail => {
            if e.smtp != e.smtp_orig {
                app.error(
                    "save the SMTP settings first (the test mail goes through the stored ones)",
                );
                return;
            }
            let fqdn = e.orig.fqdn.clone();
            let to = e
                .test_mail
                .as_ref()
                .map_or("", |t| t.to.as_str())
                .to_string();
            let form = Form::new("Send a test mail", &[("To", "to", to.as_str())]);
            app.popup = Some(Popup::form(form, Then::TestMail(fqdn)));
        }
        Cmd::RecheckDns | Cmd::RetryNow => {
            let action = if cmd == Cmd::RecheckDns {
                CertAction::RecheckDns
            } else {
                CertAction::RetryNow
            };
            let fqdn = e.orig.fqdn.clone();
            app.request(cert::request(&fqdn, &action));
            app.info(format!("checking the DNS of {fqdn}…"));
        }
        Cmd::UploadPem => {
            let fqdn = e.orig.fqdn.clone();
            let form = Form::new(
                "Upload a certificate",
                &[("Chain (PEM)", "chain", ""), ("Key (PEM)", "key", "")],
            );
            app.popup = Some(Popup::form(form, Then::UploadPem(fqdn)));
        }
        Cmd::RemoveCert => {
            let fqdn = e.orig.fqdn.clone();
            app.popup = Some(Popup::confirm(
                format!(
                    "Remove the uploaded certificate of {fqdn}? The domain goes back to \
                     automatic certificates."
                ),
                Then::RemoveCert(fqdn),
            ));
        }
        _ => {}
    }
}

fn save(app: &mut App) {
    let Some(e) = &app.editor else {
        return;
    };
    if !e.changed() {
        app.info("nothing to save");
        return;
    }
    if e.smtp != e.smtp_orig
        && !e.smtp.port.trim().is_empty()
        && e.smtp.port.trim().parse::<u16>().is_err()
    {
        let reason = "is not a port number (1-65535)".to_string();
        refused(app, "smtp.port", reason);
        return;
    }
    let request = Request::SetDomain(e.orig.fqdn.clone(), e.patch());
    let ticket = app.request(request);
    if let Some(e) = &mut app.editor {
        e.pending = Some(ticket);
        e.error = None;
    }
    app.info("saving…");
}

/// Shows a refusal next to the field and moves there.
fn refused(app: &mut App, field: &str, reason: String) {
    let Some(e) = &mut app.editor else {
        return;
    };
    for tab in Tab::ALL {
        if let Some(row) = Field::of(tab).iter().position(|f| f.is(field)) {
            e.tab = tab;
            e.rows[tab.index()] = Cursor(row);
        }
    }
    match field {
        "access" => e.tab = Tab::Access,
        f if f.contains("breakout") => e.tab = Tab::Breakout,
        f if f.contains("cdr") => e.tab = Tab::Cdr,
        _ => {}
    }
    app.error(format!("not saved: {field}: {reason}"));
    if let Some(e) = &mut app.editor {
        e.error = Some((field.to_string(), reason));
    }
}

/// A key while a field is typed in.
pub fn type_key(app: &mut App, key: &KeyEvent) {
    let Some(e) = &mut app.editor else {
        return;
    };
    let Some(input) = &mut e.typing else {
        return;
    };
    match input.key(key) {
        Edit::Submit => {
            let text = input.value.clone();
            e.typing = None;
            if let Some(field) = e.field() {
                e.set_text(field, text);
            }
        }
        Edit::Cancel => e.typing = None,
        _ => {}
    }
}

/// A pick from the template customer or logo list.
pub fn picked(app: &mut App, then: &Then, pick: Pick) {
    let Some(e) = &mut app.editor else {
        return;
    };
    match (then, pick) {
        (Then::TemplateCustomer, Pick::Id(id)) => e.draft.template_customer = Some(id),
        (Then::TemplateCustomer, _) => e.draft.template_customer = None,
        (Then::Logo, Pick::Name(name)) => e.draft.logo = Some(name),
        (Then::Logo, _) => e.draft.logo = None,
        _ => {}
    }
}

/// Text back from `$EDITOR`.
pub fn external_text(app: &mut App, what: ExternalText, text: String) {
    let Some(e) = &mut app.editor else {
        return;
    };
    let slot = match what {
        ExternalText::Css => &mut e.draft.custom_css,
        ExternalText::Js => &mut e.draft.custom_js,
    };
    if *slot == text {
        app.info("unchanged");
    } else {
        *slot = text;
        app.info("changed; press s to save");
    }
}

/// The daemon stored a domain.
pub fn saved(app: &mut App, ticket: Option<u64>, added: bool, domain: Domain) {
    if let Some(list) = &mut app.data.domains {
        match list.iter_mut().find(|d| d.fqdn == domain.fqdn) {
            Some(slot) => *slot = domain.clone(),
            None => {
                list.push(domain.clone());
                list.sort_by(|a, b| a.fqdn.cmp(&b.fqdn));
            }
        }
    }
    if added {
        app.info(format!("domain {} added", domain.fqdn));
        open(app, domain);
        app.info("added; set it up here, then s to save");
        return;
    }
    let Some(e) = &mut app.editor else {
        app.info(format!("domain {} saved", domain.fqdn));
        return;
    };
    if e.orig.fqdn != domain.fqdn {
        return;
    }
    if e.pending.is_some() && e.pending == ticket {
        *e = Editor {
            tab: e.tab,
            rows: e.rows,
            side: e.side,
            ..Editor::new(domain)
        };
        app.info("saved");
    } else {
        // Another change (a logo upload): take it without losing the draft.
        e.orig.logo = domain.logo.clone();
        e.draft.logo = domain.logo;
        app.info("logo uploaded and set");
    }
}

/// A test mail was sent from the editor's form (`pending`), or it was answered.
pub fn test_mail_sent(app: &mut App, to: String, ticket: u64) {
    if let Some(e) = &mut app.editor {
        e.test_mail = Some(TestMail {
            to,
            pending: Some(ticket),
            outcome: None,
        });
    }
}

/// The daemon answered a test mail: keep its words (or its error) for the SMTP tab.
pub fn test_mail_done(
    app: &mut App,
    ticket: Option<u64>,
    fqdn: &str,
    outcome: Result<String, String>,
) {
    let Some(e) = &mut app.editor else {
        return;
    };
    if !fqdn.is_empty() && e.orig.fqdn != fqdn {
        return;
    }
    if let Some(t) = &mut e.test_mail
        && t.pending.is_some()
        && t.pending == ticket
    {
        t.pending = None;
        t.outcome = Some(outcome);
    }
}

/// A save failed: show it next to the field. True when it was the editor's.
pub fn failed(app: &mut App, ticket: Option<u64>, failure: &Failure) -> bool {
    let Some(e) = &mut app.editor else {
        return false;
    };
    if e.pending.is_none() || e.pending != ticket {
        return false;
    }
    e.pending = None;
    match failure {
        Failure::Admin(AdminError::Invalid { field, reason }) => {
            refused(app, &field.clone(), reason.clone())
        }
        other => app.error(format!("not saved: {other}")),
    }
    true
}

/// Draws the editor.
pub fn render(app: &App, e: &Editor, f: &mut Frame, area: Rect) {
    let t = app.theme;
    let mark = if e.changed() { " [modified]" } else { "" };
    let block = Block::bordered().title(Line::from(vec![
        Span::styled(format!(" {}", clean(&e.orig.fqdn)), t.title()),
        Span::styled(format!("{mark} "), t.warn()),
    ]));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [tabs, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
    let long: usize = Tab::ALL.iter().map(|t| t.title().len() + 3).sum();
    let titles = Tab::ALL.iter().map(|tab| {
        if long <= usize::from(tabs.width) {
            tab.title()
        } else {
            tab.short()
        }
    });
    f.render_widget(
        Tabs::new(titles)
            .select(e.tab.index())
            .highlight_style(t.active_tab())
            .divider("│")
            .padding(" ", " ")
            .block(Block::default().borders(ratatui::widgets::Borders::BOTTOM)),
        tabs,
    );
    match e.tab {
        Tab::Basic | Tab::Advanced | Tab::Smtp => render_fields(app, e, f, body),
        Tab::Access => {
            let rows: Vec<(String, bool, String)> = Section::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str().to_string(),
                        e.draft.access.contains(s),
                        String::new(),
                    )
                })
                .collect();
            checklist(app, &rows, e.row(), true, None, f, body);
        }
        Tab::Breakout => {
            let left = column_rows(&e.draft.breakout_columns, BreakoutColumn::ALL);
            let right = column_rows(&e.draft.carrier_breakout_columns, BreakoutColumn::ALL);
            columns(app, e, &names(&left), &names(&right), f, body);
        }
        Tab::Cdr => {
            let left = column_rows(&e.draft.cdr_columns, CdrColumn::ALL);
            let right = column_rows(&e.draft.carrier_cdr_columns, CdrColumn::ALL);
            columns(app, e, &names(&left), &names(&right), f, body);
        }
        Tab::Certificate => render_cert(app, e, f, body),
    }
}

fn names<T: std::fmt::Display>(rows: &[(T, bool)]) -> Vec<(String, bool, String)> {
    let mut n = 0;
    rows.iter()
        .map(|(c, on)| {
            n += usize::from(*on);
            let pos = if *on {
                format!("{n:>2}.")
            } else {
                "   ".into()
            };
            (c.to_string(), *on, pos)
        })
        .collect()
}

fn columns(
    app: &App,
    e: &Editor,
    left: &[(String, bool, String)],
    right: &[(String, bool, String)],
    f: &mut Frame,
    area: Rect,
) {
    let [l, r] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let on_left = e.side == Side::Customers;
    checklist(app, left, e.row(), on_left, Some("Customers"), f, l);
    checklist(app, right, e.row(), !on_left, Some("Carriers"), f, r);
}

fn checklist(
    app: &App,
    rows: &[(String, bool, String)],
    cursor: usize,
    focused: bool,
    title: Option<&str>,
    f: &mut Frame,
    area: Rect,
) {
    let t = app.theme;
    let items: Vec<ListItem> = rows
        .iter()
        .map(|(name, on, pos)| {
            let mark = if *on { "[x]" } else { "[ ]" };
            ListItem::new(format!("{mark}{pos} {name}"))
        })
        .collect();
    let mut list = List::new(items);
    if focused {
        list = list.highlight_style(t.selected());
    }
    if let Some(title) = title {
        let style = if focused { t.title() } else { t.dim() };
        list = list.block(Block::default().title(Span::styled(title, style)));
    }
    let mut state = ListState::default().with_selected(Some(cursor));
    f.render_stateful_widget(list, area, &mut state);
}

fn field_value(app: &App, e: &Editor, field: Field) -> String {
    let d = &e.draft;
    let on = |b: bool| if b { "[x] allowed" } else { "[ ] not allowed" }.to_string();
    match field {
        Field::Fqdn => d.fqdn.clone(),
        Field::CustomerSignup => on(d.customer_signup),
        Field::CarrierSignup => on(d.carrier_signup),
        Field::SignupStatus => format!("‹{}›", d.signup_status),
        Field::TemplateCustomer => match d.template_customer {
            None => "(none)".into(),
            Some(id) => {
                let name = app
                    .data
                    .customers
                    .iter()
                    .flatten()
                    .find(|c| c.id == id)
                    .map_or(String::new(), |c| format!(" {}", c.name));
                format!("#{id}{name}")
            }
        },
        Field::CustomCss => lines_of(&d.custom_css),
        Field::CustomJs => lines_of(&d.custom_js),
        Field::Logo => d.logo.clone().unwrap_or_else(|| "(none)".into()),
        Field::SmtpSecurity => format!("‹{}›", e.smtp.security),
        Field::SmtpPassword => match (&e.smtp.password, e.smtp.password_set) {
            (Some(p), _) => "•".repeat(p.chars().count().min(12)),
            (None, true) => "(stored)".into(),
            (None, false) => "(none)".into(),
        },
        other => e.text_of(other),
    }
}

fn lines_of(text: &str) -> String {
    match text.lines().count() {
        0 => "(empty)".into(),
        1 => format!("1 line: {}", text.lines().next().unwrap_or("")),
        n => format!("{n} lines"),
    }
}

fn render_fields(app: &App, e: &Editor, f: &mut Frame, area: Rect) {
    let t = app.theme;
    let fields = Field::of(e.tab);
    let label_w = fields.iter().map(|x| x.label().len()).max().unwrap_or(0);
    let mut lines = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let selected = i == e.row();
        let changed = match field {
            Field::SmtpHost
            | Field::SmtpPort
            | Field::SmtpSecurity
            | Field::SmtpUsername
            | Field::SmtpPassword
            | Field::SmtpFrom => e.smtp != e.smtp_orig,
            _ => {
                field_value(
                    app,
                    &Editor {
                        draft: e.orig.clone(),
                        ..e.clone()
                    },
                    *field,
                ) != field_value(app, e, *field)
            }
        };
        let value = match (&e.typing, selected) {
            (Some(input), true) => input.shown(),
            _ => clean(&field_value(app, e, *field)).into_owned(),
        };
        let label_style = if selected { t.selected() } else { t.dim() };
        let mut spans = vec![
            Span::styled(format!("{:>label_w$}", field.label()), label_style),
            Span::styled(if changed { " * " } else { "   " }, t.warn()),
            Span::styled(
                value,
                if field.kind() == Kind::ReadOnly {
                    t.dim()
                } else {
                    Style::new()
                },
            ),
        ];
        if selected && e.typing.is_some() {
            spans.push(Span::styled(" ", t.selected()));
        }
        lines.push(Line::from(spans));
        if let Some((name, reason)) = &e.error
            && field.is(name)
        {
            lines.push(Line::styled(
                format!("{:>label_w$}   ↑ {}", "", clean(reason)),
                t.error(),
            ));
        }
    }
    if e.tab == Tab::Smtp
        && let Some(mail) = &e.test_mail
    {
        let to = clean(&mail.to).into_owned();
        let (text, style) = match &mail.outcome {
            None => (format!("sending to {to}…"), t.dim()),
            Some(Ok(answer)) => (clean(answer).into_owned(), Style::new()),
            Some(Err(why)) => (format!("to {to}: {}", clean(why)), t.error()),
        };
        lines.push(Line::default());
        lines.extend(super::labelled(
            Span::styled(format!("{:>label_w$}   ", "Test mail"), t.dim()),
            &text,
            style,
            area.width,
        ));
    }
    if e.tab == Tab::Advanced {
        lines.push(Line::default());
        lines.push(Line::styled(
            "CSS and JS open in $EDITOR; the logo is picked from the public files.",
            t.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn render_cert(app: &App, e: &Editor, f: &mut Frame, area: Rect) {
    let t = app.theme;
    let Some(tls) = app.data.tls(&e.orig.fqdn) else {
        let text = if app.data.domains.is_some() {
            "The daemon reports no certificate state for this domain yet (ask again with ^R)."
        } else {
            "loading…"
        };
        f.render_widget(
            Paragraph::new(text)
                .style(t.dim())
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    let mut rows: Vec<(&str, String, Style)> = Vec::new();
    let state_style = match tls.state {
        TlsState::Active { .. } => Style::new(),
        TlsState::Failed { .. } | TlsState::DnsPending { .. } => t.warn(),
        _ => t.dim(),
    };
    rows.push(("State", tls.state.name().to_string(), state_style));
    let dns = match &tls.dns {
        Some(d) => format!(
            "{}: {}, checked {}",
            if d.ok { "ok" } else { "not yet" },
            d.found,
            time(d.checked_at)
        ),
        None => match &tls.state {
            TlsState::DnsPending { found } => format!("not yet: {found}"),
            _ => "not checked yet".into(),
        },
    };
    rows.push(("DNS", dns, Style::new()));
    match &tls.cert {
        Some(c) => {
            rows.push((
                "Certificate",
                cert::source_text(c.source).into(),
                Style::new(),
            ));
            rows.push(("Issuer", c.issuer.clone(), Style::new()));
            rows.push(("Names", c.names.join(", "), Style::new()));
            rows.push(("Expires", time(c.not_after), Style::new()));
            if let Some(at) = c.renew_at {
                rows.push(("Renews", time(at), Style::new()));
            }
        }
        None => rows.push(("Certificate", "none served".into(), t.dim())),
    }
    let (problem, retry) = match &tls.state {
        TlsState::Failed {
            problem,
            next_retry,
        } => (
            problem.clone(),
            format!(
                "{} ({})",
                time(*next_retry),
                cert::retry_in(*next_retry, app.now)
            ),
        ),
        _ => (cert::UNKNOWN.into(), cert::UNKNOWN.into()),
    };
    let failed = matches!(tls.state, TlsState::Failed { .. });
    rows.push((
        "Last problem",
        problem,
        if failed { t.error() } else { t.dim() },
    ));
    if failed {
        rows.push(("Next retry", retry, Style::new()));
        rows.push(("Failures", tls.failures.to_string(), Style::new()));
    }
    if let Some(note) = &tls.note {
        rows.push(("Note", note.clone(), t.warn()));
    }
    let mut lines: Vec<Line> = rows
        .into_iter()
        .flat_map(|(k, v, style)| {
            super::labelled(
                Span::styled(format!("{k:>12}   "), t.dim()),
                &clean(&v),
                style,
                area.width,
            )
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(
        "Checking DNS orders the certificate at once when DNS passes and one is due.",
        t.dim(),
    ));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_toggle_and_reorder() {
        let mut chosen = vec![CdrColumn::CallId, CdrColumn::Charge];
        // Move charge above call_id.
        let row = column_edit(&mut chosen, CdrColumn::ALL, 1, Cmd::MoveUp);
        assert_eq!(
            (row, chosen.clone()),
            (0, vec![CdrColumn::Charge, CdrColumn::CallId])
        );
        // Row 2 is the first left-out column (call_time): include it at the end.
        column_edit(&mut chosen, CdrColumn::ALL, 2, Cmd::Toggle);
        assert_eq!(chosen.last(), Some(&CdrColumn::CallTime));
        // A left-out column does not move.
        let rows = column_rows(&chosen, CdrColumn::ALL);
        assert!(!rows[3].1);
        assert_eq!(column_edit(&mut chosen, CdrColumn::ALL, 3, Cmd::MoveUp), 3);
    }
}

//! The one key table. Every command of the console is a [`Cmd`] bound to its keys here; each
//! screen lists the commands it takes, and the key bar, the `?` help and the key lookup are all
//! built from that list and this table, so the help can never drift from the keys.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Something the admin can ask for with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    Quit,
    Back,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Left,
    Right,
    NextTab,
    PrevTab,
    GoDomains,
    GoCustomers,
    GoFiles,
    GoRateCards,
    GoCdrs,
    GoAudit,
    Refresh,
    Filter,
    Add,
    Open,
    Delete,
    Save,
    Toggle,
    Cycle,
    MoveUp,
    MoveDown,
    EditExternal,
    EditField,
    Pick,
    Upload,
    Approve,
    Reject,
    StatusFilter,
    ResetPassword,
    EffectiveDomain,
    TestMail,
    RecheckDns,
    RetryNow,
    UploadPem,
    RemoveCert,
    Import,
    Assign,
    Confirm,
    Cancel,
    NextField,
    PrevField,
    Yes,
    No,
}

/// One key: a code and the modifiers that must be held (Shift is part of the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    fn matches(self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        // Terminals send a capital letter with or without Shift in the modifiers: the
        // character alone decides, Shift is not compared.
        let code = event.code;
        code == self.code && ctrl == self.ctrl
    }

    /// How the key is written in the key bar and the help.
    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "S-Tab".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("^{}", base.to_uppercase())
        } else {
            base
        }
    }
}

/// A command's keys and words.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The command.
    pub cmd: Cmd,
    /// Its keys; the first is the one the key bar shows.
    pub keys: &'static [Key],
    /// The word in the key bar; empty keeps it out of the bar (it is still in the help).
    pub hint: &'static str,
    /// The line in the help.
    pub help: &'static str,
}

macro_rules! table {
    ($( $cmd:ident [$($key:expr),+] $hint:literal $help:literal; )+) => {
        /// Every binding, in the order the help lists them.
        pub const BINDINGS: &[Binding] = &[
            $( Binding { cmd: Cmd::$cmd, keys: &[$($key),+], hint: $hint, help: $help }, )+
        ];
    };
}

table! {
    Help [ch('?')] "help" "show the keys of this screen";
    Back [code(KeyCode::Esc), ch('q')] "back" "go back (quit on a top screen)";
    Quit [ctrl('c')] "" "quit at once";
    Up [code(KeyCode::Up), ch('k')] "" "move up";
    Down [code(KeyCode::Down), ch('j')] "" "move down";
    PageUp [code(KeyCode::PageUp)] "" "page up";
    PageDown [code(KeyCode::PageDown)] "" "page down";
    Left [code(KeyCode::Left), ch('h')] "" "left list";
    Right [code(KeyCode::Right), ch('l')] "" "right list";
    NextTab [code(KeyCode::Tab)] "" "next tab";
    PrevTab [code(KeyCode::BackTab)] "" "previous tab";
    GoDomains [ch('1')] "" "Domains";
    GoCustomers [ch('2')] "" "Customers";
    GoFiles [ch('3')] "" "Files";
    GoRateCards [ch('4')] "" "Rate cards";
    GoCdrs [ch('5')] "" "Unassigned CDRs";
    GoAudit [ch('6')] "" "Audit log";
    Refresh [ctrl('r')] "" "reload from the daemon";
    Filter [ch('/')] "filter" "filter the list";
    Add [ch('a')] "add" "add";
    Open [code(KeyCode::Enter)] "open" "open the selected row";
    EditField [code(KeyCode::Enter)] "edit" "edit the selected field";
    Pick [code(KeyCode::Enter)] "pick" "pick from a list";
    Assign [code(KeyCode::Enter)] "assign" "assign to a customer";
    Delete [ch('d')] "delete" "delete (asks first)";
    Save [ch('s')] "save" "save the changes";
    Toggle [ch(' ')] "toggle" "toggle";
    Cycle [ch(' ')] "cycle" "default → show → hide";
    MoveUp [ch('K')] "up" "move the column up";
    MoveDown [ch('J')] "down" "move the column down";
    EditExternal [ch('e')] "$EDITOR" "edit in $EDITOR";
    Upload [ch('u')] "upload" "upload a file from a path";
    Approve [ch('A')] "approve" "approve the pending customer";
    Reject [ch('R')] "reject" "reject (suspend) the pending customer";
    StatusFilter [ch('f')] "status" "cycle the status filter";
    ResetPassword [ch('p')] "password" "reset the contact's password";
    EffectiveDomain [ch('D')] "domain" "next domain for the effective result";
    TestMail [ch('t')] "test mail" "send a test mail";
    RecheckDns [ch('c')] "check DNS" "check DNS now; orders at once when it passes";
    RetryNow [ch('n')] "retry" "retry the failed order now (checks DNS first)";
    UploadPem [ch('U')] "PEM" "upload a certificate (PEM chain and key paths)";
    RemoveCert [ch('X')] "remove PEM" "remove the uploaded certificate (asks first)";
    Import [ch('i')] "import" "import a CSV file";
    Confirm [code(KeyCode::Enter)] "confirm" "confirm";
    Cancel [code(KeyCode::Esc)] "cancel" "cancel";
    NextField [code(KeyCode::Tab), code(KeyCode::Down)] "" "next field";
    PrevField [code(KeyCode::BackTab), code(KeyCode::Up)] "" "previous field";
    Yes [ch('y')] "yes" "yes";
    No [ch('n'), code(KeyCode::Esc)] "no" "no";
}

/// The binding of a command.
pub fn binding(cmd: Cmd) -> &'static Binding {
    BINDINGS
        .iter()
        .find(|b| b.cmd == cmd)
        .unwrap_or(&BINDINGS[0])
}

/// The command among `offered` that `event` asks for, if any. Earlier commands win, so a
/// screen may offer two commands on one key only when it offers one of them at a time.
pub fn lookup(event: &KeyEvent, offered: &[Cmd]) -> Option<Cmd> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    offered
        .iter()
        .copied()
        .find(|cmd| binding(*cmd).keys.iter().any(|k| k.matches(event)))
}

/// The key bar: `key hint` for each offered command that has a hint.
pub fn bar(offered: &[Cmd]) -> Vec<(String, &'static str)> {
    offered
        .iter()
        .map(|c| binding(*c))
        .filter(|b| !b.hint.is_empty())
        .map(|b| (b.keys[0].label(), b.hint))
        .collect()
}

/// The help: every key of every offered command, with its line.
pub fn help(offered: &[Cmd]) -> Vec<(String, &'static str)> {
    let mut seen = Vec::new();
    offered
        .iter()
        .filter(|c| {
            let new = !seen.contains(*c);
            seen.push(**c);
            new
        })
        .map(|c| binding(*c))
        .map(|b| {
            let keys = b.keys.iter().map(|k| k.label()).collect::<Vec<_>>();
            (keys.join(" "), b.help)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn every_command_has_one_binding() {
        for b in BINDINGS {
            let n = BINDINGS.iter().filter(|o| o.cmd == b.cmd).count();
            assert_eq!(n, 1, "{:?} is bound {n} times", b.cmd);
            assert!(!b.keys.is_empty() && !b.help.is_empty(), "{:?}", b.cmd);
        }
    }

    #[test]
    fn lookup_only_finds_offered_commands() {
        let a = key(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(lookup(&a, &[Cmd::Add]), Some(Cmd::Add));
        assert_eq!(lookup(&a, &[Cmd::Delete]), None);
        let shift_k = key(KeyCode::Char('K'), KeyModifiers::SHIFT);
        assert_eq!(lookup(&shift_k, &[Cmd::Up, Cmd::MoveUp]), Some(Cmd::MoveUp));
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            lookup(&ctrl_c, &[Cmd::RecheckDns, Cmd::Quit]),
            Some(Cmd::Quit)
        );
    }

    #[test]
    fn bar_and_help_come_from_the_table() {
        let offered = [Cmd::Add, Cmd::Up, Cmd::Quit, Cmd::Refresh];
        assert_eq!(bar(&offered), vec![("a".to_string(), "add")]);
        let help = help(&offered);
        assert_eq!(help.len(), 4);
        assert_eq!(help[1], ("↑ k".to_string(), "move up"));
        assert_eq!(help[2], ("^C".to_string(), "quit at once"));
        assert_eq!(help[3], ("^R".to_string(), "reload from the daemon"));
    }
}

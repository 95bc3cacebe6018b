//! The admin console: a terminal UI over porticod's admin socket, for `portico` run bare in a
//! terminal.
//!
//! The shape follows gitui and the ratatui templates: keys become commands through one typed
//! key table (`keys`), commands change the state (`app`, `screens`), the state is drawn by a
//! pure function (`render`) only when it changed, and all talk with the daemon happens in an
//! I/O task (`io`) that reports back as events.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::cli::args::GlobalArgs;
use crate::cli::connect::{Connection, socket_path};
use crate::cli::output::clean;

pub mod app;
pub mod cert;
pub mod input;
pub mod io;
pub mod keys;
pub mod popup;
pub mod render;
pub mod screens;
pub mod terminal;
pub mod theme;

#[cfg(test)]
mod snapshots;

use app::{App, Effect};
use terminal::Term;
use theme::Theme;

/// Now, in Unix seconds.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Runs the console until the admin quits. Connects first, so that a missing socket or a
/// refused permission is said plainly on stderr before the screen is taken over.
pub fn run(global: &GlobalArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let socket = socket_path(global.socket.as_deref());
    runtime.block_on(async move {
        let first = match Connection::open(&socket).await {
            Ok(conn) => conn,
            Err(e) => return fail(e.message()),
        };
        let (requests, requests_rx) = mpsc::channel(64);
        let (replies_tx, replies) = mpsc::channel(256);
        let daemon = first.daemon().clone();
        tokio::spawn(io::run(socket.clone(), first, requests_rx, replies_tx));
        let mut term = match Term::start() {
            Ok(term) => term,
            Err(e) => return fail(&format!("cannot set up the terminal: {e}")),
        };
        let mut app = App::new(Theme::from_env(), socket.display().to_string(), now());
        app.link = app::Link::Up(daemon);
        let outcome = event_loop(&mut term, &mut app, requests, replies).await;
        drop(term);
        match outcome {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        }
    })
}

async fn event_loop(
    term: &mut Term,
    app: &mut App,
    requests: mpsc::Sender<(u64, io::Request)>,
    mut replies: mpsc::Receiver<(Option<u64>, io::Reply)>,
) -> Result<(), String> {
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        if app.dirty {
            term.draw(app).map_err(|e| format!("cannot draw: {e}"))?;
            app.dirty = false;
        }
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => app.key(&key),
                Some(Ok(Event::Paste(text))) if app.typing() => {
                    for c in text.chars().filter(|c| !c.is_control()) {
                        app.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
                    }
                }
                Some(Ok(Event::Resize(..))) => app.dirty = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("cannot read the terminal: {e}")),
                None => return Ok(()),
            },
            reply = replies.recv() => match reply {
                Some((ticket, reply)) => app.reply(ticket, reply),
                None => return Err("the connection task stopped".into()),
            },
            _ = tick.tick() => {
                app.tick(now());
            }
        }
        for effect in app.take_effects() {
            match effect {
                Effect::Quit => return Ok(()),
                Effect::Request(ticket, request) => {
                    if requests.send((ticket, request)).await.is_err() {
                        return Err("the connection task stopped".into());
                    }
                }
                Effect::EditText { what, text } => {
                    // The event stream would read the editor's keys: stop it meanwhile.
                    drop(events);
                    let editor = terminal::editor_command();
                    let result = terminal::edit_text(&editor, Some(term), &text, what.suffix());
                    events = EventStream::new();
                    app.edited(what, result);
                }
            }
        }
    }
}

fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "portico: {}", clean(message));
    ExitCode::FAILURE
}

//! The terminal: raw mode and the alternate screen, given back on every way out (a normal exit,
//! an error, a panic), and suspended while `$EDITOR` runs.

use std::io::{self, Stdout, Write};
use std::path::Path;
use std::process::Command;

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use crossterm::{execute, queue};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::app::App;
use super::render;

/// The terminal in the console's hands. Dropping it gives the terminal back.
pub struct Term {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    );
}

fn enter() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        Hide
    )
}

/// Restores the terminal before a panic's message is printed, so that it is readable and the
/// shell is usable afterwards.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

impl Term {
    /// Takes over the terminal.
    pub fn start() -> io::Result<Term> {
        install_panic_hook();
        if let Err(e) = enter() {
            restore();
            return Err(e);
        }
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()));
        match terminal {
            Ok(terminal) => Ok(Term { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Draws the app as one synchronized update, so a slow link never shows half a frame.
    pub fn draw(&mut self, app: &App) -> io::Result<()> {
        queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)?;
        self.terminal.draw(|f| render::draw(f, app))?;
        execute!(self.terminal.backend_mut(), EndSynchronizedUpdate)
    }

    /// Gives the terminal to the editor on `path`, then takes it back (as `git commit` does).
    pub fn run_editor(&mut self, editor: &str, path: &Path) -> Result<(), String> {
        restore();
        let result = run_editor(editor, path);
        // The editor drew over the screen: blank what ratatui thinks is there, so that the
        // next frame is drawn whole (`Terminal::clear` would ask the terminal for the cursor
        // position, which races with the restarted event reader).
        let back = enter()
            .and_then(|()| execute!(io::stdout(), terminal::Clear(terminal::ClearType::All)))
            .and_then(|()| {
                self.terminal
                    .draw(|f| f.render_widget(ratatui::widgets::Clear, f.area()))
                    .map(|_| ())
            });
        if let Err(e) = back {
            return Err(format!("cannot take the terminal back: {e}"));
        }
        result
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.terminal.backend_mut().flush();
        restore();
    }
}

/// The editor command: `$VISUAL`, else `$EDITOR`, else `vi`, run through the shell so that it
/// may carry arguments (`EDITOR="code --wait"`).
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Runs the editor command on `path` and waits for it.
pub fn run_editor(editor: &str, path: &Path) -> Result<(), String> {
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
        .map_err(|e| format!("cannot run the editor `{editor}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "the editor `{editor}` exited with {status}; nothing was changed"
        ))
    }
}

/// Edits `text` in a temporary file with the editor command; returns the new text.
pub fn edit_text(
    editor: &str,
    term: Option<&mut Term>,
    text: &str,
    suffix: &str,
) -> Result<String, String> {
    let file = tempfile::Builder::new()
        .prefix("portico-")
        .suffix(suffix)
        .tempfile()
        .map_err(|e| format!("cannot create a temporary file: {e}"))?;
    std::fs::write(file.path(), text)
        .map_err(|e| format!("cannot write {}: {e}", file.path().display()))?;
    match term {
        Some(term) => term.run_editor(editor, file.path())?,
        None => run_editor(editor, file.path())?,
    }
    std::fs::read_to_string(file.path())
        .map_err(|e| format!("cannot read {} back: {e}", file.path().display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_edits_a_temporary_file() {
        // A stand-in editor that appends a line, run the way $EDITOR is.
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("ed.sh");
        std::fs::write(&script, "#!/bin/sh\necho 'b { color: red }' >> \"$1\"\n").unwrap();
        let editor = format!("sh {}", script.display());
        let text = edit_text(&editor, None, "a {}\n", ".css").unwrap();
        assert_eq!(text, "a {}\nb { color: red }\n");
        let err = edit_text("false", None, "x", ".js").unwrap_err();
        assert!(err.contains("exited with"), "{err}");
    }
}

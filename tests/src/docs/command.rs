//! A man page from a clap command: every flag, every subcommand (recursively) with its
//! options and examples, from the definitions that also give `--help`.

use clap::{Arg, ArgAction, Command};

use super::roff::{Page, bold, escape, italic};

/// What a page adds to what clap knows: sections written for the man page only.
pub struct Extra<'a> {
    /// The manual section number (1 for portico, 8 for porticod).
    pub section: u8,
    /// The page's date (the release's).
    pub date: &'a str,
    /// Sections after COMMANDS and the help's own sections (FILES, RELOAD, ...).
    pub sections: &'a dyn Fn(&mut Page),
    /// The SEE ALSO line, roff-formatted.
    pub see_also: &'a str,
}

/// Renders the man page of `cmd`.
pub fn render(mut cmd: Command, extra: &Extra<'_>) -> String {
    cmd.build();
    let name = cmd.get_name().to_string();
    let version = cmd.get_version().unwrap_or_default().to_string();
    let mut page = Page::new(
        &name,
        extra.section,
        extra.date,
        &format!("{name} {version}"),
        "Portico Manual",
    );
    page.section("name");
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    page.raw_paragraph(&format!("{} \\- {}", escape(&name), escape(&about)));

    page.section("synopsis");
    page.raw_paragraph(&usage(&mut cmd));

    page.section("description");
    let long = cmd
        .get_long_about()
        .or(cmd.get_about())
        .map(|a| a.to_string())
        .unwrap_or_default();
    page.text(&long);

    let globals: Vec<String> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().to_string())
        .collect();
    let (positionals, options): (Vec<&Arg>, Vec<&Arg>) = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .partition(|a| a.is_positional());
    if !positionals.is_empty() {
        page.section("arguments");
        args(&mut page, &positionals);
    }
    page.section("options");
    args(&mut page, &options);

    let subcommands: Vec<&Command> = visible_subcommands(&cmd).collect();
    if !subcommands.is_empty() {
        page.section("commands");
        page.text(&format!(
            "Each command below also takes the options above. {name} help COMMAND and \
             {name} COMMAND --help print the same text."
        ));
        for sub in subcommands {
            subcommand(&mut page, sub, &globals);
        }
    }

    let after = cmd
        .get_after_long_help()
        .or(cmd.get_after_help())
        .map(|a| a.to_string())
        .unwrap_or_default();
    let blocks = help_blocks(&after);
    for block in blocks
        .iter()
        .filter(|b| !is_examples(b) && b.heading.is_some())
    {
        page.section(block.heading.as_deref().unwrap_or_default());
        block.render(&mut page);
    }
    let notes: Vec<&Block> = blocks.iter().filter(|b| b.heading.is_none()).collect();
    if !notes.is_empty() {
        page.section("notes");
        notes.iter().for_each(|b| b.render(&mut page));
    }
    (extra.sections)(&mut page);

    let env: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| a.get_env().is_some())
        .collect();
    if !env.is_empty() {
        page.section("environment");
        for a in env {
            let var = a.get_env().map(|e| e.to_string_lossy().into_owned());
            let var = var.unwrap_or_default();
            let flag = a.get_long().map(|l| format!("--{l}")).unwrap_or_default();
            page.item(
                &bold(&var),
                &format!("{} Same as {flag}.", help_text(a).trim_end()),
            );
        }
    }
    for block in blocks.iter().filter(|b| is_examples(b)) {
        page.section("examples");
        block.render(&mut page);
    }
    page.section("see also");
    page.raw_paragraph(extra.see_also);
    page.finish()
}

fn visible_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

fn subcommand(page: &mut Page, cmd: &Command, globals: &[String]) {
    let mut cmd = cmd.clone();
    let usage = usage(&mut cmd);
    page.subsection(usage.split("\n.br\n").next().unwrap_or_default());
    let text = cmd
        .get_long_about()
        .or(cmd.get_about())
        .map(|a| a.to_string())
        .unwrap_or_default();
    page.text(&text);
    let own: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !globals.contains(&a.get_id().to_string()))
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
        .collect();
    args(page, &own);
    let after = cmd
        .get_after_long_help()
        .or(cmd.get_after_help())
        .map(|a| a.to_string())
        .unwrap_or_default();
    for block in help_blocks(&after) {
        block.render_inline(page);
    }
    let subs: Vec<Command> = visible_subcommands(&cmd).cloned().collect();
    for sub in &subs {
        subcommand(page, sub, globals);
    }
}

fn args(page: &mut Page, args: &[&Arg]) {
    let mut heading: Option<&str> = None;
    for a in args {
        let h = a.get_help_heading();
        if h != heading && h.is_some() {
            page.raw_paragraph(&format!("{}:", bold(h.unwrap_or_default())));
        }
        heading = h;
        page.item(&tag(a), &arg_body(a));
    }
}

fn takes_value(a: &Arg) -> bool {
    !matches!(
        a.get_action(),
        ArgAction::SetTrue
            | ArgAction::SetFalse
            | ArgAction::Count
            | ArgAction::Help
            | ArgAction::HelpShort
            | ArgAction::HelpLong
            | ArgAction::Version
    )
}

fn value_name(a: &Arg) -> String {
    match a.get_value_names() {
        Some(names) => names
            .iter()
            .map(|n| italic(n.as_str()))
            .collect::<Vec<_>>()
            .join(" "),
        None => italic(&a.get_id().as_str().to_uppercase()),
    }
}

fn tag(a: &Arg) -> String {
    if a.is_positional() {
        let dots = if matches!(a.get_action(), ArgAction::Append) {
            "..."
        } else {
            ""
        };
        return format!("{}{dots}", value_name(a));
    }
    let mut names = Vec::new();
    if let Some(s) = a.get_short() {
        names.push(bold(&format!("-{s}")));
    }
    if let Some(l) = a.get_long() {
        names.push(bold(&format!("--{l}")));
    }
    let mut tag = names.join(", ");
    if takes_value(a) {
        tag.push(' ');
        tag.push_str(&value_name(a));
    }
    tag
}

fn help_text(a: &Arg) -> String {
    a.get_long_help()
        .or(a.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default()
}

fn arg_body(a: &Arg) -> String {
    let mut body = help_text(a);
    if !body.ends_with('.') && !body.ends_with(')') && !body.ends_with(']') {
        body.push('.');
    }
    let possible: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if takes_value(a) && !possible.is_empty() && !body.contains(&possible.join(", ")) {
        body.push_str(&format!(" Values: {}.", possible.join(", ")));
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !a.is_hide_default_value_set() && takes_value(a) {
        body.push_str(&format!(" Default: {}.", defaults.join(", ")));
    }
    if let Some(env) = a.get_env() {
        body.push_str(&format!(" Environment: {}.", env.to_string_lossy()));
    }
    body
}

/// `Usage: portico domain add [OPTIONS] <FQDN>` → bold command words, italic placeholders.
fn usage(cmd: &mut Command) -> String {
    let rendered = cmd.render_usage().to_string();
    let mut lines = Vec::new();
    for line in rendered.lines() {
        let line = line.trim().trim_start_matches("Usage:").trim();
        if line.is_empty() {
            continue;
        }
        let mut out = Vec::new();
        let mut words = line.split(' ').peekable();
        // The command's words (up to the first bracket or placeholder) are bold.
        while let Some(w) = words.next_if(|w| !w.starts_with(['[', '<', '-'])) {
            out.push(bold(w));
        }
        for w in words {
            out.push(placeholders(w));
        }
        lines.push(out.join(" "));
    }
    lines.join("\n.br\n")
}

fn placeholders(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(start) = rest.find('<') {
        out.push_str(&escape(&rest[..start]));
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        out.push_str(&italic(&rest[start + 1..start + end]));
        rest = &rest[start + end + 1..];
    }
    out.push_str(&escape(rest));
    out
}

/// A paragraph of an after-help text: `Heading:` on its first line makes it a section, and
/// lines indented by two spaces are shown as they are.
#[derive(Debug)]
struct Block {
    heading: Option<String>,
    text: Vec<String>,
    literal: Vec<String>,
}

fn is_examples(b: &Block) -> bool {
    b.heading
        .as_deref()
        .is_some_and(|h| h.eq_ignore_ascii_case("examples") || h.eq_ignore_ascii_case("example"))
}

fn help_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let mut lines = para.lines();
        let first = lines.next().unwrap_or_default();
        let (heading, first_text) = match first.split_once(':') {
            Some((h, rest))
                if !first.starts_with(' ')
                    && h.len() < 20
                    && h.chars().all(|c| c.is_alphabetic() || c == ' ') =>
            {
                (Some(h.to_string()), rest.trim().to_string())
            }
            _ => (None, first.to_string()),
        };
        let mut block = Block {
            heading,
            text: Vec::new(),
            literal: Vec::new(),
        };
        if !first_text.is_empty() {
            block.text.push(first_text);
        }
        for line in lines {
            if let Some(literal) = line.strip_prefix("  ") {
                block.literal.push(literal.to_string());
            } else {
                block.text.push(line.to_string());
            }
        }
        blocks.push(block);
    }
    blocks
}

impl Block {
    fn render(&self, page: &mut Page) {
        if !self.text.is_empty() {
            page.text(&self.text.join(" "));
        }
        if !self.literal.is_empty() {
            let lines: Vec<&str> = self.literal.iter().map(String::as_str).collect();
            page.literal(&lines);
        }
    }

    fn render_inline(&self, page: &mut Page) {
        if let Some(h) = &self.heading {
            page.raw_paragraph(&format!("{}:", escape(h)));
        }
        self.render(page);
    }
}

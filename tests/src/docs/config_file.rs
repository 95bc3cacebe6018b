//! `porticod.toml(5)` and the commented default file the packages ship, both from the key
//! table in `porticod::config::keys`.

use porticod::config::keys::{self, Default, KEYS, Key, SECTIONS, Section};

use super::roff::{Page, bold, italic};

fn header(section: &Section) -> String {
    if section.array {
        format!("[[{}]]", section.name)
    } else {
        format!("[{}]", section.name)
    }
}

fn default_words(key: &Key) -> String {
    match key.default {
        Default::Value(v) => format!("Default: {v}."),
        Default::Unset(what) => format!("Default: unset ({what})."),
        Default::Required => "Required.".to_string(),
    }
}

fn reload_words(key: &Key) -> &'static str {
    if key.reload {
        "Applied on reload (SIGHUP)."
    } else {
        "A change needs a restart."
    }
}

/// The keys SIGHUP applies, as the man pages list them.
pub fn reloadable_keys() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in KEYS.iter().filter(|k| k.reload) {
        let (section, name) = keys::split(k.key);
        let array = SECTIONS.iter().any(|s| s.name == section && s.array);
        let shown = if array {
            format!("[[{section}]]")
        } else if section.is_empty() {
            name.to_string()
        } else {
            k.key.to_string()
        };
        if !out.contains(&shown) {
            out.push(shown);
        }
    }
    out
}

fn shown_value(key: &Key) -> &'static str {
    match key.default {
        Default::Value(v) if key.example.is_empty() => v,
        _ => key.example,
    }
}

/// A complete example: every key, with its example value or else its default. The keys of
/// an array of tables are split over two entries: a mapping belongs to a generic-csv file.
pub fn example() -> String {
    let mut out = String::new();
    for section in SECTIONS {
        let line = |k: &Key| format!("{} = {}\n", keys::split(k.key).1, shown_value(k));
        let with_example: Vec<&Key> = keys::keys_of(section.name).collect();
        if with_example.is_empty() {
            continue;
        }
        if section.array {
            let (generic, plain): (Vec<&Key>, Vec<&Key>) = with_example
                .into_iter()
                .partition(|k| k.key.ends_with(".mapping"));
            out.push_str(&format!("{}\n", header(section)));
            plain.into_iter().for_each(|k| out.push_str(&line(k)));
            if !generic.is_empty() {
                out.push_str(&format!(
                    "\n{}\npath = \"/srv/cdr/export.csv\"\nformat = \"generic-csv\"\n",
                    header(section)
                ));
                generic.into_iter().for_each(|k| out.push_str(&line(k)));
            }
        } else {
            if !section.name.is_empty() {
                out.push_str(&format!("{}\n", header(section)));
            }
            with_example
                .into_iter()
                .for_each(|k| out.push_str(&line(k)));
        }
        out.push('\n');
    }
    format!("{}\n", out.trim_end())
}

/// `porticod.toml(5)`.
pub fn man_page(date: &str, version: &str) -> String {
    let mut page = Page::new(
        "porticod.toml",
        5,
        date,
        &format!("porticod {version}"),
        "Portico Manual",
    );
    page.section("name");
    page.raw_paragraph("porticod.toml \\- configuration file of porticod, the Portico daemon");
    page.section("synopsis");
    page.raw_paragraph(&bold("/etc/portico/porticod.toml"));
    page.section("description");
    page.text(
        "porticod(8) reads its settings from this TOML file at start, and again when it \
         receives SIGHUP (systemctl reload porticod). A key that is left out takes its \
         default; the packaged file lists every key with its default, commented out. An \
         unknown key, a value of the wrong type or a value that cannot be used stops the \
         daemon with a message that names the file, the key and what to do; run porticod \
         --check-config to check a file before using it. The flags --data-dir, \
         --admin-socket and --http-listen win over the file.",
    );
    page.section("keys");
    for section in SECTIONS {
        let title = if section.name.is_empty() {
            "Top level".to_string()
        } else {
            header(section)
        };
        page.subsection(&title);
        page.text(section.doc);
        for key in keys::keys_of(section.name) {
            let name = keys::split(key.key).1;
            let tag = format!("{} = {}", bold(name), italic(key.kind));
            page.item(
                &tag,
                &format!(
                    "{}\n\n{} {}",
                    key.doc,
                    default_words(key),
                    reload_words(key)
                ),
            );
        }
    }
    page.section("reload");
    let keys = reloadable_keys();
    page.text(&format!(
        "On SIGHUP the daemon reads the file again. When it is valid, these take effect at \
         once: {}; open connections, the listeners and CDR imports in progress are not \
         interrupted. A change to any other key is logged as needing a restart and keeps \
         its old value until then. When the new file is not valid, the error is logged and \
         the daemon goes on with the settings it had.",
        keys.join(", ")
    ));
    page.section("example");
    let text = example();
    let lines: Vec<&str> = text.lines().collect();
    page.literal(&lines);
    page.section("files");
    page.item(
        &bold("/etc/portico/porticod.toml"),
        "This file. The packages install it as a configuration file, which an upgrade never \
         overwrites.",
    );
    page.section("see also");
    page.raw_paragraph(&format!(
        "{}(8), {}(1), {}(5)",
        bold("porticod"),
        bold("portico"),
        bold("systemd.exec")
    ));
    page.finish()
}

fn wrap(text: &str, width: usize, prefix: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && prefix.len() + line.len() + 1 + word.len() > width {
            out.push_str(prefix);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(prefix);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The commented default `/etc/portico/porticod.toml`: every key with its default (or an
/// example), commented out, so that the file as shipped means the defaults.
pub fn shipped_file() -> String {
    let mut out = String::new();
    out.push_str(&wrap(
        "/etc/portico/porticod.toml: the configuration of porticod, the Portico daemon. \
         Every key is shown with its default (or, for keys without one, an example), \
         commented out: uncomment and change what you need. Check the file with `porticod \
         --check-config`, then apply it with `systemctl reload porticod`; a reload applies",
        96,
        "# ",
    ));
    out.push_str(&wrap(
        &format!(
            "{}; other keys need `systemctl restart porticod`. Every key is described in \
             porticod.toml(5).",
            reloadable_keys().join(" and ")
        ),
        96,
        "# ",
    ));
    for section in SECTIONS {
        out.push('\n');
        // [tls] ships commented out: a [tls] table means ACME, which needs the carrier's own
        // cname_target, so a fresh install starts on plain HTTP until that is set.
        let comment_header = section.array || section.name == "tls";
        if !section.name.is_empty() {
            out.push_str(&wrap(section.doc, 96, "# "));
            if comment_header {
                out.push('#');
            }
            out.push_str(&header(section));
            out.push('\n');
        }
        for key in keys::keys_of(section.name) {
            let name = keys::split(key.key).1;
            let value = match key.default {
                Default::Value(v) => v,
                _ => shown_value(key),
            };
            let mut doc = key.doc.to_string();
            match key.default {
                Default::Value(_) => {}
                Default::Unset(what) => doc.push_str(&format!(" Unset: {what}.")),
                Default::Required => doc.push_str(" Required."),
            }
            out.push_str(&wrap(&doc, 96, "# "));
            out.push_str(&format!("#{name} = {value}\n"));
        }
    }
    out
}

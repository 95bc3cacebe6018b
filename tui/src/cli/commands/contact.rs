//! `portico contact ...`: portal logins.

use portico_protocol::{ContactCreated, ContactSpec};

use super::Session;
use crate::cli::args::{ContactCommand, PasswordArgs};
use crate::cli::error::CliError;
use crate::cli::output::{Fields, clean, join, removed, time};
use crate::cli::values;

/// Runs one `contact` subcommand.
pub async fn run(session: &Session, command: ContactCommand) -> Result<String, CliError> {
    match command {
        ContactCommand::Add {
            customer_id,
            email,
            name,
            password,
            ip_allow,
        } => {
            let spec = ContactSpec {
                email,
                name,
                password: password_of(&password)?,
                ip_allow: ip_allow.as_deref().map(values::list).unwrap_or_default(),
            };
            let conn = session.connect().await?;
            let created = conn
                .call("contact_add", |ctx| {
                    conn.admin().contact_add(ctx, customer_id, spec)
                })
                .await?;
            session.format.render(&created, |c| render(c, "added"))
        }
        ContactCommand::ResetPassword { email, password } => {
            let password = password_of(&password)?;
            let conn = session.connect().await?;
            let created = conn
                .call("contact_reset_password", |ctx| {
                    conn.admin().contact_reset_password(ctx, email, password)
                })
                .await?;
            session
                .format
                .render(&created, |c| render(c, "password changed for"))
        }
        ContactCommand::Rm { email } => {
            let conn = session.connect().await?;
            let key = email.clone();
            conn.call("contact_remove", |ctx| {
                conn.admin().contact_remove(ctx, email)
            })
            .await?;
            removed(session.format, "contact", key)
        }
    }
}

/// `--password` or the first line of `--password-file`; `None` asks the daemon for one.
pub fn password_of(args: &PasswordArgs) -> Result<Option<String>, CliError> {
    match (&args.password, &args.password_file) {
        (Some(p), _) => Ok(Some(p.clone())),
        (None, Some(path)) => values::read_password("--password-file", path).map(Some),
        (None, None) => Ok(None),
    }
}

/// The contact, and the generated password once when there is one.
fn render(created: &ContactCreated, what: &str) -> String {
    let c = &created.contact;
    let mut out = format!(
        "{what} contact {} of customer {}\n",
        clean(&c.email),
        c.customer_id
    );
    out.push_str(
        &Fields::new()
            .add("id", c.id.to_string())
            .add("customer_id", c.customer_id.to_string())
            .add("email", c.email.as_str())
            .add("name", c.name.as_str())
            .add("ip_allow", join(&c.ip_allow))
            .add("created_at", time(c.created_at))
            .render(),
    );
    if let Some(password) = &created.generated_password {
        out.push_str(&format!(
            "\ngenerated password: {}\n(shown only this once; give it to the contact now)\n",
            clean(password)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_protocol::Contact;

    fn created(password: Option<&str>) -> ContactCreated {
        ContactCreated {
            contact: Contact {
                id: 5,
                customer_id: 7,
                email: "ops@example.test".into(),
                name: "Ops".into(),
                ip_allow: vec!["203.0.113.0/24".into()],
                created_at: 0,
                phone: String::new(),
                time_zone: String::new(),
                two_factor: false,
            },
            generated_password: password.map(str::to_string),
        }
    }

    #[test]
    fn generated_password_is_printed_once() {
        let text = render(&created(Some("Xk3-pq9-Lm2")), "added");
        assert_eq!(text.matches("Xk3-pq9-Lm2").count(), 1, "{text}");
        assert!(text.contains("generated password: Xk3-pq9-Lm2"), "{text}");
        let text = render(&created(None), "added");
        assert!(!text.contains("password"), "{text}");
    }

    #[test]
    fn json_keeps_the_generated_password() {
        let c = created(Some("secret"));
        let text = crate::cli::output::json(&c).unwrap();
        let back: ContactCreated = serde_json::from_str(&text).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn password_flag_or_file() {
        let none = PasswordArgs::default();
        assert_eq!(password_of(&none).unwrap(), None);
        let given = PasswordArgs {
            password: Some("pw".into()),
            password_file: None,
        };
        assert_eq!(password_of(&given).unwrap().as_deref(), Some("pw"));
        let missing = PasswordArgs {
            password: None,
            password_file: Some("/nonexistent/pw".into()),
        };
        assert_eq!(
            password_of(&missing).unwrap_err().message(),
            "cannot read /nonexistent/pw: No such file or directory"
        );
    }
}

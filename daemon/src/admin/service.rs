//! The tarpc [`Admin`] service: handshake, then each call as one store transaction, with every
//! change written to the audit log in that same transaction.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use portico_protocol::*;
use serde_json::{Value, json};
use tarpc::context::Context;

use super::ops;
use crate::store::{Store, StoreError, Tx};

/// Who is on the other end of a connection (from SO_PEERCRED).
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    /// The peer's uid.
    pub uid: Option<u32>,
    /// The peer's pid.
    pub pid: Option<i32>,
}

/// What every connection shares.
#[derive(Debug)]
pub struct State {
    /// The store.
    pub store: Store,
    /// The CDR ingest (shares the store).
    pub ingest: crate::ingest::pipeline::Ingest,
    /// When the daemon started (Unix seconds).
    pub started_at: i64,
    /// Certificates and HTTPS.
    pub tls: crate::tls::Tls,
}

/// One connection's server.
#[derive(Clone)]
pub struct AdminServer {
    state: Arc<State>,
    peer: Peer,
    greeted: Arc<AtomicBool>,
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store failure");
        AdminError::internal(e.to_string())
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A successful change: its result and the audit target (e.g. `domain portal.example.com`).
pub type Changed<T> = (T, String);

impl AdminServer {
    /// A server for one connection from `peer`.
    pub fn new(state: Arc<State>, peer: Peer) -> AdminServer {
        AdminServer {
            state,
            peer,
            greeted: Arc::new(AtomicBool::new(false)),
        }
    }

    fn ready(&self) -> AdminResult<()> {
        if self.greeted.load(Ordering::Acquire) {
            Ok(())
        } else {
            Err(AdminError::Refused {
                reason: "call version() first: the daemon refuses every call before the handshake"
                    .into(),
            })
        }
    }

    async fn read<T, F>(&self, f: F) -> AdminResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Tx) -> AdminResult<T> + Send + 'static,
    {
        self.ready()?;
        let store = self.state.store.clone();
        blocking(move || store.read(f)).await
    }

    async fn change<T, F>(&self, action: &'static str, detail: Value, f: F) -> AdminResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx, i64) -> AdminResult<Changed<T>> + Send + 'static,
    {
        self.ready()?;
        let store = self.state.store.clone();
        let peer = self.peer;
        let result = blocking(move || {
            store.write(|tx| {
                let at = now();
                let (value, target) = f(tx, at)?;
                // Any admin change may alter how CDRs match and price: the ingest reloads.
                tx.bump_counter(crate::ingest::pipeline::GENERATION, 1)?;
                tx.audit(AuditEntry {
                    seq: 0,
                    at,
                    uid: peer.uid,
                    pid: peer.pid,
                    action: action.to_string(),
                    target,
                    detail: detail.to_string(),
                })?;
                Ok::<_, AdminError>(value)
            })
        })
        .await;
        match &result {
            Ok(_) => {
                tracing::info!(uid = ?peer.uid, pid = ?peer.pid, action, "admin change");
                // A domain added (or a certificate uploaded) is looked at now, not at the next tick.
                self.state.tls.wake();
            }
            Err(e) => {
                tracing::info!(uid = ?peer.uid, pid = ?peer.pid, action, error = %e, "admin change refused")
            }
        }
        result
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> AdminResult<T> + Send + 'static,
) -> AdminResult<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => Err(AdminError::internal(format!("store task failed: {e}"))),
    }
}

/// The JSON of a value for the audit log, without the named secret fields.
fn redacted<T: serde::Serialize>(value: &T, secrets: &[&str]) -> Value {
    let mut v = serde_json::to_value(value).unwrap_or(Value::Null);
    fn strip(v: &mut Value, secrets: &[&str]) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if secrets.contains(&k.as_str()) && !child.is_null() {
                        *child = Value::String("<redacted>".into());
                    } else {
                        strip(child, secrets);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| strip(i, secrets)),
            _ => {}
        }
    }
    strip(&mut v, secrets);
    v
}

impl Admin for AdminServer {
    async fn version(self, _: Context, client_protocol: u32) -> AdminResult<VersionInfo> {
        if client_protocol != PROTOCOL_VERSION {
            tracing::warn!(uid = ?self.peer.uid, pid = ?self.peer.pid, client_protocol, "refused client with another protocol version");
            return Err(AdminError::Refused {
                reason: format!(
                    "porticod speaks protocol {PROTOCOL_VERSION}, this client speaks \
                     {client_protocol}; install matching versions of portico and porticod"
                ),
            });
        }
        self.greeted.store(true, Ordering::Release);
        Ok(VersionInfo {
            protocol: PROTOCOL_VERSION,
            daemon: env!("CARGO_PKG_VERSION").to_string(),
            started_at: self.state.started_at,
        })
    }

    async fn domain_list(self, _: Context) -> AdminResult<Vec<Domain>> {
        self.read(ops::domain::list).await
    }

    async fn domain_show(self, _: Context, fqdn: String) -> AdminResult<Domain> {
        self.read(move |tx| ops::domain::show(tx, &fqdn)).await
    }

    async fn domain_add(
        self,
        _: Context,
        fqdn: String,
        settings: DomainPatch,
    ) -> AdminResult<Domain> {
        let detail = json!({"fqdn": fqdn, "settings": redacted(&settings, &["password"])});
        self.change("domain_add", detail, move |tx, now| {
            ops::domain::add(tx, now, &fqdn, settings)
        })
        .await
    }

    async fn domain_set(self, _: Context, fqdn: String, patch: DomainPatch) -> AdminResult<Domain> {
        let detail = json!({"fqdn": fqdn, "patch": redacted(&patch, &["password"])});
        self.change("domain_set", detail, move |tx, now| {
            ops::domain::set(tx, now, &fqdn, patch)
        })
        .await
    }

    async fn domain_remove(self, _: Context, fqdn: String) -> AdminResult<()> {
        let detail = json!({"fqdn": fqdn});
        self.change("domain_remove", detail, move |tx, _| {
            ops::domain::remove(tx, &fqdn)
        })
        .await
    }

    async fn file_put(self, _: Context, name: String, content: Blob) -> AdminResult<FileInfo> {
        let bytes = content.0;
        let detail = json!({"name": name, "size": bytes.len()});
        self.change("file_put", detail, move |tx, now| {
            ops::file::put(tx, now, &name, bytes)
        })
        .await
    }

    async fn file_list(self, _: Context) -> AdminResult<Vec<FileInfo>> {
        self.read(|tx| Ok(tx.files()?)).await
    }

    async fn file_remove(self, _: Context, name: String) -> AdminResult<()> {
        let detail = json!({"name": name});
        self.change("file_remove", detail, move |tx, _| {
            ops::file::remove(tx, &name)
        })
        .await
    }

    async fn customer_add(self, _: Context, fields: CustomerPatch) -> AdminResult<Customer> {
        let detail = redacted(&fields, &[]);
        self.change("customer_add", detail, move |tx, now| {
            ops::customer::add(tx, now, fields)
        })
        .await
    }

    async fn customer_set(
        self,
        _: Context,
        id: u64,
        patch: CustomerPatch,
    ) -> AdminResult<Customer> {
        let detail = json!({"id": id, "patch": patch});
        self.change("customer_set", detail, move |tx, _| {
            ops::customer::set(tx, id, patch)
        })
        .await
    }

    async fn customer_show(self, _: Context, id: u64) -> AdminResult<CustomerDetail> {
        self.read(move |tx| ops::customer::show(tx, id)).await
    }

    async fn customer_list(
        self,
        _: Context,
        status: Option<CustomerStatus>,
    ) -> AdminResult<Vec<Customer>> {
        self.read(move |tx| {
            Ok(tx
                .customers()?
                .into_iter()
                .filter(|c| status.is_none_or(|s| c.status == s))
                .collect())
        })
        .await
    }

    async fn customer_remove(self, _: Context, id: u64) -> AdminResult<()> {
        let detail = json!({"id": id});
        self.change("customer_remove", detail, move |tx, _| {
            ops::customer::remove(tx, id)
        })
        .await
    }

    async fn customer_override(
        self,
        _: Context,
        id: u64,
        section: Section,
        access: Access,
    ) -> AdminResult<Customer> {
        let detail = json!({"id": id, "section": section, "access": access});
        self.change("customer_override", detail, move |tx, _| {
            ops::customer::set_override(tx, id, section, access)
        })
        .await
    }

    async fn customer_approve(self, _: Context, id: u64) -> AdminResult<Customer> {
        let detail = json!({"id": id});
        self.change("customer_approve", detail, move |tx, _| {
            ops::customer::approve(tx, id)
        })
        .await
    }

    async fn contact_add(
        self,
        _: Context,
        customer_id: u64,
        spec: ContactSpec,
    ) -> AdminResult<ContactCreated> {
        let detail = json!({"customer_id": customer_id, "spec": redacted(&spec, &["password"])});
        self.ready()?;
        let given = spec.password.clone();
        let password = blocking(move || ops::contact::NewPassword::prepare(given)).await?;
        self.change("contact_add", detail, move |tx, now| {
            ops::contact::add(tx, now, customer_id, spec, password)
        })
        .await
    }

    async fn contact_reset_password(
        self,
        _: Context,
        email: String,
        password: Option<String>,
    ) -> AdminResult<ContactCreated> {
        let detail = json!({"email": email, "generated": password.is_none()});
        self.ready()?;
        let password = blocking(move || ops::contact::NewPassword::prepare(password)).await?;
        self.change("contact_reset_password", detail, move |tx, _| {
            ops::contact::reset_password(tx, &email, password)
        })
        .await
    }

    async fn contact_remove(self, _: Context, email: String) -> AdminResult<()> {
        let detail = json!({"email": email});
        self.change("contact_remove", detail, move |tx, _| {
            ops::contact::remove(tx, &email)
        })
        .await
    }

    async fn ratecard_import(
        self,
        _: Context,
        name: String,
        currency: String,
        csv: String,
        replace: bool,
    ) -> AdminResult<RateCardImported> {
        let detail =
            json!({"name": name, "currency": currency, "bytes": csv.len(), "replace": replace});
        self.change("ratecard_import", detail, move |tx, now| {
            ops::ratecard::import(tx, now, &name, &currency, &csv, replace)
        })
        .await
    }

    async fn ratecard_list(self, _: Context) -> AdminResult<Vec<RateCard>> {
        self.read(|tx| Ok(tx.ratecards()?)).await
    }

    async fn ratecard_show(self, _: Context, name: String) -> AdminResult<RateCardDetail> {
        self.read(move |tx| ops::ratecard::show(tx, &name)).await
    }

    async fn ratecard_remove(self, _: Context, name: String) -> AdminResult<()> {
        let detail = json!({"name": name});
        self.change("ratecard_remove", detail, move |tx, _| {
            ops::ratecard::remove(tx, &name)
        })
        .await
    }

    async fn route_add(
        self,
        _: Context,
        customer_id: u64,
        ratecard: String,
        tech_prefix: String,
    ) -> AdminResult<Route> {
        let detail =
            json!({"customer_id": customer_id, "ratecard": ratecard, "tech_prefix": tech_prefix});
        self.change("route_add", detail, move |tx, _| {
            ops::ratecard::route_add(tx, customer_id, &ratecard, &tech_prefix)
        })
        .await
    }

    async fn route_remove(self, _: Context, customer_id: u64, ratecard: String) -> AdminResult<()> {
        let detail = json!({"customer_id": customer_id, "ratecard": ratecard});
        self.change("route_remove", detail, move |tx, _| {
            ops::ratecard::route_remove(tx, customer_id, &ratecard)
        })
        .await
    }

    async fn payment_add(
        self,
        _: Context,
        customer_id: u64,
        spec: PaymentSpec,
    ) -> AdminResult<Payment> {
        let detail = json!({"customer_id": customer_id, "spec": spec});
        self.change("payment_add", detail, move |tx, now| {
            ops::account::payment_add(tx, now, customer_id, spec)
        })
        .await
    }

    async fn payment_list(self, _: Context, customer_id: u64) -> AdminResult<Vec<Payment>> {
        self.read(move |tx| ops::account::payment_list(tx, customer_id))
            .await
    }

    async fn payment_set_status(
        self,
        _: Context,
        payment_id: u64,
        status: PaymentStatus,
    ) -> AdminResult<Payment> {
        let detail = json!({"payment_id": payment_id, "status": status});
        self.change("payment_set_status", detail, move |tx, _| {
            ops::account::payment_set_status(tx, payment_id, status)
        })
        .await
    }

    async fn alert_add(self, _: Context, customer_id: u64, spec: AlertSpec) -> AdminResult<Alert> {
        let detail = json!({"customer_id": customer_id, "spec": spec});
        self.change("alert_add", detail, move |tx, _| {
            ops::account::alert_add(tx, customer_id, spec)
        })
        .await
    }

    async fn alert_remove(self, _: Context, alert_id: u64) -> AdminResult<()> {
        let detail = json!({"alert_id": alert_id});
        self.change("alert_remove", detail, move |tx, _| {
            ops::account::remove_child::<Alert>(tx, alert_id)
        })
        .await
    }

    async fn package_add(
        self,
        _: Context,
        customer_id: u64,
        spec: PackageSpec,
    ) -> AdminResult<Package> {
        let detail = json!({"customer_id": customer_id, "spec": spec});
        self.change("package_add", detail, move |tx, _| {
            ops::account::package_add(tx, customer_id, spec)
        })
        .await
    }

    async fn package_remove(self, _: Context, package_id: u64) -> AdminResult<()> {
        let detail = json!({"package_id": package_id});
        self.change("package_remove", detail, move |tx, _| {
            ops::account::remove_child::<Package>(tx, package_id)
        })
        .await
    }

    async fn contract_add(
        self,
        _: Context,
        customer_id: u64,
        spec: ContractSpec,
    ) -> AdminResult<Contract> {
        let detail =
            json!({"customer_id": customer_id, "name": spec.name, "required": spec.required});
        self.change("contract_add", detail, move |tx, _| {
            ops::account::contract_add(tx, customer_id, spec)
        })
        .await
    }

    async fn contract_remove(self, _: Context, contract_id: u64) -> AdminResult<()> {
        let detail = json!({"contract_id": contract_id});
        self.change("contract_remove", detail, move |tx, _| {
            ops::account::remove_child::<Contract>(tx, contract_id)
        })
        .await
    }

    async fn audit_list(self, _: Context, limit: u32) -> AdminResult<Vec<AuditEntry>> {
        self.read(move |tx| Ok(tx.audit_recent(limit.min(10_000) as usize)?))
            .await
    }

    async fn export(self, _: Context) -> AdminResult<String> {
        self.ready()?;
        let store = self.state.store.clone();
        blocking(move || {
            let value = store.export()?;
            serde_json::to_string_pretty(&value).map_err(|e| AdminError::internal(e.to_string()))
        })
        .await
    }

    async fn cdr_import(self, _: Context, chunk: CdrImportChunk) -> AdminResult<ImportReport> {
        self.ready()?;
        let ingest = self.state.ingest.clone();
        let (source, format, bytes) = (
            chunk.source.clone(),
            chunk.format.clone(),
            chunk.data.0.len(),
        );
        let report = blocking(move || crate::ingest::import::import_chunk(&ingest, chunk)).await?;
        tracing::info!(
            uid = ?self.peer.uid, pid = ?self.peer.pid, %source, %format, bytes,
            imported = report.imported, duplicates = report.duplicates,
            quarantined = report.quarantined.len(), "cdr import chunk"
        );
        Ok(report)
    }

    async fn cdr_list(self, _: Context, query: CdrQuery) -> AdminResult<CdrPage> {
        self.read(move |tx| crate::reports::cdr_page(tx, &query))
            .await
    }

    async fn cdr_unassigned(self, _: Context) -> AdminResult<Vec<UnassignedGroup>> {
        self.read(crate::reports::unassigned_groups).await
    }

    async fn cdr_assign(
        self,
        _: Context,
        account_code: String,
        customer_id: u64,
    ) -> AdminResult<u64> {
        let detail = json!({"account_code": account_code, "customer_id": customer_id});
        self.change("cdr_assign", detail, move |tx, _| {
            let moved = crate::ingest::pipeline::assign(tx, &account_code, customer_id)?;
            Ok((
                moved,
                format!("customer #{customer_id} account code {account_code}"),
            ))
        })
        .await
    }

    async fn quarantine_list(self, _: Context, limit: u32) -> AdminResult<Vec<QuarantineEntry>> {
        self.read(move |tx| Ok(tx.quarantined(limit.min(10_000) as usize)?))
            .await
    }

    async fn report_breakout(
        self,
        _: Context,
        query: ReportQuery,
    ) -> AdminResult<Vec<BreakoutRow>> {
        self.read(move |tx| crate::reports::breakout(tx, &query))
            .await
    }

    async fn report_summary(self, _: Context, query: ReportQuery) -> AdminResult<Summary> {
        self.read(move |tx| crate::reports::summary(tx, &query))
            .await
    }

    async fn customer_balance(self, _: Context, customer_id: u64) -> AdminResult<Balance> {
        self.read(move |tx| crate::reports::balance(tx, customer_id))
            .await
    }

    async fn ingest_status(self, _: Context) -> AdminResult<IngestStatus> {
        self.read(|tx| {
            Ok(IngestStatus {
                cdrs: tx.counter("cdrs")?,
                unassigned: tx.counter("cdrs_unassigned")?,
                unrated: tx.counter("cdrs_unrated")?,
                quarantined: tx.quarantine_len()?,
            })
        })
        .await
    }

    async fn domain_smtp_test(self, _: Context, fqdn: String, to: String) -> AdminResult<String> {
        let (record, to) = self
            .read(move |tx| {
                let name = crate::model::fqdn::normalize_fqdn(&fqdn)?;
                let record = tx.domain(&name)?.ok_or_else(|| {
                    AdminError::not_found(format!("domain \"{name}\" (see `portico domain list`)"))
                })?;
                let to = crate::model::contact::normalize_email("to", &to)?;
                Ok((record, to))
            })
            .await?;
        let fqdn = record.domain.fqdn.clone();
        let Some(mailer) = crate::mail::Mailer::of(&record) else {
            return Err(AdminError::invalid(
                "smtp",
                format!(
                    "domain \"{fqdn}\" has no SMTP settings; set them with `portico domain set \
                     {fqdn} --smtp-host HOST --smtp-from ADDRESS ...`"
                ),
            ));
        };
        let server = mailer.server();
        let sent = mailer
            .send(crate::mail::Outgoing {
                to: to.clone(),
                subject: "test mail from Portico".to_owned(),
                text: format!(
                    "This is a test mail from the Portico portal {fqdn}, sent through {server}.\n\n\
                     Mails of this portal (sign-up confirmations, password resets) go out the same \
                     way.\n"
                ),
            })
            .await;
        tracing::info!(uid = ?self.peer.uid, pid = ?self.peer.pid, %fqdn, %to, ok = sent.is_ok(), "admin: SMTP test mail");
        match sent {
            Ok(()) => Ok(format!("sent a test mail to {to} through {server}")),
            Err(e) => Err(AdminError::invalid("smtp", e.0)),
        }
    }

    async fn domain_tls_list(self, _: Context) -> AdminResult<Vec<DomainTls>> {
        let tls = self.state.tls.clone();
        self.read(move |tx| tls.status_all(tx)).await
    }

    async fn domain_tls_check(self, _: Context, fqdn: String) -> AdminResult<DomainTls> {
        let name = self
            .read(move |tx| Ok(ops::domain::show(tx, &fqdn)?.fqdn))
            .await?;
        let check = self.state.tls.check_dns(&name).await?;
        let detail = json!({"fqdn": name, "ok": check.ok, "found": check.found});
        let tls = self.state.tls.clone();
        self.change("domain_tls_check", detail, move |tx, _| {
            crate::tls::Tls::apply_check(tx, &name, check)?;
            Ok((tls.status_in(tx, &name)?, format!("domain {name}")))
        })
        .await
    }

    async fn domain_cert_upload(
        self,
        _: Context,
        fqdn: String,
        upload: CertUpload,
    ) -> AdminResult<DomainTls> {
        let detail = json!({"fqdn": fqdn, "chain_bytes": upload.chain_pem.len()});
        let tls = self.state.tls.clone();
        let result = self
            .change("domain_cert_upload", detail, move |tx, _| {
                let name = ops::domain::show(tx, &fqdn)?.fqdn;
                let record = tls.check_upload(&name, &upload)?;
                tx.put_uploaded_cert(&name, &record)?;
                Ok((tls.status_in(tx, &name)?, format!("domain {name}")))
            })
            .await?;
        self.reload_certs().await?;
        Ok(result)
    }

    async fn domain_cert_remove(self, _: Context, fqdn: String) -> AdminResult<DomainTls> {
        let detail = json!({"fqdn": fqdn});
        let tls = self.state.tls.clone();
        let result = self
            .change("domain_cert_remove", detail, move |tx, _| {
                let name = ops::domain::show(tx, &fqdn)?.fqdn;
                if !tx.remove_uploaded_cert(&name)? {
                    return Err(AdminError::not_found(format!(
                        "uploaded certificate of domain \"{name}\""
                    )));
                }
                Ok((tls.status_in(tx, &name)?, format!("domain {name}")))
            })
            .await?;
        self.reload_certs().await?;
        Ok(result)
    }

    async fn ca_export(self, _: Context) -> AdminResult<String> {
        self.ready()?;
        let tls = self.state.tls.clone();
        let pem = blocking(move || tls.ca_export()).await?;
        tracing::info!(uid = ?self.peer.uid, pid = ?self.peer.pid, "local CA root exported");
        Ok(pem)
    }
}

impl AdminServer {
    /// Serves what the store now holds (an upload or its removal) without waiting for the
    /// scheduler.
    async fn reload_certs(&self) -> AdminResult<()> {
        let tls = self.state.tls.clone();
        blocking(move || {
            tls.reload_all()
                .map(|_| ())
                .map_err(|e| AdminError::internal(e.to_string()))
        })
        .await
    }
}

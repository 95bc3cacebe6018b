//! `/cdr` and `/cdr.csv`: the account's calls with the domain's CDR columns, in its order.
//!
//! The page reads the account and one keyset page in one read transaction and writes the stored
//! rows into the page while that transaction holds them (no copy into protocol or owned types,
//! no per-cell strings). The download runs the same query
//! over every page, one read transaction per batch, and streams the batches as they are
//! written, so neither a big export nor a slow client holds a transaction or the whole file.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::tz::TimeZone;
use portico_protocol::{CdrColumn, CdrCursor, CdrQuery, Section};
use serde::Deserialize;

use super::cells::{self, Clock};
use super::pages::{Chrome, html_sized, internal_error};
use super::report::{self, DayRange};
use super::session::{Account, SessionRequest};
use super::tenant::Portal;
use crate::model::domain_defaults;
use crate::reports::{self, csv::CdrCsv};
use crate::store::cdr::{CdrKey, CdrRow};
use crate::store::{Texts, Tx};

/// Calls per page.
pub const PAGE: u32 = 50;
/// Days the page shows when no range is given (today and the six before).
const DEFAULT_DAYS: i64 = 7;

/// The filter form's fields and the paging cursor, as they come in the URL.
#[derive(Debug, Default, Deserialize)]
pub struct CdrParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub connected: Option<String>,
    pub q: Option<String>,
    /// Where the page continues: `<call time>_<seq>` of the last call of the previous page.
    pub before: Option<String>,
}

/// The filters of a request, checked.
#[derive(Debug)]
pub(super) struct Filter {
    range: DayRange,
    connected: bool,
    search: String,
    problem: Option<String>,
}

impl Filter {
    pub(super) fn of(params: &CdrParams, tz: &TimeZone, now: i64) -> Self {
        let today = report::today(now, tz);
        let first = today
            .checked_sub(jiff::Span::new().days(DEFAULT_DAYS - 1))
            .unwrap_or(today);
        let default = DayRange::new(first, today, tz).unwrap_or(DayRange {
            first: today,
            last: today,
            from: now - DEFAULT_DAYS * 86_400,
            to: now + 86_400,
        });
        let (range, problem) =
            DayRange::from_form(params.from.as_deref(), params.to.as_deref(), default, tz);
        Filter {
            range,
            connected: params.connected.as_deref().is_some_and(|v| !v.is_empty()),
            search: params.q.as_deref().unwrap_or("").trim().to_owned(),
            problem,
        }
    }

    /// The query of these filters; `customer_id` is not set: the caller scopes it.
    fn query(&self, limit: u32) -> CdrQuery {
        CdrQuery {
            customer_id: None,
            from: Some(self.range.from),
            to: Some(self.range.to),
            connected_only: self.connected,
            search: (!self.search.is_empty()).then(|| self.search.clone()),
            limit,
            after: None,
        }
    }

    /// The URL query of these filters, plus a cursor; `from` and `to` are the range's days as
    /// the page shows them.
    fn link(&self, (from, to): (&str, &str), before: Option<CdrCursor>) -> String {
        let cursor = before.map(format_cursor).unwrap_or_default();
        report::query_string(&[
            ("from", from),
            ("to", to),
            ("connected", if self.connected { "1" } else { "" }),
            ("q", &self.search),
            ("before", &cursor),
        ])
    }

    /// A cursor from the URL, kept only when it lies inside this range. It is a position, not
    /// an id: the query builds the key with the account's own customer id, so it can only page
    /// through that customer's rows.
    pub(super) fn cursor(&self, text: Option<&str>) -> Option<CdrCursor> {
        let (time, seq) = text?.split_once('_')?;
        let cursor = CdrCursor {
            call_time: time.parse().ok()?,
            seq: seq.parse().ok()?,
        };
        (self.range.from <= cursor.call_time && cursor.call_time < self.range.to).then_some(cursor)
    }
}

fn format_cursor(c: CdrCursor) -> String {
    format!("{}_{}", c.call_time, c.seq)
}

/// The account's CDR columns: the carrier list for carriers, in the domain's order.
pub fn columns(account: &Account) -> Vec<CdrColumn> {
    let (configured, default): (&[CdrColumn], fn() -> Vec<CdrColumn>) = if account.is_carrier() {
        (
            &account.site.domain.carrier_cdr_columns,
            domain_defaults::default_carrier_cdr_columns,
        )
    } else {
        (
            &account.site.domain.cdr_columns,
            domain_defaults::default_cdr_columns,
        )
    };
    // The admin refuses empty lists; a record from before that rule still shows a table.
    if configured.is_empty() {
        default()
    } else {
        configured.to_vec()
    }
}

/// A column's header, named for people.
pub fn label(col: CdrColumn) -> &'static str {
    match col {
        CdrColumn::CallId => "Call ID",
        CdrColumn::CallTime => "Time",
        CdrColumn::AnswerTime => "Answered",
        CdrColumn::EndTime => "Ended",
        CdrColumn::SourceNumber => "From",
        CdrColumn::Destination => "To",
        CdrColumn::DestinationName => "Destination",
        CdrColumn::AccountCode => "Account code",
        CdrColumn::Duration => "Duration",
        CdrColumn::BilledDuration => "Billed",
        CdrColumn::RingDuration => "Ringing",
        CdrColumn::Rate => "Rate/min",
        CdrColumn::ConnectCost => "Connect fee",
        CdrColumn::Charge => "Charge",
        CdrColumn::Currency => "Currency",
        CdrColumn::ReleaseReason => "Release reason",
        CdrColumn::SipCode => "SIP code",
        CdrColumn::Direction => "Direction",
        CdrColumn::SourceIp => "Source IP",
        CdrColumn::TechPrefix => "Tech prefix",
    }
}

fn is_number(col: CdrColumn) -> bool {
    matches!(
        col,
        CdrColumn::Duration
            | CdrColumn::BilledDuration
            | CdrColumn::RingDuration
            | CdrColumn::Rate
            | CdrColumn::ConnectCost
            | CdrColumn::Charge
            | CdrColumn::SipCode
    )
}

/// A column of the table.
#[derive(Debug)]
pub struct Head {
    pub col: CdrColumn,
    pub label: &'static str,
    pub num: bool,
    /// Long text (destination names, release reasons) that wraps instead of widening the table.
    pub wrap: bool,
}

/// `/cdr`.
#[derive(Template)]
#[template(path = "portal/cdr.html")]
pub struct CdrPage {
    pub chrome: Chrome,
    pub heads: Vec<Head>,
    /// The table's rows, written while the store was read (see [`CdrRows`]); empty when no
    /// call matched.
    pub rows_html: String,
    pub zone_name: String,
    pub currency: String,
    pub from: String,
    pub to: String,
    pub connected: bool,
    pub search: String,
    pub problem: Option<String>,
    /// The next (older) page.
    pub older: Option<String>,
    /// The first page, when this is a later one.
    pub newest: Option<String>,
    pub csv: String,
}

impl CdrPage {
    /// The positions of the numeric columns, for the table's `data-num`
    /// ([`report::positions`]).
    pub fn num_at(&self) -> String {
        report::positions(self.heads.iter().map(|h| h.num))
    }

    /// The positions of the wrapping columns, for the table's `data-wrap`.
    pub fn wrap_at(&self) -> String {
        report::positions(self.heads.iter().map(|h| h.wrap))
    }

    /// Whether any filter narrows the calls beyond the date range.
    pub fn narrowed(&self) -> bool {
        self.connected || !self.search.is_empty()
    }
}

/// Writes the rows of one page into its table, straight from the calls as the store holds them
/// (borrowed, not copied out of the read transaction). The cells carry no class: the table
/// names its numeric and wrapping columns once ([`report::positions`]). The date of the last
/// day written is kept for the next row (see [`Clock`]).
pub struct CdrRows<'a> {
    cols: Vec<CdrColumn>,
    clock: Clock<'a>,
    currency: &'a str,
    minor: u32,
    /// The rows so far.
    pub html: String,
}

impl<'a> CdrRows<'a> {
    pub fn new(heads: &[Head], zone: &'a TimeZone, currency: &'a str, minor: u32) -> Self {
        CdrRows {
            cols: heads.iter().map(|h| h.col).collect(),
            clock: Clock::new(zone),
            currency,
            minor,
            html: String::with_capacity(PAGE as usize * 256),
        }
    }

    /// Appends the call's `<tr>`: its cells in the columns' order, text escaped.
    pub fn push(&mut self, key: CdrKey, row: &CdrRow<'_>) {
        let out = &mut self.html;
        // Literal markup only, one piece between two cells, so that each is copied in place.
        out.push_str(if row.connected {
            "\n<tr><td>"
        } else {
            "\n<tr class=\"is-muted\"><td>"
        });
        for (i, &col) in self.cols.iter().enumerate() {
            if i > 0 {
                out.push_str("</td><td>");
            }
            write_cell(
                out,
                &mut self.clock,
                col,
                key,
                row,
                self.currency,
                self.minor,
            );
        }
        out.push_str("</td></tr>");
    }
}

/// The text field of the call that `col` shows, if it shows one: the page reads only those.
fn text_of(col: CdrColumn) -> Texts {
    match col {
        CdrColumn::CallId => Texts::CALL_ID,
        CdrColumn::SourceNumber => Texts::SOURCE_NUMBER,
        CdrColumn::Destination => Texts::DESTINATION,
        CdrColumn::DestinationName => Texts::DESTINATION_NAME,
        CdrColumn::AccountCode => Texts::ACCOUNT_CODE,
        CdrColumn::ReleaseReason => Texts::RELEASE_REASON,
        CdrColumn::Direction => Texts::DIRECTION,
        CdrColumn::SourceIp => Texts::SOURCE_IP,
        CdrColumn::TechPrefix => Texts::TECH_PREFIX,
        CdrColumn::CallTime
        | CdrColumn::AnswerTime
        | CdrColumn::EndTime
        | CdrColumn::Duration
        | CdrColumn::BilledDuration
        | CdrColumn::RingDuration
        | CdrColumn::Rate
        | CdrColumn::ConnectCost
        | CdrColumn::Charge
        | CdrColumn::Currency
        | CdrColumn::SipCode => Texts::NONE,
    }
}

/// Writes what the table shows for `col` of the call (as the [`Cell`] of the column would,
/// without making one).
#[inline]
fn write_cell(
    out: &mut String,
    clock: &mut Clock<'_>,
    col: CdrColumn,
    key: CdrKey,
    c: &CdrRow<'_>,
    currency: &str,
    minor: u32,
) {
    match col {
        CdrColumn::CallId => cells::push_text(out, c.call_id),
        CdrColumn::CallTime => clock.push(out, key.start, true),
        CdrColumn::AnswerTime | CdrColumn::EndTime => {
            let at = if col == CdrColumn::AnswerTime {
                c.answer
            } else {
                c.end
            };
            if let Some(t) = at {
                clock.push(out, t, true);
            }
        }
        CdrColumn::SourceNumber => cells::push_text(out, c.source_number),
        CdrColumn::Destination => cells::push_text(out, c.destination),
        CdrColumn::DestinationName => cells::push_text(out, c.destination_name),
        CdrColumn::AccountCode => cells::push_text(out, c.account_code),
        CdrColumn::Duration => cells::push_seconds(out, u64::from(c.duration)),
        CdrColumn::BilledDuration => cells::push_seconds(out, u64::from(c.billed)),
        CdrColumn::RingDuration => cells::push_seconds(
            out,
            u64::from(reports::ring_seconds(key.start, c.answer, c.duration)),
        ),
        CdrColumn::Rate => {
            if let Some(rate) = c.rate {
                cells::push_exact(out, rate, minor);
            }
        }
        CdrColumn::ConnectCost => {
            cells::push_exact(out, if c.connected { c.connect_fee } else { 0 }, minor)
        }
        CdrColumn::Charge => cells::push_micros(out, c.charge, minor),
        CdrColumn::Currency => cells::push_text(out, currency),
        CdrColumn::ReleaseReason => cells::push_text(out, c.release_reason),
        CdrColumn::SipCode => {
            if let Some(code) = c.sip_code {
                cells::push_int(out, u64::from(code));
            }
        }
        CdrColumn::Direction => cells::push_text(out, c.direction),
        CdrColumn::SourceIp => cells::push_text(out, c.source_ip),
        CdrColumn::TechPrefix => cells::push_text(out, c.tech_prefix),
    }
}

fn params(query: Result<Query<CdrParams>, QueryRejection>) -> CdrParams {
    // A query string that does not parse (a field twice, bad encoding) shows the defaults.
    query.map(|Query(p)| p).unwrap_or_default()
}

/// `GET /cdr`: the account and its page of calls come from one read transaction, in one
/// blocking call, and the rows are written into the page while that transaction still holds
/// them.
pub async fn show(
    State(portal): State<Portal>,
    request: SessionRequest,
    query: Result<Query<CdrParams>, QueryRejection>,
) -> Response {
    let params = params(query);
    let now = crate::admin::service::now();
    let loaded = portal
        .account_with(request, move |tx, account| page(tx, account, &params, now))
        .await;
    match loaded {
        Ok((_, Ok(response))) => response,
        Ok((account, Err(err))) => {
            tracing::error!(error = %err, customer = account.login.customer.id, "portal: the CDR page failed");
            internal_error()
        }
        Err(refused) => refused,
    }
}

/// The page (or the 404 of a hidden section), inside the read transaction.
fn page(
    tx: &Tx,
    account: &Account,
    params: &CdrParams,
    now: i64,
) -> Result<Response, super::SourceError> {
    if let Err(hidden) = account.require(Section::Cdr) {
        return Ok(hidden);
    }
    let zone = &account.login.zone;
    let filter = Filter::of(params, zone, now);
    let mut q = filter.query(PAGE);
    q.after = filter.cursor(params.before.as_deref());
    let paged = q.after.is_some();
    let currency = account.login.customer.currency.as_str();
    let minor = account.login.money.minor;
    let heads: Vec<Head> = columns(account)
        .into_iter()
        .map(|col| Head {
            col,
            label: label(col),
            num: is_number(col),
            wrap: matches!(col, CdrColumn::DestinationName | CdrColumn::ReleaseReason),
        })
        .collect();
    let texts = heads
        .iter()
        .fold(Texts::NONE, |texts, head| texts.and(text_of(head.col)));
    let mut rows = CdrRows::new(&heads, zone, currency, minor);
    let next = reports::cdr_page_with(tx, account.login.customer.id, &q, texts, |key, row| {
        rows.push(key, row)
    })?;
    let rows_html = rows.html;
    let (chrome, csp) = Chrome::for_account(account, "/cdr");
    let (from, to) = (
        filter.range.first.to_string(),
        filter.range.last.to_string(),
    );
    let days = (from.as_str(), to.as_str());
    let query = filter.link(days, None);
    let page = CdrPage {
        chrome,
        heads,
        rows_html,
        zone_name: zone.iana_name().unwrap_or("UTC").to_owned(),
        currency: currency.to_owned(),
        older: next.map(|c| format!("/cdr{}", filter.link(days, Some(c)))),
        newest: paged.then(|| format!("/cdr{query}")),
        csv: format!("/cdr.csv{query}"),
        from,
        to,
        connected: filter.connected,
        search: filter.search,
        problem: filter.problem,
    };
    let rows_bytes = page.rows_html.len();
    Ok(html_sized(StatusCode::OK, &csp, &page, rows_bytes))
}

/// `GET /cdr.csv`: every call the filters select (not only one page), the same columns in the
/// same order, times in UTC.
pub async fn csv(
    State(portal): State<Portal>,
    account: Account,
    query: Result<Query<CdrParams>, QueryRejection>,
) -> Response {
    if let Err(hidden) = account.require(Section::Cdr) {
        return hidden;
    }
    let params = params(query);
    let filter = Filter::of(&params, &account.login.zone, crate::admin::service::now());
    let filename = format!("calls-{}-to-{}.csv", filter.range.first, filter.range.last);
    let export = Export {
        store: portal.store.clone(),
        customer: account.login.customer.id,
        query: filter.query(reports::MAX_PAGE),
        columns: columns(&account),
        currency: account.login.customer.currency.clone(),
    };
    // Two batches in flight at most: the export waits for a slow client instead of buffering.
    let (pieces, receiver) = tokio::sync::mpsc::channel(2);
    tokio::task::spawn_blocking(move || export.run(&pieces));
    report::csv_stream(receiver, &filename)
}

/// A CSV export of one customer's calls.
struct Export {
    store: crate::store::Store,
    customer: u64,
    query: CdrQuery,
    columns: Vec<CdrColumn>,
    currency: String,
}

type Piece = Result<Bytes, std::io::Error>;

/// The file as it is written: each flush hands the bytes written since to the response body.
struct Pieces<'a> {
    sender: &'a tokio::sync::mpsc::Sender<Piece>,
    buf: Vec<u8>,
}

impl std::io::Write for Pieces<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(1 << 16),
        ));
        self.sender
            .blocking_send(Ok(piece))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

impl Export {
    /// Writes the file batch by batch into `pieces`; stops when the client is gone.
    fn run(mut self, pieces: &tokio::sync::mpsc::Sender<Piece>) {
        if let Err(err) = self.write(pieces) {
            if pieces.is_closed() {
                return; // the client went away
            }
            tracing::error!(error = %err, customer = self.customer, "portal: CDR export failed");
            let _ = pieces.blocking_send(Err(std::io::Error::other("the export failed")));
        }
    }

    fn write(
        &mut self,
        pieces: &tokio::sync::mpsc::Sender<Piece>,
    ) -> Result<(), super::SourceError> {
        let sink = Pieces {
            sender: pieces,
            buf: Vec::with_capacity(1 << 16),
        };
        let mut out = CdrCsv::new(&self.columns, &self.currency, sink)?;
        loop {
            // One read transaction per batch, closed before the batch is handed on.
            let (rows, next) = self
                .store
                .read(|tx| reports::cdr_rows(tx, self.customer, &self.query))?;
            for (key, cdr) in &rows {
                out.row(key, cdr)?;
            }
            out.flush()?;
            match next {
                Some(cursor) => self.query.after = Some(cursor),
                None => return Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::cdr::sample;

    /// The page reads only the text fields its columns show: every column, alone, shows the
    /// same cell from a row read that way as from the whole row.
    #[test]
    fn each_column_shows_the_same_cell_from_the_fields_it_reads() {
        let mut stored = sample("call-1");
        stored.release_reason = "NORMAL_CLEARING".into();
        stored.direction = "outbound".into();
        stored.source_ip = "192.0.2.7".into();
        stored.tech_prefix = "77#".into();
        stored.sip_code = Some(200);
        let bytes = postcard::to_stdvec(&stored).unwrap();
        let whole = CdrRow::decode(&bytes).unwrap();
        let key = CdrKey {
            customer: 1,
            start: 1_795_737_609,
            seq: 3,
        };
        let utc = TimeZone::UTC;
        let mut shown = 0;
        for col in CdrColumn::ALL.iter().copied() {
            let head = [Head {
                col,
                label: label(col),
                num: is_number(col),
                wrap: false,
            }];
            let write = |row: &CdrRow<'_>| {
                let mut rows = CdrRows::new(&head, &utc, "USD", 2);
                rows.push(key, row);
                rows.html
            };
            let part = CdrRow::decode_texts(&bytes, text_of(col)).unwrap();
            let cell = write(&whole);
            assert_eq!(write(&part), cell, "{col:?}");
            assert_ne!(
                cell, "\n<tr><td></td></tr>",
                "{col:?} shows something of the sample"
            );
            shown += 1;
        }
        assert!(shown >= 20, "every column was tried ({shown})");
        // And a row read without any text shows none.
        let bare = CdrRow::decode_texts(&bytes, Texts::NONE).unwrap();
        assert_eq!((bare.call_id, bare.destination), ("", ""));
    }
}

//! The report pages (calls, breakout, rates) through the router, with CDRs put in the store by
//! the real import (generic CSV → parse → rate → store).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use axum::http::{StatusCode, header};
use portico_protocol::{
    Access, BreakoutColumn, CdrColumn, CdrImportChunk, CustomerKind, CustomerPatch, Domain, Section,
};

use super::Portal;
use super::tests::{Brands, add_account, header_of, log_in, send, source};
use crate::admin::ops;
use crate::ingest::import::import_chunk;
use crate::ingest::pipeline::Ingest;
use crate::store::DomainRecord;

const HOST: &str = "alpha.example";
/// 2026-11-02T00:00:00Z, a Monday; the test calls are in the days after it.
const T0: i64 = 1_793_577_600;

const RATES: &str = "prefix,name,rate,connect_fee,first_increment,next_increment,effective_from\n\
                     44,United Kingdom,0.0120,0,1,1,2026-01-01\n\
                     447,United Kingdom - Mobile,0.0600,0.0100,30,6,2026-01-01\n\
                     447,United Kingdom - Mobile (next year),0.0900,0,30,6,2030-01-01\n\
                     49,Germany,0.0125,0,60,60,2026-01-01\n";

/// One logged-in account of the test brand.
struct Login {
    id: u64,
    jar: Vec<(String, String)>,
}

struct World {
    brands: Brands,
    portal: Portal,
    pat: Login,
    kim: Login,
}

fn change_domain(brands: &Brands, f: impl FnOnce(&mut Domain)) {
    brands
        .store
        .write(|tx| {
            let mut record = tx.domain(HOST)?.unwrap();
            f(&mut record.domain);
            tx.put_domain(&DomainRecord {
                domain: record.domain,
                smtp_password: record.smtp_password,
            })
        })
        .unwrap();
}

fn set_customer(brands: &Brands, id: u64, patch: CustomerPatch) {
    brands
        .store
        .write(|tx| ops::customer::set(tx, id, patch).map(|_| ()))
        .unwrap();
}

/// Two customers of alpha.example: pat (account code 1001, a route to "Retail") and kim
/// (account code 2002, no route). Every report section is visible.
async fn world() -> World {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    change_domain(&brands, |d| {
        d.access = vec![Section::Cdr, Section::Breakout, Section::RateCards];
    });
    let pat = add_account(&brands.store, HOST, "pat@alpha.example", vec![]);
    let kim = add_account(&brands.store, HOST, "kim@alpha.example", vec![]);
    for (id, code) in [(pat, "1001"), (kim, "2002")] {
        set_customer(
            &brands,
            id,
            CustomerPatch {
                account_codes: Some(vec![code.into()]),
                ..Default::default()
            },
        );
    }
    brands
        .store
        .write(|tx| {
            ops::ratecard::import(tx, T0, "Retail", "USD", RATES, false)?;
            ops::ratecard::route_add(tx, pat, "Retail", "")?;
            Ok::<_, portico_protocol::AdminError>(())
        })
        .unwrap();
    let (_, pat_jar, _) = log_in(&brands, &portal, HOST, "pat@alpha.example").await;
    let (_, kim_jar, _) = log_in(&brands, &portal, HOST, "kim@alpha.example").await;
    World {
        brands,
        portal,
        pat: Login {
            id: pat,
            jar: pat_jar,
        },
        kim: Login {
            id: kim,
            jar: kim_jar,
        },
    }
}

/// A call for the generic CSV import.
struct Call<'a> {
    id: String,
    code: &'a str,
    src: &'a str,
    dst: &'a str,
    start: i64,
    billsec: u32,
}

fn call<'a>(
    id: impl Into<String>,
    code: &'a str,
    dst: &'a str,
    start: i64,
    billsec: u32,
) -> Call<'a> {
    Call {
        id: id.into(),
        code,
        src: "15550001111",
        dst,
        start,
        billsec,
    }
}

/// Imports calls through the real import (generic CSV), as `portico cdr import` does.
fn import(brands: &Brands, calls: &[Call<'_>]) {
    let mut wtr = csv::Writer::from_writer(Vec::new());
    wtr.write_record([
        "call_id",
        "account_code",
        "source_number",
        "destination",
        "start",
        "answer",
        "billsec",
        "answered",
    ])
    .unwrap();
    for c in calls {
        wtr.write_record([
            c.id.as_str(),
            c.code,
            c.src,
            c.dst,
            &c.start.to_string(),
            &if c.billsec > 0 {
                (c.start + 5).to_string()
            } else {
                String::new()
            },
            &c.billsec.to_string(),
            if c.billsec > 0 { "1" } else { "0" },
        ])
        .unwrap();
    }
    let data = wtr.into_inner().unwrap();
    let report = import_chunk(
        &Ingest::new(brands.store.clone()),
        CdrImportChunk {
            format: "generic-csv".into(),
            source: "test.csv".into(),
            first_line: 1,
            data: portico_protocol::Blob(data),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(report.quarantined.is_empty(), "{:?}", report.quarantined);
    assert_eq!(report.imported, calls.len() as u64);
}

async fn get(
    w: &World,
    who: &Login,
    path: &str,
) -> (axum::http::Response<axum::body::Body>, String) {
    send(&w.brands, &w.portal, "GET", HOST, path, &who.jar, None).await
}

/// The `data-column` names of the table's header, in order.
fn header_columns(page: &str) -> Vec<String> {
    page.split("data-column=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

/// The text of each body row's cells.
fn body_rows(page: &str) -> Vec<Vec<String>> {
    let Some(start) = page.find("<tbody>") else {
        return Vec::new();
    };
    let body = &page[start..page[start..].find("</tbody>").unwrap() + start];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let open = cell.find('>').unwrap() + 1;
                    cell[open..cell.find("</td>").unwrap()].to_owned()
                })
                .collect()
        })
        .collect()
}

/// The `href` of the element with `id`, unescaped.
fn href_of(page: &str, id: &str) -> Option<String> {
    let at = page.find(&format!("id=\"{id}\""))?;
    let tag_start = page[..at].rfind('<')?;
    let tag = &page[tag_start..at + page[at..].find('>')?];
    let h = tag.find("href=\"")? + 6;
    Some(
        tag[h..h + tag[h..].find('"')?]
            .replace("&#38;", "&")
            .replace("&amp;", "&"),
    )
}

fn csv_rows(body: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

fn csv_header(body: &str) -> Vec<String> {
    body.lines()
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect()
}

const NOV: &str = "from=2026-11-01&to=2026-11-30";

#[tokio::test]
async fn cdr_columns_are_the_domains_in_its_order_and_carriers_get_theirs() {
    let w = world().await;
    let customer_cols = vec![
        CdrColumn::Destination,
        CdrColumn::Charge,
        CdrColumn::CallTime,
        CdrColumn::SipCode,
        CdrColumn::CallId,
    ];
    let carrier_cols = vec![
        CdrColumn::CallId,
        CdrColumn::TechPrefix,
        CdrColumn::BilledDuration,
        CdrColumn::Rate,
        CdrColumn::SourceNumber,
        CdrColumn::ReleaseReason,
    ];
    change_domain(&w.brands, |d| {
        d.cdr_columns = customer_cols.clone();
        d.carrier_cdr_columns = carrier_cols.clone();
    });
    import(
        &w.brands,
        &[call("c1", "1001", "447700900123", T0 + 3_600, 61)],
    );
    let names = |cols: &[CdrColumn]| -> Vec<String> {
        cols.iter().map(|c| c.as_str().to_owned()).collect()
    };

    let (response, page) = get(&w, &w.pat, &format!("/cdr?{NOV}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    assert_eq!(header_columns(&page), names(&customer_cols));
    assert!(
        page.contains(">To</th>") && page.contains(">Call ID</th>"),
        "{page}"
    );
    let rows = body_rows(&page);
    assert_eq!(rows.len(), 1);
    // Destination, charge (0.066 + 0.01 = $0.076 → 0.08 on screen), time, no SIP code, id.
    assert_eq!(
        rows[0],
        ["447700900123", "0.08", "2026-11-02 01:00:00", "", "c1"]
    );
    // Charge and SIP code are numbers, aligned by position; nothing wraps.
    assert!(
        page.contains("id=\"cdr-table\" data-num=\"2 4\" data-wrap=\"\">"),
        "{page}"
    );
    let (response, body) = get(&w, &w.pat, &format!("/cdr.csv?{NOV}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(csv_header(&body), names(&customer_cols));

    set_customer(
        &w.brands,
        w.pat.id,
        CustomerPatch {
            kind: Some(CustomerKind::Carrier),
            ..Default::default()
        },
    );
    let (_, page) = get(&w, &w.pat, &format!("/cdr?{NOV}")).await;
    assert_eq!(header_columns(&page), names(&carrier_cols));
    assert!(
        page.contains("id=\"cdr-table\" data-num=\"3 4\" data-wrap=\"6\">"),
        "{page}"
    );
    let (_, body) = get(&w, &w.pat, &format!("/cdr.csv?{NOV}")).await;
    assert_eq!(csv_header(&body), names(&carrier_cols));
    assert_eq!(
        csv_rows(&body)[0].iter().collect::<Vec<_>>(),
        ["c1", "", "66", "0.06", "15550001111", ""]
    );
}

/// 130 calls of pat over two days (every third one unanswered), 5 of kim in between.
fn many_calls() -> Vec<Call<'static>> {
    let mut calls: Vec<Call<'static>> = (0..130)
        .map(|i| {
            let dst = if i % 2 == 0 {
                "447700900123"
            } else {
                "4420712345"
            };
            call(
                format!("p{i:03}"),
                "1001",
                dst,
                T0 + i * 900,
                if i % 3 == 0 { 0 } else { 30 },
            )
        })
        .collect();
    // Several calls in the same second: paging must neither skip nor repeat any.
    for i in 0..4 {
        calls.push(call(
            format!("same{i}"),
            "1001",
            "4930123",
            T0 + 50 * 900,
            10,
        ));
    }
    for i in 0..5 {
        calls.push(call(
            format!("k{i}"),
            "2002",
            "447700900123",
            T0 + i * 1_800 + 7,
            20,
        ));
    }
    calls
}

/// The call ids of every page, following the "Older" links from `first`.
async fn walk(w: &World, who: &Login, first: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = Some(first.to_owned());
    let mut pages = 0;
    while let Some(path) = next {
        let (response, page) = get(w, who, &path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        ids.extend(body_rows(&page).into_iter().map(|r| r[0].clone()));
        next = href_of(&page, "cdr-older");
        if pages > 0 {
            assert!(href_of(&page, "cdr-newest").is_some(), "{path}");
        }
        pages += 1;
        assert!(pages < 20, "paging does not end");
    }
    ids
}

#[tokio::test]
async fn paging_and_filters_show_every_matching_call_once() {
    let w = world().await;
    change_domain(&w.brands, |d| {
        d.cdr_columns = vec![CdrColumn::CallId, CdrColumn::Destination, CdrColumn::Charge];
    });
    let calls = many_calls();
    import(&w.brands, &calls);
    let expect = |keep: &dyn Fn(&Call<'_>) -> bool| -> Vec<String> {
        let mut v: Vec<&Call<'_>> = calls
            .iter()
            .filter(|c| c.code == "1001" && keep(c))
            .collect();
        // Newest first; calls of the same second in the order they were stored, newest first.
        v.sort_by_key(|c| std::cmp::Reverse(c.start));
        v.iter().map(|c| c.id.clone()).collect()
    };

    let ids = walk(&w, &w.pat, &format!("/cdr?{NOV}")).await;
    let all = expect(&|_| true);
    assert_eq!(ids.len(), 134, "{ids:?}");
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "a call twice"
    );
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>(),
        all.iter().collect::<BTreeSet<_>>()
    );
    // Newest first across the page boundaries (ignoring the order inside one second).
    let start_of = |id: &String| calls.iter().find(|c| &c.id == id).unwrap().start;
    assert!(ids.windows(2).all(|p| start_of(&p[0]) >= start_of(&p[1])));

    let connected = walk(&w, &w.pat, &format!("/cdr?{NOV}&connected=1")).await;
    let expected: BTreeSet<String> = expect(&|c| c.billsec > 0).into_iter().collect();
    assert_eq!(connected.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(connected.len(), expected.len());

    let searched = walk(&w, &w.pat, &format!("/cdr?{NOV}&q=0712")).await;
    let expected: BTreeSet<String> = expect(&|c| c.dst.contains("0712")).into_iter().collect();
    assert_eq!(searched.iter().cloned().collect::<BTreeSet<_>>(), expected);
    // The search also looks at the source number.
    let by_source = walk(&w, &w.pat, &format!("/cdr?{NOV}&q=5550001")).await;
    assert_eq!(by_source.len(), 134);

    // A date range in the contact's zone: only the first day (UTC, no zone set).
    let first_day = walk(&w, &w.pat, "/cdr?from=2026-11-02&to=2026-11-02").await;
    let expected: BTreeSet<String> = expect(&|c| c.start < T0 + 86_400).into_iter().collect();
    assert_eq!(first_day.iter().cloned().collect::<BTreeSet<_>>(), expected);

    // Filters that match nothing say what to do.
    let (_, page) = get(&w, &w.pat, &format!("/cdr?{NOV}&q=999999")).await;
    assert!(page.contains("id=\"cdr-empty\""), "{page}");
    assert!(page.contains("Clear the number search"), "{page}");
    let (_, page) = get(&w, &w.pat, "/cdr?from=2025-01-01&to=2025-01-31").await;
    assert!(page.contains("Pick an earlier start date"), "{page}");
    // A bad date is explained, and the default range is shown.
    let (response, page) = get(&w, &w.pat, "/cdr?from=yesterday").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page.contains("is not a date like"), "{page}");
}

#[tokio::test]
async fn csv_is_the_whole_filtered_set_with_utc_times() {
    let w = world().await;
    change_domain(&w.brands, |d| {
        d.cdr_columns = vec![
            CdrColumn::CallId,
            CdrColumn::CallTime,
            CdrColumn::AnswerTime,
            CdrColumn::Charge,
        ];
    });
    // The contact reads times in New York; the download stays in UTC.
    w.brands
        .store
        .write(|tx| {
            let mut record = tx.contact_by_email("pat@alpha.example")?.unwrap();
            record.contact.time_zone = "America/New_York".into();
            tx.put_contact(&record)
        })
        .unwrap();
    // More than one export batch (1,000 rows).
    let calls: Vec<Call<'static>> = (0..1_150)
        .map(|i| {
            call(
                format!("x{i:04}"),
                "1001",
                "447700900123",
                T0 + 36_000 + i * 60,
                (i % 2) as u32 * 40,
            )
        })
        .chain((0..3).map(|i| call(format!("k{i}"), "2002", "447700900123", T0 + 40_000 + i, 40)))
        .collect();
    import(&w.brands, &calls);

    let (response, body) = get(&w, &w.pat, &format!("/cdr.csv?{NOV}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        header_of(&response, header::CONTENT_DISPOSITION),
        "attachment; filename=\"calls-2026-11-01-to-2026-11-30.csv\""
    );
    assert_eq!(
        csv_header(&body),
        ["call_id", "call_time", "answer_time", "charge"]
    );
    let rows = csv_rows(&body);
    assert_eq!(rows.len(), 1_150);
    let ids: BTreeSet<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids.len(), 1_150);
    assert!(
        ids.iter().all(|id| id.starts_with('x')),
        "another customer's call"
    );
    // The newest: x1149 at T0 + 36000 + 1149*60 = 2026-11-03T05:09:00Z, answered.
    let newest = &rows[0];
    assert_eq!(&newest[0], "x1149");
    assert_eq!(&newest[1], "2026-11-03T05:09:00Z");
    assert!(
        newest[2].ends_with('Z') && !newest[2].is_empty(),
        "{newest:?}"
    );
    // On screen the same call is in New York time (UTC-5 in November).
    let (_, page) = get(&w, &w.pat, &format!("/cdr?{NOV}")).await;
    let rows_on_screen = body_rows(&page);
    assert_eq!(rows_on_screen[0][0], "x1149");
    assert_eq!(rows_on_screen[0][1], "2026-11-03 00:09:00");
    assert!(page.contains("Times in America/New_York"), "{page}");
    // The page's link carries the same filters.
    assert_eq!(
        href_of(&page, "cdr-csv").unwrap(),
        "/cdr.csv?from=2026-11-01&to=2026-11-30"
    );

    // Filters apply to the download as to the page.
    let (_, body) = get(&w, &w.pat, &format!("/cdr.csv?{NOV}&connected=1")).await;
    let rows = csv_rows(&body);
    assert_eq!(rows.len(), 575);
    assert!(rows.iter().all(|r| !r[2].is_empty()));
    // Range ends are the contact's days: 2026-11-02 in New York ends at 2026-11-03T05:00Z.
    let (_, body) = get(&w, &w.pat, "/cdr.csv?from=2026-11-02&to=2026-11-02").await;
    let expected = calls
        .iter()
        .filter(|c| c.code == "1001" && c.start < 1_793_682_000 && c.start >= T0 + 5 * 3600)
        .count();
    assert_eq!(csv_rows(&body).len(), expected);
}

#[tokio::test]
async fn hidden_sections_answer_404_and_an_override_shows_one_customer() {
    let w = world().await;
    import(
        &w.brands,
        &[call("c1", "1001", "447700900123", T0 + 3_600, 61)],
    );
    change_domain(&w.brands, |d| d.access = vec![Section::Balance]);
    let paths = [
        "/cdr",
        "/cdr.csv",
        "/breakout",
        "/breakout.csv",
        "/rates",
        "/rates.csv",
    ];
    for path in paths {
        for who in [&w.pat, &w.kim] {
            let (response, body) = get(&w, who, &format!("{path}?{NOV}")).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert!(body.contains("Page not found"), "{path}: {body}");
            assert!(!body.contains("447700900123"), "{path}: {body}");
        }
    }
    let (_, dashboard) = get(&w, &w.pat, "/").await;
    assert!(!dashboard.contains("href=\"/cdr\""), "{dashboard}");

    w.brands
        .store
        .write(|tx| {
            ops::customer::set_override(tx, w.pat.id, Section::Cdr, Access::Show).map(|_| ())
        })
        .unwrap();
    for path in ["/cdr", "/cdr.csv"] {
        let (response, body) = get(&w, &w.pat, &format!("{path}?{NOV}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(body.contains("447700900123"), "{path}: {body}");
        let (response, _) = get(&w, &w.kim, &format!("{path}?{NOV}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "kim {path}");
    }
    let (_, dashboard) = get(&w, &w.pat, "/").await;
    assert!(dashboard.contains("href=\"/cdr\""), "{dashboard}");
    // The other report sections stay hidden for pat too.
    let (response, _) = get(&w, &w.pat, "/breakout.csv").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // A domain that shows the section, and an override that hides it for one customer.
    change_domain(&w.brands, |d| d.access = vec![Section::Cdr]);
    w.brands
        .store
        .write(|tx| {
            ops::customer::set_override(tx, w.kim.id, Section::Cdr, Access::Hide).map(|_| ())
        })
        .unwrap();
    let (response, _) = get(&w, &w.kim, "/cdr.csv").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (response, _) = get(&w, &w.pat, "/cdr.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    // Not logged in: the log-in page, not the data.
    let (response, _) = send(&w.brands, &w.portal, "GET", HOST, "/cdr.csv", &[], None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn another_customers_cursor_pages_only_through_ones_own_calls() {
    let w = world().await;
    change_domain(&w.brands, |d| d.cdr_columns = vec![CdrColumn::CallId]);
    // Interleaved calls of both customers, enough for several pages each.
    let calls: Vec<Call<'static>> = (0..240)
        .map(|i| {
            let code = if i % 2 == 0 { "1001" } else { "2002" };
            call(
                format!("{code}-{i:03}"),
                code,
                "447700900123",
                T0 + i * 60,
                30,
            )
        })
        .collect();
    import(&w.brands, &calls);
    // Kim's own second page.
    let (_, page) = get(&w, &w.kim, &format!("/cdr?{NOV}")).await;
    let kim_older = href_of(&page, "cdr-older").unwrap();
    assert!(kim_older.contains("before="), "{kim_older}");
    // Pat follows kim's link: pat's own calls below that position, never kim's.
    let (response, page) = get(&w, &w.pat, &kim_older).await;
    assert_eq!(response.status(), StatusCode::OK);
    let ids: Vec<String> = body_rows(&page).into_iter().map(|r| r[0].clone()).collect();
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| id.starts_with("1001-")), "{ids:?}");
    // Hand-made cursors: far in the future, far in the past, a huge sequence, garbage.
    for cursor in [
        "9999999999_0",
        "1_0",
        &format!("{}_{}", T0 + 100 * 60, u64::MAX),
        "-5_x",
        "abc",
    ] {
        let (response, page) = get(&w, &w.pat, &format!("/cdr?{NOV}&before={cursor}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{cursor}");
        for row in body_rows(&page) {
            assert!(row[0].starts_with("1001-"), "{cursor}: {row:?}");
        }
    }
    // Pat's whole history through pat's own links: exactly pat's 120 calls.
    let all = walk(&w, &w.pat, &format!("/cdr?{NOV}")).await;
    assert_eq!(all.len(), 120);
    assert!(all.iter().all(|id| id.starts_with("1001-")));
    // And kim's CSV is kim's alone.
    let (_, body) = get(&w, &w.kim, &format!("/cdr.csv?{NOV}")).await;
    let rows = csv_rows(&body);
    assert_eq!(rows.len(), 120);
    assert!(rows.iter().all(|r| r[0].starts_with("2002-")));
}

#[tokio::test]
async fn html_in_cdr_fields_is_escaped_and_formula_cells_neutralised() {
    let w = world().await;
    change_domain(&w.brands, |d| {
        d.cdr_columns = vec![
            CdrColumn::CallId,
            CdrColumn::SourceNumber,
            CdrColumn::Destination,
        ];
    });
    let mut evil = call(
        "evil<b>1</b>",
        "1001",
        "=HYPERLINK(\"http://x.example\",\"y\")",
        T0 + 60,
        10,
    );
    evil.src = "<script>alert(1)</script>";
    let mut phone = call("@SUM(A1)", "1001", "+442071234567", T0 + 120, 10);
    phone.src = "-1+cmd|' /C calc'!A0";
    import(&w.brands, &[evil, phone]);

    let (_, page) = get(&w, &w.pat, &format!("/cdr?{NOV}")).await;
    assert!(!page.contains("<script>alert(1)"), "{page}");
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{page}"
    );
    assert!(page.contains("evil&#60;b&#62;1&#60;/b&#62;"), "{page}");
    assert!(!page.contains("<b>1</b>"), "{page}");

    let (_, body) = get(&w, &w.pat, &format!("/cdr.csv?{NOV}")).await;
    let rows = csv_rows(&body);
    let cells: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().collect()).collect();
    assert_eq!(
        cells,
        [
            vec!["'@SUM(A1)", "'-1+cmd|' /C calc'!A0", "+442071234567"],
            vec![
                "evil<b>1</b>",
                "<script>alert(1)</script>",
                "'=HYPERLINK(\"http://x.example\",\"y\")"
            ],
        ]
    );
}

#[tokio::test]
async fn breakout_has_the_domains_columns_per_day_grouping_and_totals() {
    let w = world().await;
    change_domain(&w.brands, |d| {
        d.breakout_columns = vec![
            BreakoutColumn::DestinationName,
            BreakoutColumn::Charge,
            BreakoutColumn::Attempts,
            BreakoutColumn::Connected,
        ];
        d.carrier_breakout_columns = vec![
            BreakoutColumn::CallTime,
            BreakoutColumn::DestinationName,
            BreakoutColumn::Duration,
            BreakoutColumn::Asr,
        ];
    });
    import(
        &w.brands,
        &[
            call("a", "1001", "447700900123", T0 + 3_600, 61), // mobile 66 s: 0.076
            call("b", "1001", "447700900124", T0 + 86_400 + 10, 0), // mobile, not answered
            call("c", "1001", "442071234567", T0 + 86_400 + 20, 120), // UK 120 s: 0.024
            call("k", "2002", "442071234567", T0 + 30, 120),   // kim's
        ],
    );
    let (response, page) = get(&w, &w.pat, &format!("/breakout?{NOV}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    assert_eq!(
        header_columns(&page),
        ["destination_name", "charge", "attempts", "connected"]
    );
    assert_eq!(
        body_rows(&page),
        [
            vec!["United Kingdom - Mobile", "0.08", "2", "1"],
            vec!["United Kingdom", "0.02", "1", "1"],
        ]
    );
    let total = &page[page.find("id=\"breakout-total\"").unwrap()..];
    assert!(
        total.starts_with("id=\"breakout-total\"><td>Total</td><td>0.10</td><td>3</td><td>2</td>"),
        "{total}"
    );
    // The table names its numeric columns and its wrapping one once, by position.
    assert!(
        page.contains("id=\"breakout-table\" data-num=\"2 3 4\" data-wrap=\"1\">"),
        "{page}"
    );
    let (response, body) = get(&w, &w.pat, &format!("/breakout.csv?{NOV}")).await;
    assert_eq!(
        header_of(&response, header::CONTENT_DISPOSITION),
        "attachment; filename=\"breakout-2026-11-01-to-2026-11-30.csv\""
    );
    assert_eq!(
        body,
        "destination_name,charge,attempts,connected\n\
         United Kingdom - Mobile,0.076,2,1\n\
         United Kingdom,0.024,1,1\n"
    );

    // Ticking "per day" adds the day in front.
    let (_, page) = get(&w, &w.pat, &format!("/breakout?{NOV}&per_day=1")).await;
    assert_eq!(
        header_columns(&page),
        [
            "call_time",
            "destination_name",
            "charge",
            "attempts",
            "connected"
        ]
    );
    assert_eq!(body_rows(&page).len(), 3);
    assert_eq!(body_rows(&page)[0][0], "2026-11-03");
    let (_, body) = get(&w, &w.pat, &format!("/breakout.csv?{NOV}&per_day=1")).await;
    assert!(
        body.starts_with("call_time,destination_name,charge,attempts,connected\n2026-11-03,"),
        "{body}"
    );

    // Carriers get their list; call_time among the columns groups by day.
    set_customer(
        &w.brands,
        w.pat.id,
        CustomerPatch {
            kind: Some(CustomerKind::Carrier),
            ..Default::default()
        },
    );
    let (_, page) = get(&w, &w.pat, &format!("/breakout?{NOV}")).await;
    assert_eq!(
        header_columns(&page),
        ["call_time", "destination_name", "duration", "asr"]
    );
    assert!(
        !page.contains("id=\"per_day\""),
        "the grouping is the domain's: {page}"
    );
    assert_eq!(
        body_rows(&page),
        [
            vec!["2026-11-03", "United Kingdom", "2.00", "100.0"],
            vec!["2026-11-03", "United Kingdom - Mobile", "0.00", "0.0"],
            vec!["2026-11-02", "United Kingdom - Mobile", "1.02", "100.0"],
        ]
    );
    let (_, body) = get(&w, &w.pat, &format!("/breakout.csv?{NOV}")).await;
    assert_eq!(
        csv_header(&body),
        ["call_time", "destination_name", "duration", "asr"]
    );
    assert_eq!(csv_rows(&body).len(), 3);
    // An empty range says what to do.
    let (_, page) = get(&w, &w.pat, "/breakout?from=2025-01-01&to=2025-01-02").await;
    assert!(page.contains("id=\"breakout-empty\""), "{page}");
}

#[tokio::test]
async fn rates_show_the_accounts_routes_and_current_rates_only() {
    let w = world().await;
    let (response, page) = get(&w, &w.pat, "/rates").await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    assert!(page.contains("Retail"), "{page}");
    let rows = body_rows(&page);
    // The 2030 rate is not in effect yet; a column has one number of decimals.
    assert_eq!(
        rows,
        [
            vec![
                "44",
                "United Kingdom",
                "0.0120",
                "0.00",
                "1/1",
                "2026-01-01"
            ],
            vec![
                "447",
                "United Kingdom - Mobile",
                "0.0600",
                "0.01",
                "30/6",
                "2026-01-01"
            ],
            vec!["49", "Germany", "0.0125", "0.00", "60/60", "2026-01-01"],
        ]
    );
    // A dialled number finds the prefixes that would price it; text finds names.
    let (_, page) = get(&w, &w.pat, "/rates?q=%2B447700900123").await;
    let prefixes: Vec<String> = body_rows(&page).into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(prefixes, ["44", "447"]);
    let (_, page) = get(&w, &w.pat, "/rates?q=germ").await;
    assert_eq!(body_rows(&page).len(), 1);
    assert_eq!(href_of(&page, "rates-csv").unwrap(), "/rates.csv?q=germ");

    let (response, body) = get(&w, &w.pat, "/rates.csv").await;
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        body,
        "ratecard,tech_prefix,prefix,name,rate_per_min,connect_fee,first_increment,next_increment,effective_from,currency\n\
         Retail,,44,United Kingdom,0.012,0.00,1,1,2026-01-01T00:00:00Z,USD\n\
         Retail,,447,United Kingdom - Mobile,0.06,0.01,30,6,2026-01-01T00:00:00Z,USD\n\
         Retail,,49,Germany,0.0125,0.00,60,60,2026-01-01T00:00:00Z,USD\n"
    );
    let (_, body) = get(&w, &w.pat, "/rates.csv?q=germ").await;
    assert_eq!(body.lines().count(), 2);

    // Kim has no route: no card of anyone else's, and a notice of what to do.
    let (_, page) = get(&w, &w.kim, "/rates").await;
    assert!(!page.contains("Retail"), "{page}");
    assert!(
        page.contains("No rate card is assigned to your account yet"),
        "{page}"
    );
    let (_, body) = get(&w, &w.kim, "/rates.csv").await;
    assert_eq!(body.lines().count(), 1);
}

/// A card of the dashboard (`Today`, `This month`): its charge and its number of calls.
fn period_card(page: &str, title: &str) -> (String, String) {
    let card = page
        .split(&format!("aria-label=\"{title}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {title} card: {page}"));
    let between = |from: &str, to: &str| {
        let rest = &card[card.find(from).unwrap() + from.len()..];
        rest[..rest.find(to).unwrap()].trim().to_owned()
    };
    (
        between("<p class=\"stat-value num\">", "</p>"),
        between("<dt>Calls</dt><dd class=\"num\">", "</dd>"),
    )
}

#[tokio::test]
async fn dashboard_sums_today_and_this_month_of_the_customer_only() {
    let w = world().await;
    change_domain(&w.brands, |d| d.access = vec![Section::Summary]);
    let now = crate::admin::service::now();
    let today = now - now.rem_euclid(86_400);
    let month = {
        let t = time::OffsetDateTime::from_unix_timestamp(now).unwrap();
        t.date()
            .replace_day(1)
            .unwrap()
            .midnight()
            .assume_utc()
            .unix_timestamp()
    };
    // Germany: 0.0125 a minute in whole minutes.
    let calls = [
        call("today-1", "1001", "4930123", today, 90), // 2 min: 0.025
        call("today-2", "1001", "4930123", today + 1, 0), // not answered
        call("month-1", "1001", "4930123", month, 60), // 1 min: 0.0125
        call("before", "1001", "4930123", month - 3_600, 600), // last month
        call("kim", "2002", "4930123", today, 600),    // another customer
    ];
    import(&w.brands, &calls);
    let (response, page) = get(&w, &w.pat, "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    // On the first of a month, the month's first call is today's too.
    let (today_charge, today_calls) = if month == today {
        ("$0.04", "3")
    } else {
        ("$0.03", "2")
    };
    assert_eq!(
        period_card(&page, "Today"),
        (today_charge.to_owned(), today_calls.to_owned())
    );
    assert_eq!(
        period_card(&page, "This month"),
        ("$0.04".to_owned(), "3".to_owned())
    );
}

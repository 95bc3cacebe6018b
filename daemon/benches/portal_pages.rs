//! What the portal's logged-in pages cost to make, without the network: the demo brand seeded
//! into a fresh store, the demo contact logged in through the login form, then the dashboard and
//! the CDR page asked for many times through the portal's router (built once, as the daemon
//! builds it): session, store read, page. With the daemon's allocator and its logging at the
//! default level. Prints the time per page; asserts nothing about time. The HTTPS load of the same pages is
//! `tests/bench/portal_load.sh`.
//!
//! ```sh
//! cargo bench -p porticod --bench portal_pages -- [--pages 20000]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use porticod::portal::{Portal, router};
use porticod::store::Store;
use tower::ServiceExt;

/// The daemon's allocator, so that the figures are the daemon's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HOST: &str = "portal.localhost";

async fn get(portal: &Router, path: &str, cookie: &str) -> (StatusCode, Vec<String>, String) {
    let request = Request::get(path)
        .header(header::HOST, HOST)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    answer(portal, request).await
}

async fn answer(portal: &Router, request: Request<Body>) -> (StatusCode, Vec<String>, String) {
    let response = portal.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, cookies, String::from_utf8(body.to_vec()).unwrap())
}

/// Logs the demo contact in through the form; returns the Cookie header of the session.
async fn log_in(portal: &Router, password: &str) -> String {
    let (status, cookies, page) = get(portal, "/login", "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).expect("a CSRF field") + marker.len();
    let csrf = page[at..].split('"').next().unwrap();
    let form = format!(
        "email={}&password={}&csrf={csrf}",
        percent_encoding::utf8_percent_encode(
            porticod::demo::DEMO_EMAIL,
            percent_encoding::NON_ALPHANUMERIC
        ),
        percent_encoding::utf8_percent_encode(password, percent_encoding::NON_ALPHANUMERIC),
    );
    let request = Request::post("/login")
        .header(header::HOST, HOST)
        .header(header::COOKIE, cookies.join("; "))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, session, body) = answer(portal, request).await;
    assert!(status.is_redirection(), "the login failed: {status} {body}");
    let mut jar = cookies;
    jar.extend(session);
    jar.join("; ")
}

fn main() {
    let mut pages = 20_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--pages" {
            pages = args.next().and_then(|v| v.parse().ok()).expect("--pages N");
        }
    }
    // The daemon's logging, at its default level: what a request pays for logs is counted.
    let _log = porticod::reload::LogFilter::install("info");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("portico.redb")).unwrap();
    let seeded = porticod::demo::seed(&store).unwrap();
    let password = seeded.password.expect("the demo login");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let portal = router(Portal::new(store.clone()));
        let cookie = log_in(&portal, &password).await;
        println!("page        bytes   µs/page (median of 5 rounds of {pages})");
        for (name, path, expect) in [
            ("dashboard", "/", "Dashboard"),
            ("cdr", "/cdr", "cdr-table"),
        ] {
            let (status, _, body) = get(&portal, path, &cookie).await;
            assert_eq!(status, StatusCode::OK, "{name}: {body}");
            assert!(
                body.contains(expect),
                "{name} is not the logged-in page: {body}"
            );
            let mut rounds = Vec::new();
            for _ in 0..5 {
                let started = Instant::now();
                for _ in 0..pages {
                    // The page as the daemon hands it on: its body's bytes, not copied.
                    let request = Request::get(path)
                        .header(header::HOST, HOST)
                        .header(header::COOKIE, &cookie)
                        .body(Body::empty())
                        .unwrap();
                    let response = portal.clone().oneshot(request).await.unwrap();
                    assert_eq!(response.status(), StatusCode::OK);
                    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await;
                    std::hint::black_box(bytes.unwrap());
                }
                rounds.push(started.elapsed().as_secs_f64() * 1e6 / pages as f64);
            }
            rounds.sort_by(f64::total_cmp);
            println!("{name:<10} {:>6} {:>9.2}", body.len(), rounds[2]);
        }
    });
}

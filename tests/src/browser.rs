//! A real browser for the portal's end-to-end tests: Debian's headless `chromium`, driven through
//! `chromedriver`'s WebDriver with fantoccini.
//!
//! Every [`Browser`] runs its own `chromedriver` on a free loopback port and one chromium session
//! with a fresh profile in a temporary directory, so tests run in parallel without sharing
//! cookies or caches. The API is blocking (the browser has its own small tokio runtime), and every
//! call panics with what it tried and the browser's console when it fails: tests read like a
//! script of what a person does.
//!
//! ```no_run
//! use portico_tests::browser::{Browser, Viewport};
//! let b = Browser::start(Viewport::Phone);
//! b.open("http://brand.test:8080/");
//! assert_eq!(b.text(".site-footer-text"), "Call us");
//! b.screenshot("landing");
//! ```
//!
//! Names under `*.localhost` and `*.test` resolve to 127.0.0.1 inside the browser
//! (`--host-resolver-rules`), so a page is opened by its portal name and the port the daemon
//! listens on. Screenshots go to `<target>/portal-screenshots/<test name>/`, never into the source
//! tree.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use fantoccini::wd::{Capabilities, Locator, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::daemon::{free_port, wait_for_port};

/// How long chromedriver and the browser may take to come up.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long [`Browser::wait_for`] and friends wait by default.
pub const WAIT: Duration = Duration::from_secs(10);
/// Attempts when the picked chromedriver port was taken in the meantime.
const PORT_ATTEMPTS: u32 = 3;

/// Host patterns that resolve to 127.0.0.1 in the browser unless the builder says otherwise.
pub const DEFAULT_LOOPBACK_NAMES: &[&str] = &["*.localhost", "*.test"];

/// Overrides where screenshots are written.
pub const SCREENSHOT_DIR_ENV: &str = "PORTICO_SCREENSHOT_DIR";

/// Recorded in every page before its own scripts run (through the DevTools protocol, which the
/// page's CSP does not govern): CSP violations and uncaught errors, for [`Browser::csp_violations`]
/// and [`Browser::page_errors`].
const RECORDER_JS: &str = r#"
(() => {
  const v = [];
  const e = [];
  Object.defineProperty(window, '__porticoCsp', { value: v });
  Object.defineProperty(window, '__porticoErrors', { value: e });
  document.addEventListener('securitypolicyviolation', (ev) => {
    v.push({ directive: ev.effectiveDirective || ev.violatedDirective || '',
             blocked: ev.blockedURI || '', sample: ev.sample || '',
             source: ev.sourceFile || '' });
  }, true);
  window.addEventListener('error', (ev) => {
    e.push(String(ev.message || (ev.target && (ev.target.src || ev.target.href)) || 'error'));
  }, true);
})();
"#;

/// For [`Browser::low_contrast_text`].
const LOW_CONTRAST_JS: &str = r#"
const parse = (c) => {
  let m = c.match(/^rgba?\(([^)]*)\)/);
  if (m) {
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0] / 255, p[1] / 255, p[2] / 255, p.length > 3 ? p[3] : 1];
  }
  m = c.match(/^color\(srgb ([^)]*)\)/);
  if (m) {
    const p = m[1].split(/[\s\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  return null;
};
const over = (top, below) => {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat([1]);
};
const lum = (c) => {
  const f = (v) => (v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
};
const background = (el) => {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0) {
      layers.push(c);
      if (c[3] >= 1) break;
    }
  }
  let bg = [1, 1, 1, 1];
  for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
  return bg;
};
const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v * 255).toString(16).padStart(2, '0')).join('');
const out = [];
for (const el of document.body.querySelectorAll('*')) {
  const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.data).join('').trim();
  if (!text) continue;
  if (el.closest(':disabled, [aria-disabled=true]')) continue;
  const st = getComputedStyle(el);
  if (st.visibility !== 'visible' || st.display === 'none') continue;
  const r = el.getBoundingClientRect();
  if (r.width < 2 || r.height < 2 || r.bottom < 0 || r.right < 0) continue;
  if (st.clip === 'rect(0px, 0px, 0px, 0px)' || st.clipPath === 'inset(50%)') continue;
  const bg = background(el);
  const fg = parse(st.color);
  if (!fg) continue;
  const color = over(fg, bg);
  const [a, b] = [lum(color), lum(bg)];
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const size = parseFloat(st.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
  const need = large ? 3 : 4.5;
  if (ratio + 1e-6 < need) {
    const name = el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
    out.push(name + ' "' + text.slice(0, 40) + '": ' + ratio.toFixed(2) + ':1 < ' + need + ':1 (' + hex(color) + ' on ' + hex(bg) + ')');
  }
}
return out;
"#;

/// The window the page is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewport {
    /// A laptop: 1280 × 800 CSS pixels.
    Laptop,
    /// A phone: 375 × 812 CSS pixels, emulated as a mobile device (touch, the page's
    /// `<meta name="viewport">` is honoured, so a page without one lays out 980 px wide as on a
    /// real phone).
    Phone,
}

impl Viewport {
    /// Width in CSS pixels.
    pub fn width(self) -> u32 {
        match self {
            Viewport::Laptop => 1280,
            Viewport::Phone => 375,
        }
    }

    /// Height in CSS pixels.
    pub fn height(self) -> u32 {
        match self {
            Viewport::Laptop => 800,
            Viewport::Phone => 812,
        }
    }

    /// `laptop-1280` or `phone-375`, used in screenshot names.
    pub fn label(self) -> String {
        match self {
            Viewport::Laptop => format!("laptop-{}", self.width()),
            Viewport::Phone => format!("phone-{}", self.width()),
        }
    }

    /// Both, for tests that run at each size.
    pub const ALL: [Viewport; 2] = [Viewport::Laptop, Viewport::Phone];
}

/// How to start a browser.
#[derive(Debug, Clone)]
pub struct BrowserBuilder {
    viewport: Viewport,
    loopback_names: Vec<String>,
    accept_insecure_certs: bool,
    screenshot_dir: Option<PathBuf>,
}

impl BrowserBuilder {
    /// The window size (default: [`Viewport::Laptop`]).
    pub fn viewport(mut self, viewport: Viewport) -> Self {
        self.viewport = viewport;
        self
    }

    /// One more host pattern (e.g. `*.example`) that resolves to 127.0.0.1 in the browser.
    pub fn loopback_name(mut self, pattern: impl Into<String>) -> Self {
        self.loopback_names.push(pattern.into());
        self
    }

    /// Accept any TLS certificate (WebDriver's `acceptInsecureCerts`): for pages and scripts
    /// served over HTTPS by a certificate the browser does not trust, e.g. a self-signed test
    /// server. Off by default, so that a test of real certificates sees real errors.
    pub fn accept_insecure_certs(mut self) -> Self {
        self.accept_insecure_certs = true;
        self
    }

    /// Write screenshots into `dir` instead of `<target>/portal-screenshots/<test name>/`.
    pub fn screenshot_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.screenshot_dir = Some(dir.into());
        self
    }

    /// Starts chromedriver and a chromium session.
    ///
    /// # Panics
    /// When chromium or chromedriver is missing (with the command that installs them) or does not
    /// come up; the message holds chromedriver's log.
    pub fn start(self) -> Browser {
        let chromium = chromium_binary();
        let chromedriver = tool("chromedriver");
        let dir = tempfile::Builder::new()
            .prefix("portico-browser-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start a tokio runtime for the browser: {e}"));
        let screenshots = self.screenshot_dir.clone().unwrap_or_else(|| {
            screenshot_root().join(sanitize(
                std::thread::current().name().unwrap_or("unnamed-test"),
            ))
        });

        let mut last_error = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port();
            let log = dir.path().join("chromedriver.log");
            let mut driver = match Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .arg("--allowed-ips=127.0.0.1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
            {
                Ok(child) => child,
                Err(e) => panic!("cannot run {}: {e}", chromedriver.display()),
            };
            if let Err(e) = wait_for_port(&mut driver, port, "chromedriver", START_TIMEOUT) {
                let _ = driver.kill();
                let _ = driver.wait();
                last_error = format!("{e}\n{}", read_log(&log));
                continue;
            }
            let caps = self.capabilities(&chromium, dir.path());
            let connected = rt.block_on(async {
                let mut builder =
                    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
                builder.capabilities(caps);
                tokio::time::timeout(
                    START_TIMEOUT,
                    builder.connect(&format!("http://127.0.0.1:{port}")),
                )
                .await
            });
            let client = match connected {
                Ok(Ok(client)) => client,
                Ok(Err(e)) => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                    panic!(
                        "chromedriver could not start chromium ({}): {e}\n{}",
                        chromium.display(),
                        read_log(&log)
                    );
                }
                Err(_) => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                    panic!(
                        "chromium did not start within {START_TIMEOUT:?}\n{}",
                        read_log(&log)
                    );
                }
            };
            let browser = Browser {
                rt,
                client: Some(client),
                driver,
                dir,
                viewport: self.viewport,
                screenshots,
            };
            browser.setup();
            return browser;
        }
        panic!("chromedriver did not start: {last_error}");
    }

    fn capabilities(&self, chromium: &Path, dir: &Path) -> Capabilities {
        let rules = self
            .loopback_names
            .iter()
            .map(|p| format!("MAP {p} 127.0.0.1"))
            .collect::<Vec<_>>()
            .join(", ");
        let v = self.viewport;
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-extensions".into(),
            "--no-first-run".into(),
            "--no-default-browser-check".into(),
            "--no-proxy-server".into(),
            "--hide-scrollbars".into(),
            "--force-device-scale-factor=1".into(),
            format!("--user-data-dir={}", dir.join("profile").display()),
            format!("--host-resolver-rules={rules}"),
            format!("--window-size={},{}", v.width(), v.height()),
        ];
        args.sort_unstable();
        let mut chrome = json!({
            "binary": chromium,
            "args": args,
        });
        if v == Viewport::Phone {
            chrome["mobileEmulation"] = json!({
                "deviceMetrics": {
                    "width": v.width(),
                    "height": v.height(),
                    "pixelRatio": 1.0,
                    "mobile": true,
                    "touch": true,
                },
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 \
                              (KHTML, like Gecko) Chrome/148.0 Mobile Safari/537.36",
            });
        }
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), chrome);
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        caps.insert("pageLoadStrategy".into(), json!("normal"));
        caps.insert(
            "acceptInsecureCerts".into(),
            json!(self.accept_insecure_certs),
        );
        caps.insert(
            "timeouts".into(),
            json!({"implicit": 0, "pageLoad": 30_000, "script": 10_000}),
        );
        caps
    }
}

/// A running headless chromium with its own chromedriver and profile. Both are stopped when it is
/// dropped; when the test is panicking, the page's URL and console are printed first.
pub struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    dir: TempDir,
    viewport: Viewport,
    screenshots: PathBuf,
}

impl fmt::Debug for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Browser")
            .field("viewport", &self.viewport)
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

/// A cookie as the browser holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    pub name: String,
    pub value: String,
    /// The domain; a host-only cookie has the exact host here.
    pub domain: Option<String>,
    pub path: Option<String>,
    pub secure: bool,
    pub http_only: bool,
    /// `Strict`, `Lax` or `None`, as the browser reports it.
    pub same_site: Option<String>,
}

/// A line of the browser's console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleLine {
    /// `SEVERE`, `WARNING`, `INFO`, ...
    pub level: String,
    pub message: String,
}

/// The answer to [`Browser::fetch`].
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Fetched {
    /// The final status (after redirects).
    pub status: u16,
    /// The final URL.
    pub url: String,
    /// Whether a redirect was followed.
    pub redirected: bool,
    /// The headers the page may read (lower-case names; never `Set-Cookie`).
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Fetched {
    /// The header called `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A Content-Security-Policy violation the page reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspViolation {
    /// The directive that refused it, e.g. `script-src-elem`.
    pub directive: String,
    /// What was refused: a URL, `inline` or `eval`.
    pub blocked: String,
    /// The first characters of an inline script that was refused.
    pub sample: String,
}

impl Browser {
    /// A laptop or phone browser with the defaults.
    pub fn start(viewport: Viewport) -> Browser {
        Browser::builder().viewport(viewport).start()
    }

    /// A builder for other options.
    pub fn builder() -> BrowserBuilder {
        BrowserBuilder {
            viewport: Viewport::Laptop,
            loopback_names: DEFAULT_LOOPBACK_NAMES
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            accept_insecure_certs: false,
            screenshot_dir: None,
        }
    }

    /// The window this browser shows pages in.
    pub fn viewport(&self) -> Viewport {
        self.viewport
    }

    /// The fantoccini client, for what the helpers do not cover (use [`Browser::block_on`]).
    pub fn client(&self) -> &Client {
        match &self.client {
            Some(client) => client,
            None => unreachable!("the client is only taken when the browser is dropped"),
        }
    }

    /// Runs a future of the fantoccini client on the browser's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.rt.block_on(future)
    }

    fn setup(&self) {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": RECORDER_JS }),
        );
        // A phone lays out pages without a viewport meta tag 980 px wide, as real phones do:
        // measure on one that has it.
        self.open(
            "data:text/html,<meta name=viewport content='width=device-width,initial-scale=1'>",
        );
        let measure = "return [innerWidth, innerHeight, outerWidth, outerHeight]";
        let (mut w, mut h, outer_w, outer_h) = self.eval_as::<(u32, u32, u32, u32)>(measure);
        let (want_w, want_h) = (self.viewport.width(), self.viewport.height());
        if self.viewport == Viewport::Laptop && (w, h) != (want_w, want_h) {
            // --window-size is the outer size: make the inside the laptop's.
            let size = self.client().set_window_size(
                want_w + outer_w.saturating_sub(w),
                want_h + outer_h.saturating_sub(h),
            );
            if let Err(e) = self.rt.block_on(size) {
                self.fail("resizing the window", e);
            }
            (w, h, _, _) = self.eval_as::<(u32, u32, u32, u32)>(measure);
        }
        assert_eq!(
            (w, h),
            (want_w, want_h),
            "the browser's viewport is {w}x{h}, not {want_w}x{want_h}"
        );
    }

    fn fail(&self, what: &str, err: impl fmt::Display) -> ! {
        panic!("browser: {what}: {err}\n{}", self.report());
    }

    /// The current URL and the console so far, for failure messages.
    pub fn report(&self) -> String {
        let url = self
            .rt
            .block_on(self.client().current_url())
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("(unknown: {e})"));
        let console = self
            .try_console()
            .map(|lines| {
                lines
                    .iter()
                    .map(|l| format!("  {} {}", l.level, l.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_else(|e| format!("  (unavailable: {e})"));
        format!(
            "--- browser ({}) at {url} ---\n--- console ---\n{console}",
            self.viewport.label()
        )
    }

    // ------------------------------------------------------------------ navigation

    /// Opens `url` and waits until it has loaded.
    pub fn open(&self, url: &str) {
        if let Err(e) = self.rt.block_on(self.client().goto(url)) {
            self.fail(&format!("opening {url}"), e);
        }
    }

    /// Goes back one page in the history and waits for it.
    pub fn back(&self) {
        if let Err(e) = self.rt.block_on(self.client().back()) {
            self.fail("going back", e);
        }
    }

    /// Loads the page again.
    pub fn refresh(&self) {
        if let Err(e) = self.rt.block_on(self.client().refresh()) {
            self.fail("reloading the page", e);
        }
    }

    /// The current URL.
    pub fn url(&self) -> String {
        match self.rt.block_on(self.client().current_url()) {
            Ok(url) => url.to_string(),
            Err(e) => self.fail("reading the URL", e),
        }
    }

    /// The path (and query) of the current URL.
    pub fn path(&self) -> String {
        let url = self.eval_as::<String>("return location.pathname + location.search");
        if url.is_empty() { "/".into() } else { url }
    }

    /// The HTTP status of the page's main document (Navigation Timing's `responseStatus`).
    pub fn status(&self) -> u16 {
        self.eval_as::<u16>(
            "const n = performance.getEntriesByType('navigation')[0]; \
             return n ? n.responseStatus : 0",
        )
    }

    /// The document's title.
    pub fn title(&self) -> String {
        match self.rt.block_on(self.client().title()) {
            Ok(t) => t,
            Err(e) => self.fail("reading the title", e),
        }
    }

    /// The page's HTML as the browser has it now.
    pub fn source(&self) -> String {
        match self.rt.block_on(self.client().source()) {
            Ok(s) => s,
            Err(e) => self.fail("reading the page source", e),
        }
    }

    // ------------------------------------------------------------------ finding

    /// How many elements match `css`.
    pub fn count(&self, css: &str) -> usize {
        match self.rt.block_on(self.client().find_all(Locator::Css(css))) {
            Ok(all) => all.len(),
            Err(e) => self.fail(&format!("finding {css:?}"), e),
        }
    }

    /// Whether an element matches `css`.
    pub fn exists(&self, css: &str) -> bool {
        self.count(css) > 0
    }

    /// The first element that matches `css`, for fantoccini's own element API.
    pub fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.rt.block_on(self.client().find(Locator::Css(css))) {
            Ok(el) => el,
            Err(e) => self.fail(&format!("no element matches {css:?}"), e),
        }
    }

    /// Waits up to [`WAIT`] until an element matches `css`.
    pub fn wait_for(&self, css: &str) {
        self.wait_until(&format!("an element matching {css:?}"), || self.exists(css));
    }

    /// Polls `ready` until it is true.
    ///
    /// # Panics
    /// After [`WAIT`], naming `what`.
    pub fn wait_until(&self, what: &str, mut ready: impl FnMut() -> bool) {
        let deadline = Instant::now() + WAIT;
        loop {
            if ready() {
                return;
            }
            if Instant::now() >= deadline {
                self.fail("waiting", format!("{what} did not appear within {WAIT:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The rendered text of the first element matching `css` (what a person sees: hidden
    /// elements have none), trimmed.
    pub fn text(&self, css: &str) -> String {
        let el = self.find(css);
        match self.rt.block_on(el.text()) {
            Ok(t) => t.trim().to_string(),
            Err(e) => self.fail(&format!("reading the text of {css:?}"), e),
        }
    }

    /// The rendered text of every element matching `css`, in document order (e.g. a table's
    /// column headers: `texts("table thead th")`).
    pub fn texts(&self, css: &str) -> Vec<String> {
        let all = match self.rt.block_on(self.client().find_all(Locator::Css(css))) {
            Ok(all) => all,
            Err(e) => self.fail(&format!("finding {css:?}"), e),
        };
        all.iter()
            .map(|el| match self.rt.block_on(el.text()) {
                Ok(t) => t.trim().to_string(),
                Err(e) => self.fail(&format!("reading the text of {css:?}"), e),
            })
            .collect()
    }

    /// An attribute of the first element matching `css` (`None` when it has none).
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        let el = self.find(css);
        match self.rt.block_on(el.attr(name)) {
            Ok(v) => v,
            Err(e) => self.fail(&format!("reading {name} of {css:?}"), e),
        }
    }

    /// A DOM property of the first element matching `css`, as JSON (e.g. `naturalWidth`,
    /// `complete`, `value`).
    pub fn prop(&self, css: &str, name: &str) -> Value {
        self.eval_with(
            "const el = document.querySelector(arguments[0]); \
             if (!el) throw new Error('no element matches ' + arguments[0]); \
             const v = el[arguments[1]]; return v === undefined ? null : v",
            vec![json!(css), json!(name)],
        )
    }

    /// Whether the first element matching `css` is shown (WebDriver's "displayed").
    pub fn is_displayed(&self, css: &str) -> bool {
        let el = self.find(css);
        match self.rt.block_on(el.is_displayed()) {
            Ok(v) => v,
            Err(e) => self.fail(&format!("checking whether {css:?} is displayed"), e),
        }
    }

    /// The computed value of CSS `property` (e.g. `background-color`, `--portico-accent`) of
    /// the first element matching `css`, as `getComputedStyle` gives it (colours as
    /// `rgb(r, g, b)`), trimmed.
    pub fn computed_style(&self, css: &str, property: &str) -> String {
        self.eval_as::<String>(&format!(
            "const el = document.querySelector({}); \
             if (!el) throw new Error('no element matches the selector'); \
             return getComputedStyle(el).getPropertyValue({}).trim()",
            json!(css),
            json!(property)
        ))
    }

    /// The first matching element's box in CSS pixels of the page: (x, y, width, height).
    pub fn rect(&self, css: &str) -> (f64, f64, f64, f64) {
        self.eval_as::<(f64, f64, f64, f64)>(&format!(
            "const el = document.querySelector({}); \
             if (!el) throw new Error('no element matches the selector'); \
             const r = el.getBoundingClientRect(); \
             return [r.left + scrollX, r.top + scrollY, r.width, r.height]",
            json!(css)
        ))
    }

    // ------------------------------------------------------------------ acting

    /// Clicks the first element matching `css` (a real click: the element must be visible and
    /// not covered).
    pub fn click(&self, css: &str) {
        let el = self.find(css);
        if let Err(e) = self.rt.block_on(el.click()) {
            self.fail(&format!("clicking {css:?}"), e);
        }
    }

    /// Clears the field matching `css` and types `value` into it.
    pub fn fill(&self, css: &str, value: &str) {
        let el = self.find(css);
        let done = self.rt.block_on(async {
            el.clear().await?;
            el.send_keys(value).await
        });
        if let Err(e) = done {
            self.fail(&format!("typing into {css:?}"), e);
        }
    }

    /// Fills the fields of the form matching `form` by their `name` attributes, typing each
    /// value as a person would (checkboxes: `"on"` ticks, anything else unticks; selects: the
    /// option's value).
    pub fn fill_form(&self, form: &str, fields: &[(&str, &str)]) {
        for (name, value) in fields {
            let css = format!("{form} [name={}]", json!(name));
            let el = self.find(&css);
            let (tag, kind) = self.rt.block_on(async {
                let tag = el.tag_name().await.unwrap_or_default().to_lowercase();
                let kind = el.attr("type").await.ok().flatten().unwrap_or_default();
                (tag, kind.to_lowercase())
            });
            let done = self.rt.block_on(async {
                if tag == "select" {
                    el.select_by_value(value).await
                } else if kind == "checkbox" || kind == "radio" {
                    let want = *value == "on";
                    if el.is_selected().await? != want {
                        el.click().await?;
                    }
                    Ok(())
                } else {
                    el.clear().await?;
                    el.send_keys(value).await
                }
            });
            if let Err(e) = done {
                self.fail(&format!("filling {css}"), e);
            }
        }
    }

    /// Submits the form matching `form` by clicking its submit button (so that the browser sends
    /// what a person's click sends), then waits for the next page to load.
    pub fn submit(&self, form: &str) {
        let button = format!(
            "{form} button[type=submit], {form} input[type=submit], {form} button:not([type])"
        );
        let before = self.eval_as::<f64>("return performance.timeOrigin");
        self.click(&button);
        self.wait_until("the next page after submitting the form", || {
            self.try_eval(
                "return [performance.timeOrigin, document.readyState]",
                vec![],
            )
            .ok()
            .and_then(|v| serde_json::from_value::<(f64, String)>(v).ok())
            .is_some_and(|(origin, state)| origin != before && state == "complete")
        });
    }

    // ------------------------------------------------------------------ scripts

    /// Runs `script` (a function body: `return` gives the result) in the page.
    pub fn eval(&self, script: &str) -> Value {
        self.eval_with(script, vec![])
    }

    /// Runs `script` with `arguments[0..]` set to `args`.
    pub fn eval_with(&self, script: &str, args: Vec<Value>) -> Value {
        match self.try_eval(script, args) {
            Ok(v) => v,
            Err(e) => self.fail(&format!("running {script:?}"), e),
        }
    }

    /// Runs `script` and converts its result.
    pub fn eval_as<T: serde::de::DeserializeOwned>(&self, script: &str) -> T {
        let value = self.eval(script);
        serde_json::from_value(value.clone()).unwrap_or_else(|e| {
            self.fail(
                &format!("converting the result of {script:?}"),
                format!("{e}: {value}"),
            )
        })
    }

    fn try_eval(
        &self,
        script: &str,
        args: Vec<Value>,
    ) -> Result<Value, fantoccini::error::CmdError> {
        self.rt.block_on(self.client().execute(script, args))
    }

    /// Sends a DevTools protocol command through chromedriver and returns its result.
    pub fn cdp(&self, method: &str, params: Value) -> Value {
        let cmd = CdpCommand {
            method: method.into(),
            params,
        };
        match self.rt.block_on(self.client().issue_cmd(cmd)) {
            Ok(v) => v,
            Err(e) => self.fail(&format!("DevTools {method}"), e),
        }
    }

    /// Sends a request from the page with `fetch` (same origin, the browser's cookies, the
    /// page's `Origin`), following redirects: for what a person does not click, such as reading
    /// a CSV download, or posting a form without its CSRF token. `body` is `(content type,
    /// body)`, e.g. `("application/x-www-form-urlencoded", "name=x")`.
    pub fn fetch(&self, method: &str, path: &str, body: Option<(&str, &str)>) -> Fetched {
        let (ctype, body) = match body {
            Some((t, b)) => (json!(t), json!(b)),
            None => (Value::Null, Value::Null),
        };
        let script = "const [method, path, ctype, body, done] = arguments; \
             const init = { method, credentials: 'same-origin', headers: {} }; \
             if (body !== null) { init.body = body; init.headers['Content-Type'] = ctype; } \
             fetch(path, init).then(async (r) => done({ status: r.status, url: r.url, \
               redirected: r.redirected, headers: [...r.headers], body: await r.text() })) \
             .catch((e) => done({ error: String(e) }));";
        let args = vec![json!(method), json!(path), ctype, body];
        let value = match self.rt.block_on(self.client().execute_async(script, args)) {
            Ok(v) => v,
            Err(e) => self.fail(&format!("fetch {method} {path}"), e),
        };
        if let Some(error) = value["error"].as_str() {
            self.fail(&format!("fetch {method} {path}"), error);
        }
        serde_json::from_value(value.clone()).unwrap_or_else(|e| {
            self.fail(&format!("fetch {method} {path}"), format!("{e}: {value}"))
        })
    }

    // ------------------------------------------------------------------ what the page did

    /// The browser console since the last call (chromedriver hands each line out once).
    pub fn console(&self) -> Vec<ConsoleLine> {
        match self.try_console() {
            Ok(lines) => lines,
            Err(e) => self.fail("reading the console", e),
        }
    }

    fn try_console(&self) -> Result<Vec<ConsoleLine>, fantoccini::error::CmdError> {
        let value = self.rt.block_on(self.client().issue_cmd(BrowserLog))?;
        Ok(value
            .as_array()
            .map(|lines| {
                lines
                    .iter()
                    .map(|l| ConsoleLine {
                        level: l["level"].as_str().unwrap_or_default().to_string(),
                        message: l["message"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The Content-Security-Policy violations the current page reported so far.
    pub fn csp_violations(&self) -> Vec<CspViolation> {
        let list = self.eval("return window.__porticoCsp || []");
        list.as_array()
            .map(|all| {
                all.iter()
                    .map(|v| CspViolation {
                        directive: v["directive"].as_str().unwrap_or_default().to_string(),
                        blocked: v["blocked"].as_str().unwrap_or_default().to_string(),
                        sample: v["sample"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Uncaught script errors and failed resource loads of the current page so far.
    pub fn page_errors(&self) -> Vec<String> {
        self.eval_as::<Vec<String>>("return window.__porticoErrors || []")
    }

    /// Whether the page scrolls sideways: its content is wider than the viewport.
    pub fn has_horizontal_scroll(&self) -> bool {
        self.eval_as::<bool>(
            "const d = document.documentElement; \
             return d.scrollWidth > d.clientWidth || document.body.scrollWidth > d.clientWidth",
        )
    }

    /// The elements that stick out to the right of the viewport, as `tag.class (right edge)`,
    /// to say why a page scrolls sideways.
    pub fn overflowing_elements(&self) -> Vec<String> {
        self.eval_as::<Vec<String>>(
            "const w = document.documentElement.clientWidth; const out = []; \
             for (const el of document.querySelectorAll('body *')) { \
               const r = el.getBoundingClientRect(); \
               if (r.right > w + 0.5) out.push(el.tagName.toLowerCase() + \
                 (el.className && typeof el.className === 'string' ? '.' + \
                 el.className.trim().split(/\\s+/).join('.') : '') + ' (' + Math.round(r.right) + 'px)'); \
             } return out",
        )
    }

    /// Visible text whose contrast with what is behind it is below WCAG AA (4.5:1, or 3:1 for
    /// large text: 24 px, or 18.66 px bold), one line each: element, text, ratio and colours.
    /// Disabled controls are left out (WCAG exempts them); the background is the first opaque
    /// `background-color` up the tree, with translucent layers composited over it (background
    /// images are not looked at).
    pub fn low_contrast_text(&self) -> Vec<String> {
        self.eval_as::<Vec<String>>(LOW_CONTRAST_JS)
    }

    // ------------------------------------------------------------------ cookies

    /// The cookies the browser would send to the current page (HttpOnly ones included).
    pub fn cookies(&self) -> Vec<Cookie> {
        let all = match self.rt.block_on(self.client().get_all_cookies()) {
            Ok(all) => all,
            Err(e) => self.fail("reading the cookies", e),
        };
        all.iter()
            .map(|c| Cookie {
                name: c.name().to_string(),
                value: c.value().to_string(),
                domain: c.domain().map(str::to_string),
                path: c.path().map(str::to_string),
                secure: c.secure().unwrap_or(false),
                http_only: c.http_only().unwrap_or(false),
                same_site: c.same_site().map(|s| format!("{s:?}")),
            })
            .collect()
    }

    /// The cookie called `name`, if the browser has one for the current page.
    pub fn cookie(&self, name: &str) -> Option<Cookie> {
        self.cookies().into_iter().find(|c| c.name == name)
    }

    /// The browser's cookies for the current page as a `Cookie:` header value, to make requests
    /// outside the browser as the same session (e.g. with `wrk` or the tests' HTTP client).
    pub fn cookie_header(&self) -> String {
        self.cookies()
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Forgets every cookie of the current page's site.
    pub fn clear_cookies(&self) {
        if let Err(e) = self.rt.block_on(self.client().delete_all_cookies()) {
            self.fail("deleting the cookies", e);
        }
    }

    // ------------------------------------------------------------------ screenshots

    /// Where this browser writes screenshots.
    pub fn screenshot_dir(&self) -> &Path {
        &self.screenshots
    }

    /// A PNG of the whole page (not only the visible part) as
    /// `<screenshot dir>/<name>-<viewport>.png`; returns its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let (w, h) = self.eval_as::<(f64, f64)>(
            "const d = document.documentElement; \
             return [d.clientWidth, Math.max(d.scrollHeight, document.body.scrollHeight)]",
        );
        let shot = self.cdp(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": w, "height": h.min(16_000.0), "scale": 1 },
            }),
        );
        let data = shot["data"].as_str().unwrap_or_default();
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap_or_else(|e| self.fail("decoding the screenshot", e));
        self.write_screenshot(name, &png)
    }

    /// A PNG of what is visible in the window (WebDriver's screenshot); returns its path.
    pub fn screenshot_viewport(&self, name: &str) -> PathBuf {
        let png = match self.rt.block_on(self.client().screenshot()) {
            Ok(png) => png,
            Err(e) => self.fail("taking a screenshot", e),
        };
        self.write_screenshot(&format!("{name}-visible"), &png)
    }

    fn write_screenshot(&self, name: &str, png: &[u8]) -> PathBuf {
        if let Err(e) = std::fs::create_dir_all(&self.screenshots) {
            self.fail(&format!("creating {}", self.screenshots.display()), e);
        }
        let path =
            self.screenshots
                .join(format!("{}-{}.png", sanitize(name), self.viewport.label()));
        if let Err(e) = std::fs::write(&path, png) {
            self.fail(&format!("writing {}", path.display()), e);
        }
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if std::thread::panicking() && self.client.is_some() {
            eprintln!("{}", self.report());
        }
        if let Some(client) = self.client.take() {
            let _ = self.rt.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), client.close()).await
            });
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `POST /session/{id}/goog/cdp/execute`: a DevTools command through chromedriver.
#[derive(Debug)]
struct CdpCommand {
    method: String,
    params: Value,
}

impl WebDriverCompatibleCommand for CdpCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// `POST /session/{id}/se/log {"type":"browser"}`: chromedriver's console log.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// The chromium executable: Debian's real binary (not the `/usr/bin/chromium` shell wrapper)
/// when present.
fn chromium_binary() -> PathBuf {
    let debian = Path::new("/usr/lib/chromium/chromium");
    if debian.is_file() {
        return debian.to_path_buf();
    }
    tool("chromium")
}

/// chromium's or chromedriver's executable on the PATH.
///
/// # Panics
/// When it is not there, with the command that installs it.
fn tool(name: &str) -> PathBuf {
    let package = if name == "chromedriver" {
        "chromium-driver"
    } else {
        "chromium"
    };
    tool_or(name, package)
}

fn read_log(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(40).collect();
    format!(
        "--- chromedriver log (last lines) ---\n{}",
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    )
}

/// `<target>/portal-screenshots`: `$PORTICO_SCREENSHOT_DIR`, else beside the build output so
/// that CI keeps it with the other artifacts, never in the source tree.
pub fn screenshot_root() -> PathBuf {
    if let Some(dir) = std::env::var_os(SCREENSHOT_DIR_ENV) {
        return PathBuf::from(dir);
    }
    target_dir().join("portal-screenshots")
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` when absolute, else the directory above the
/// test executable that holds Cargo's `CACHEDIR.TAG`, else `target/<profile>/..`.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from)
        && dir.is_absolute()
    {
        return dir;
    }
    let exe = std::env::current_exe()
        .unwrap_or_else(|e| panic!("cannot find the test executable's path: {e}"));
    if let Some(dir) = exe
        .ancestors()
        .skip(1)
        .find(|d| d.join("CACHEDIR.TAG").is_file())
    {
        return dir.to_path_buf();
    }
    // target/<profile>/deps/<test>  →  target/
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("cannot find the target directory above {}", exe.display()))
}

/// A file name made of `name`: letters, digits, `-` and `_`; `::` becomes `-`.
fn sanitize(name: &str) -> String {
    let mut out: String = name
        .replace("::", "-")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    out.truncate(120);
    out
}

/// Python's HTTPS file server: serves `argv[1]` on 127.0.0.1, port 0, and prints the port.
const HTTPS_FILES_PY: &str = r#"
import functools, http.server, ssl, sys
root, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {'.js': 'text/javascript', '.css': 'text/css', '': 'application/octet-stream'}
    def log_message(self, fmt, *args):
        sys.stderr.write((fmt % args) + '\n')
        sys.stderr.flush()
server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
    functools.partial(Handler, directory=root))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// Files served over HTTPS on loopback with a self-signed certificate, standing in for a
/// brand's script CDN (`<script src="https://cdn.test:PORT/x.js">`). Any name that the browser
/// maps to 127.0.0.1 reaches it; the browser must be started with
/// [`BrowserBuilder::accept_insecure_certs`]. Needs Debian's `python3` and `openssl`; stopped when
/// dropped.
#[derive(Debug)]
pub struct HttpsFiles {
    dir: TempDir,
    port: u16,
    child: Child,
}

impl HttpsFiles {
    /// Starts the server with a certificate for `names`.
    ///
    /// # Panics
    /// When openssl or python3 is missing or the server does not start.
    pub fn start(names: &[&str]) -> HttpsFiles {
        let dir = tempfile::Builder::new()
            .prefix("portico-https-files-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
        let names: Vec<String> = names.iter().map(|n| format!("DNS:{n}")).collect();
        let (cert, key) = self_signed_cert(dir.path(), &names);
        let script = dir.path().join("https_files.py");
        std::fs::write(&script, HTTPS_FILES_PY)
            .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
        let log = dir.path().join("https_files.log");
        let log_file = File::create(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        let mut child = Command::new(python3())
            .arg(&script)
            .arg(&root)
            .arg(&cert)
            .arg(&key)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run python3: {e}"));
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
        }
        let Ok(port) = line.trim().parse::<u16>() else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the HTTPS file server did not start: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        HttpsFiles { dir, port, child }
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://{name}:{port}{path}`.
    pub fn url(&self, name: &str, path: &str) -> String {
        format!("https://{name}:{}{path}", self.port)
    }

    /// Serves `content` at `path` (e.g. `/brand.js`).
    pub fn put(&self, path: &str, content: &str) {
        let file = self
            .dir
            .path()
            .join("root")
            .join(path.trim_start_matches('/'));
        if let Some(parent) = file.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        std::fs::write(&file, content).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }

    /// The requests it answered so far, one line each (`"GET /x.js HTTP/1.1" 200 -`).
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("https_files.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for HttpsFiles {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes a self-signed ECDSA certificate for `subject_alt_names` (`DNS:name` or `IP:addr`) with
/// `openssl req`, valid two days, as `dir/cert.pem` and `dir/key.pem`; returns their paths.
///
/// # Panics
/// When openssl is missing or fails.
pub fn self_signed_cert(dir: &Path, subject_alt_names: &[String]) -> (PathBuf, PathBuf) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let out = Command::new(tool_or("openssl", "openssl"))
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=portico test"])
        .arg("-addext")
        .arg(format!("subjectAltName={}", subject_alt_names.join(",")))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl: {e}"));
    assert!(
        out.status.success(),
        "openssl could not make a certificate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

/// Debian's python3 (`/usr/bin/python3`): Debian's Python packages such as `python3-aiosmtpd`
/// are installed for it, not for another python3 earlier on the PATH (pyenv, a venv).
pub fn python3() -> PathBuf {
    let debian = Path::new("/usr/bin/python3");
    if debian.is_file() {
        debian.to_path_buf()
    } else {
        tool_or("python3", "python3")
    }
}

/// `name` on the PATH, or a panic that names the Debian package to install.
pub fn tool_or(name: &str, package: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("{name} is not installed: `apt-get install {package}` (./.ci/run installs it)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_file_names() {
        assert_eq!(sanitize("portal::brand shell"), "portal-brand_shell");
        assert_eq!(sanitize("a/b\\c"), "a_b_c");
    }

    #[test]
    fn viewports_are_a_laptop_and_a_phone() {
        assert_eq!(Viewport::Laptop.label(), "laptop-1280");
        assert_eq!(Viewport::Phone.label(), "phone-375");
    }
}

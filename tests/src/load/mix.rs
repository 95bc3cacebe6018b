//! The set-up and the mix itself.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use nix::sys::signal::Signal;
use rand::Rng;
use tokio::sync::RwLock;

use super::check::{self, Found};
use super::client::{self, CdrPoster, Visitor};
use super::fixtures::{Call, RATES};
use super::ledger::{Ledger, PendingFile, Via};
use super::stats::Stats;
use crate::Daemon;
use crate::cli::Cli;
use crate::daemon::free_port;

const INGEST_USER: &str = "freeswitch";
const INGEST_PASSWORD: &str = "soak-ingest-secret";

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long the mix runs.
    pub duration: Duration,
    /// Portal domains.
    pub domains: usize,
    /// Customers (spread over the domains), each with a login.
    pub customers: usize,
    /// CDRs imported before the mix starts.
    pub seed_cdrs: u64,
    /// Customers browsing the portals at the same time.
    pub visitors: usize,
    /// CDRs posted per second.
    pub posts_per_second: u32,
    /// A CSV import this often ...
    pub import_every: Duration,
    /// ... of this many lines.
    pub import_lines: u64,
    /// An admin CLI change this often.
    pub admin_every: Duration,
    /// RSS sample this often.
    pub rss_every: Duration,
    /// `kill -9` this many times, at random moments spread over the run.
    pub kills: u32,
    /// Print progress lines to stderr.
    pub verbose: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            duration: Duration::from_secs(600),
            domains: 3,
            customers: 30,
            seed_cdrs: 30_000,
            visitors: 6,
            posts_per_second: 20,
            import_every: Duration::from_secs(30),
            import_lines: 2_000,
            admin_every: Duration::from_secs(5),
            rss_every: Duration::from_secs(60),
            kills: 0,
            verbose: true,
        }
    }
}

/// How a run went.
#[derive(Debug)]
pub struct Outcome {
    /// The report: figures, RSS series, checks.
    pub report: String,
    /// Request errors (must be empty).
    pub errors: Vec<String>,
    /// Problems the checks found (must be empty).
    pub problems: Vec<String>,
    /// Kills done.
    pub kills: u32,
    /// Restarts after which the store reported a repair.
    pub repairs: u32,
    /// RSS samples: seconds since the start, KiB.
    pub rss: Vec<(u64, u64)>,
    /// The last check.
    pub last_check: Found,
}

struct Customer {
    id: u64,
    account: String,
    domain: String,
    email: String,
    password: String,
}

struct World {
    opts: Options,
    daemon: Mutex<Daemon>,
    cli: Cli,
    work: PathBuf,
    tls: tokio_rustls::TlsConnector,
    https_port: u16,
    ingest_port: u16,
    domains: Vec<String>,
    customers: Vec<Customer>,
    accounts: HashMap<String, u64>,
    ledger: Ledger,
    stats: Stats,
    /// Held (shared) by every operation; taken exclusively while the daemon is down after a kill.
    gate: RwLock<()>,
    /// Bumped at every kill.
    generation: AtomicU64,
    down: AtomicBool,
    started: Instant,
    deadline: Instant,
    next_call: AtomicU64,
    log: Mutex<String>,
}

impl World {
    fn say(&self, line: String) {
        let line = format!("[{:>4}s] {line}", self.started.elapsed().as_secs());
        if self.opts.verbose {
            eprintln!("{line}");
        }
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.push_str(&line);
        log.push('\n');
    }

    fn running(&self) -> bool {
        Instant::now() < self.deadline
    }

    fn pid(&self) -> Option<u32> {
        self.daemon.lock().unwrap_or_else(|e| e.into_inner()).pid()
    }

    /// Records the result of one operation started at generation `epoch`: an error while the
    /// daemon was being killed is an interruption, not an error.
    fn record(&self, kind: &'static str, epoch: u64, took: Duration, result: Result<()>) {
        match result {
            Ok(()) => self.stats.ok(kind, took),
            Err(_)
                if self.down.load(Ordering::SeqCst)
                    || self.generation.load(Ordering::SeqCst) != epoch =>
            {
                self.stats.interrupted(kind)
            }
            Err(e) => self.stats.error(kind, format!("{e:#}")),
        }
    }

    fn next_call(&self, series: char) -> Call {
        let n = self.next_call.fetch_add(1, Ordering::Relaxed);
        let c = &self.customers[(n as usize * 7 + 3) % self.customers.len()];
        Call::new(series, n, &c.account, unix_now())
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn config(ingest_port: u16) -> String {
    format!(
        r#"
data_dir = "{{dir}}"
[admin]
socket = "{{dir}}/admin.sock"
group = ""
[http]
listen = ["127.0.0.1:{{port}}"]
[tls]
mode = "local"
listen = ["127.0.0.1:{{https_port}}"]
check_interval_ms = 500
[ingest]
listen = ["127.0.0.1:{ingest_port}"]
username = "{INGEST_USER}"
password = "{INGEST_PASSWORD}"
"#
    )
}

fn cli_ok(cli: &Cli, args: &[&str]) -> Result<String> {
    let run = cli.run(args);
    if run.code != 0 {
        bail!("{run}");
    }
    Ok(run.stdout)
}

fn cli_json(cli: &Cli, args: &[&str]) -> Result<serde_json::Value> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = cli_ok(cli, &all)?;
    serde_json::from_str(&out).with_context(|| format!("not JSON: {out}"))
}

/// Starts the daemon and creates domains, customers, logins, payments and the seed CDRs.
fn set_up(opts: &Options) -> Result<World> {
    let ingest_port = free_port();
    let daemon = Daemon::builder().config(config(ingest_port)).start();
    let cli = daemon.cli();
    let work = daemon.dir().join("soak");
    std::fs::create_dir_all(&work)?;
    let rates = work.join("rates.csv");
    std::fs::write(&rates, RATES)?;
    let rates_arg = rates.to_str().ok_or_else(|| anyhow!("path not UTF-8"))?;
    cli_ok(
        &cli,
        &["ratecard", "import", "Soak", rates_arg, "--currency", "USD"],
    )?;
    let domains: Vec<String> = (0..opts.domains)
        .map(|i| format!("portal-{}.soak.test", (b'a' + i as u8) as char))
        .collect();
    for (i, fqdn) in domains.iter().enumerate() {
        let brand = format!("Soak Brand {i}");
        cli_ok(
            &cli,
            &[
                "domain",
                "add",
                fqdn,
                "--currencies",
                "USD",
                "--brand-name",
                &brand,
            ],
        )?;
    }
    for fqdn in &domains {
        crate::https::wait_status(&daemon, fqdn, "active", |s| {
            crate::https::state(s) == "active"
        });
    }
    let root = cli_ok(&cli, &["ca", "export"])?;
    let tls = client::tls_trusting(root.as_bytes())?;
    let mut customers = Vec::new();
    for i in 0..opts.customers {
        let account = format!("soak{i}");
        let domain = domains[i % domains.len()].clone();
        let c = cli_json(
            &cli,
            &[
                "customer",
                "add",
                "--name",
                &format!("Soak Customer {i}"),
                "--currency",
                "USD",
                "--account-codes",
                &account,
                "--domain",
                &domain,
            ],
        )?;
        let id = c["id"].as_u64().ok_or_else(|| anyhow!("no id in {c}"))?;
        let ids = id.to_string();
        cli_ok(&cli, &["route", "add", &ids, "Soak"])?;
        let email = format!("customer{i}@soak.test");
        let password = format!("Soak-password-{i}-correct-horse");
        cli_ok(
            &cli,
            &[
                "contact",
                "add",
                &ids,
                "--email",
                &email,
                "--name",
                "Soak Login",
                "--password",
                &password,
            ],
        )?;
        cli_ok(&cli, &["payment", "add", &ids, "100.00"])?;
        customers.push(Customer {
            id,
            account,
            domain,
            email,
            password,
        });
    }
    let accounts = customers
        .iter()
        .map(|c| (c.account.clone(), c.id))
        .collect();
    let https_port = daemon.https_port();
    let now = Instant::now();
    let world = World {
        opts: opts.clone(),
        daemon: Mutex::new(daemon),
        cli,
        work,
        tls,
        https_port,
        ingest_port,
        domains,
        customers,
        accounts,
        ledger: Ledger::default(),
        stats: Stats::default(),
        gate: RwLock::new(()),
        generation: AtomicU64::new(0),
        down: AtomicBool::new(false),
        started: now,
        deadline: now,
        next_call: AtomicU64::new(0),
        log: Mutex::new(String::new()),
    };
    // The seed: CDRs over the last six days, in one import.
    let seed: Vec<Call> = (0..opts.seed_cdrs).map(|_| world.next_call('s')).collect();
    let path = world.work.join("seed.csv");
    std::fs::write(
        &path,
        seed.iter().map(Call::asterisk_csv).collect::<String>(),
    )?;
    import_file(&world, &path, seed.len() as u64)?;
    for call in seed {
        world.ledger.acked(call);
    }
    Ok(world)
}

/// `portico cdr import` of `path`: every line stored now or before.
fn import_file(world: &World, path: &std::path::Path, lines: u64) -> Result<()> {
    let p = path.to_str().ok_or_else(|| anyhow!("path not UTF-8"))?;
    let report = cli_json(
        &world.cli,
        &["cdr", "import", "--format", "asterisk-csv", p],
    )?;
    let imported = report["imported"].as_u64().unwrap_or(0);
    let duplicates = report["duplicates"].as_u64().unwrap_or(0);
    let quarantined = report["quarantined"].as_array().map_or(0, Vec::len);
    if imported + duplicates != lines || quarantined != 0 {
        bail!("import of {p}: {report}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// the workers

async fn visitor(world: Arc<World>, n: usize) {
    let mut round = 0usize;
    while world.running() {
        let c = &world.customers[(n + round * world.opts.visitors) % world.customers.len()];
        round += 1;
        let mut v = Visitor::new(world.tls.clone(), &c.domain, world.https_port);
        // A failed step ends the visit; the step recorded it.
        let _ = visit(&world, &mut v, c, round).await;
        think(50).await;
    }
}

async fn think(mean_ms: u64) {
    let ms = rand::rng().random_range(0..=mean_ms * 2);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// One step of a visit: `GET path` expecting 200, recorded as `kind`.
async fn page(world: &World, v: &mut Visitor, kind: &'static str, path: &str) -> Result<String> {
    let _gate = world.gate.read().await;
    let epoch = world.generation.load(Ordering::SeqCst);
    let t = Instant::now();
    let result = v.get(path).await.and_then(|a| {
        if a.status != 200 {
            bail!(
                "GET {path}: status {} {}",
                a.status,
                a.body.chars().take(200).collect::<String>()
            );
        }
        if a.body.contains("type=\"password\"") && kind != "login_form" {
            bail!("GET {path}: the login form, not the page (session lost?)");
        }
        Ok(a.body)
    });
    let took = t.elapsed();
    let (rec, out) = match result {
        Ok(body) => (Ok(()), Ok(body)),
        Err(e) => (Err(anyhow!("{e:#}")), Err(e)),
    };
    world.record(kind, epoch, took, rec);
    out
}

async fn post(
    world: &World,
    v: &mut Visitor,
    kind: &'static str,
    path: &str,
    form: &[(&str, &str)],
    expect: &str,
) -> Result<()> {
    let _gate = world.gate.read().await;
    let epoch = world.generation.load(Ordering::SeqCst);
    let t = Instant::now();
    let result = v.post_form(path, form).await.and_then(|a| {
        if a.status != 303 || a.location.as_deref() != Some(expect) {
            bail!(
                "POST {path}: status {} to {:?}, expected 303 to {expect}: {}",
                a.status,
                a.location,
                a.body.chars().take(200).collect::<String>()
            );
        }
        Ok(())
    });
    let took = t.elapsed();
    let rec = result.as_ref().map(|_| ()).map_err(|e| anyhow!("{e:#}"));
    world.record(kind, epoch, took, rec);
    result
}

async fn visit(world: &World, v: &mut Visitor, c: &Customer, round: usize) -> Result<()> {
    let form = page(world, v, "login_form", "/login").await?;
    let csrf = client::hidden_input(&form, "csrf").ok_or_else(|| anyhow!("no csrf"))?;
    post(
        world,
        v,
        "login",
        "/login",
        &[
            ("email", &c.email),
            ("password", &c.password),
            ("csrf", &csrf),
        ],
        "/",
    )
    .await?;
    think(50).await;
    let home = page(world, v, "dashboard", "/").await?;
    think(50).await;
    let mut cdr = page(world, v, "cdr_page", "/cdr").await?;
    for _ in 0..3 {
        let Some(next) = client::href_of(&cdr, "cdr-older") else {
            break;
        };
        let next = if next.starts_with('/') {
            next
        } else {
            format!("/cdr{next}")
        };
        think(50).await;
        cdr = page(world, v, "cdr_next_page", &next).await?;
    }
    think(50).await;
    page(world, v, "breakout", "/breakout").await?;
    if round.is_multiple_of(4) {
        page(world, v, "cdr_csv", "/cdr.csv").await?;
    }
    let csrf = client::hidden_input(&home, "csrf").ok_or_else(|| anyhow!("no logout csrf"))?;
    post(world, v, "logout", "/logout", &[("csrf", &csrf)], "/login").await
}

async fn poster(world: Arc<World>, per_second: f64) {
    let mut p = CdrPoster::new(world.ingest_port, INGEST_USER, INGEST_PASSWORD);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while world.running() {
        tick.tick().await;
        let call = world.next_call('j');
        post_call(&world, &mut p, call, "ingest_post").await;
    }
}

/// Posts `call`; a 200 acknowledges it, anything else leaves it unknown.
async fn post_call(world: &World, p: &mut CdrPoster, call: Call, kind: &'static str) -> bool {
    let _gate = world.gate.read().await;
    let epoch = world.generation.load(Ordering::SeqCst);
    let t = Instant::now();
    let answer = p.post(&call.id, call.freeswitch_json()).await;
    let took = t.elapsed();
    match answer {
        Ok(a) if a.status == 200 => {
            world.ledger.acked(call);
            world.record(kind, epoch, took, Ok(()));
            true
        }
        Ok(a) => {
            world.ledger.unknown(call.clone(), Via::Post);
            world.record(
                kind,
                epoch,
                took,
                Err(anyhow!("POST {}: {} {}", call.id, a.status, a.body.trim())),
            );
            false
        }
        Err(e) => {
            world.ledger.unknown(call, Via::Post);
            world.record(kind, epoch, took, Err(e));
            false
        }
    }
}

async fn importer(world: Arc<World>) {
    let mut tick = tokio::time::interval(world.opts.import_every);
    tick.tick().await;
    let mut n = 0;
    while world.running() {
        tokio::select! {
            _ = tick.tick() => {}
            _ = tokio::time::sleep_until(world.deadline.into()) => return,
        }
        n += 1;
        let calls: Vec<Call> = (0..world.opts.import_lines)
            .map(|_| world.next_call('c'))
            .collect();
        let path = world.work.join(format!("import-{n}.csv"));
        if let Err(e) = std::fs::write(
            &path,
            calls.iter().map(Call::asterisk_csv).collect::<String>(),
        ) {
            world
                .stats
                .error("cli_cdr_import", format!("writing {}: {e}", path.display()));
            continue;
        }
        let _gate = world.gate.read().await;
        let epoch = world.generation.load(Ordering::SeqCst);
        let t = Instant::now();
        let w = world.clone();
        let (p, lines) = (path.clone(), calls.len() as u64);
        let result = tokio::task::spawn_blocking(move || import_file(&w, &p, lines))
            .await
            .map_err(|e| anyhow!("{e}"))
            .and_then(|r| r);
        let took = t.elapsed();
        match &result {
            Ok(()) => calls.into_iter().for_each(|c| world.ledger.acked(c)),
            Err(_) => world.ledger.unfinished(PendingFile { path, calls }),
        }
        world.record("cli_cdr_import", epoch, took, result);
    }
}

async fn admin(world: Arc<World>) {
    let mut tick = tokio::time::interval(world.opts.admin_every);
    let mut n = 0usize;
    while world.running() {
        tick.tick().await;
        n += 1;
        let c = &world.customers[n % world.customers.len()];
        let (kind, args): (&'static str, Vec<String>) = match n % 3 {
            0 => (
                "cli_customer_set",
                vec![
                    "customer".into(),
                    "set".into(),
                    c.id.to_string(),
                    "--debit-limit".into(),
                    format!("{}.50", n % 50),
                ],
            ),
            1 => (
                "cli_domain_set",
                vec![
                    "domain".into(),
                    "set".into(),
                    world.domains[n % world.domains.len()].clone(),
                    if n.is_multiple_of(2) {
                        "--hide"
                    } else {
                        "--show"
                    }
                    .into(),
                    "payments".into(),
                ],
            ),
            _ => (
                "cli_payment_add",
                vec![
                    "payment".into(),
                    "add".into(),
                    c.id.to_string(),
                    "1.25".into(),
                ],
            ),
        };
        let _gate = world.gate.read().await;
        let epoch = world.generation.load(Ordering::SeqCst);
        let t = Instant::now();
        let w = world.clone();
        let result = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            cli_ok(&w.cli, &args).map(|_| ())
        })
        .await
        .map_err(|e| anyhow!("{e}"))
        .and_then(|r| r);
        world.record(kind, epoch, t.elapsed(), result);
    }
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

async fn rss_sampler(world: Arc<World>, series: Arc<Mutex<Vec<(u64, u64)>>>) {
    let mut tick = tokio::time::interval(world.opts.rss_every);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = tokio::time::sleep_until(world.deadline.into()) => return,
        }
        let Some(kib) = world.pid().and_then(rss_kib) else {
            continue;
        };
        let at = world.started.elapsed().as_secs();
        series
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((at, kib));
        let snapshot = world.stats.snapshot();
        let done: usize = snapshot.values().map(|k| k.micros.len()).sum();
        world.say(format!(
            "RSS {:.1} MiB; {done} requests so far",
            kib as f64 / 1024.0
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// kill mode

/// Kills the daemon `kills` times at random moments, and after each restart checks the store.
async fn killer(world: Arc<World>, checks: Arc<Mutex<Vec<(Found, bool)>>>) {
    let kills = world.opts.kills;
    let slot = world.opts.duration.as_secs_f64() / f64::from(kills.max(1));
    for k in 0..kills {
        // Somewhere in the middle 80 % of this kill's slot of the run.
        let at = world.started
            + Duration::from_secs_f64(slot * (f64::from(k) + rand::rng().random_range(0.1..0.9)));
        tokio::time::sleep_until(at.into()).await;
        world.down.store(true, Ordering::SeqCst);
        world.generation.fetch_add(1, Ordering::SeqCst);
        let w = world.clone();
        let status = tokio::task::spawn_blocking(move || {
            w.daemon
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .stop_with(Signal::SIGKILL)
        })
        .await;
        let exclusive = world.gate.write().await;
        let w = world.clone();
        let restart = tokio::task::spawn_blocking(move || {
            let mut d = w.daemon.lock().unwrap_or_else(|e| e.into_inner());
            // The store logs "repairing" when redb has to walk the file after a crash.
            let repairs = |d: &Daemon| d.logs().matches("repairing").count();
            let before = repairs(&d);
            d.start_again();
            repairs(&d) > before
        })
        .await;
        world.down.store(false, Ordering::SeqCst);
        let repaired = match restart {
            Ok(r) => r,
            Err(e) => {
                world
                    .stats
                    .error("restart", format!("the daemon did not come back: {e}"));
                return;
            }
        };
        let (acked, unknown) = world.ledger.snapshot();
        let socket = world.cli.socket().to_path_buf();
        let found = check::check(&socket, &world.accounts, &acked, &unknown)
            .await
            .unwrap_or_else(|e| Found {
                problems: vec![format!("the check failed: {e:#}")],
                ..Found::default()
            });
        world.say(format!(
            "kill {} ({}): restarted{}; {} CDRs stored, {} acknowledged all there, {} unacknowledged made it, {} balances recomputed, {} problems",
            k + 1,
            status.map(|s| s.to_string()).unwrap_or_default(),
            if repaired { ", store REPAIRED" } else { ", store opened without repair" },
            found.stored,
            found.acked,
            found.unknown_stored,
            found.balances,
            found.problems.len()
        ));
        for p in found.problems.iter().take(10) {
            world.say(format!("  problem: {p}"));
        }
        checks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((found, repaired));
        // The retries take the gate like every other request.
        drop(exclusive);
        resend(&world).await;
    }
}

/// Sends again what got no answer (as FreeSWITCH retries, and as an admin re-runs an import),
/// and a few acknowledged posts, which must be answered as duplicates.
async fn resend(world: &World) {
    let (posts, files) = world.ledger.take_retries();
    let mut p = CdrPoster::new(world.ingest_port, INGEST_USER, INGEST_PASSWORD);
    for call in posts {
        post_call(world, &mut p, call, "ingest_retry").await;
    }
    for call in world.ledger.sample_acked(5) {
        let t = Instant::now();
        let answer = p.post(&call.id, call.freeswitch_json()).await;
        let result = match answer {
            Ok(a) if a.status == 200 && a.body.starts_with("duplicate") => Ok(()),
            Ok(a) => Err(anyhow!(
                "repost of acknowledged {}: {} {}",
                call.id,
                a.status,
                a.body.trim()
            )),
            Err(e) => Err(e),
        };
        world.record(
            "ingest_repost",
            world.generation.load(Ordering::SeqCst),
            t.elapsed(),
            result,
        );
    }
    for file in files {
        let t = Instant::now();
        let epoch = world.generation.load(Ordering::SeqCst);
        let lines = file.calls.len() as u64;
        let result = import_file(world, &file.path, lines);
        match &result {
            Ok(()) => file.calls.into_iter().for_each(|c| world.ledger.acked(c)),
            Err(_) => world.ledger.unfinished(file),
        }
        world.record("cli_reimport", epoch, t.elapsed(), result);
    }
}

// ---------------------------------------------------------------------------------------------

/// Sets up, runs the mix for `opts.duration` (with `opts.kills` kills), checks the store at the
/// end and returns the report.
pub fn run(opts: Options) -> Result<Outcome> {
    let setup_start = Instant::now();
    let mut world = set_up(&opts)?;
    let setup_took = setup_start.elapsed();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    world.started = Instant::now();
    world.deadline = world.started + opts.duration;
    let world = Arc::new(world);
    world.say(format!(
        "set up in {:.1} s: {} domains over HTTPS on 127.0.0.1:{}, {} customers, {} seed CDRs; ingest on 127.0.0.1:{}; data in {}",
        setup_took.as_secs_f64(),
        world.domains.len(),
        world.https_port,
        world.customers.len(),
        opts.seed_cdrs,
        world.ingest_port,
        world.work.display()
    ));
    let rss = Arc::new(Mutex::new(Vec::new()));
    let checks = Arc::new(Mutex::new(Vec::new()));
    if let Some(kib) = world.pid().and_then(rss_kib) {
        rss.lock().unwrap_or_else(|e| e.into_inner()).push((0, kib));
        world.say(format!("RSS {:.1} MiB at the start", kib as f64 / 1024.0));
    }
    let final_check = rt.block_on(async {
        let mut tasks = Vec::new();
        for n in 0..opts.visitors {
            tasks.push(tokio::spawn(visitor(world.clone(), n)));
        }
        let per_poster = f64::from(opts.posts_per_second.max(1)) / 2.0;
        for _ in 0..2 {
            tasks.push(tokio::spawn(poster(world.clone(), per_poster)));
        }
        tasks.push(tokio::spawn(importer(world.clone())));
        tasks.push(tokio::spawn(admin(world.clone())));
        tasks.push(tokio::spawn(rss_sampler(world.clone(), rss.clone())));
        if opts.kills > 0 {
            tasks.push(tokio::spawn(killer(world.clone(), checks.clone())));
        }
        for t in tasks {
            if let Err(e) = t.await {
                world
                    .stats
                    .error("driver", format!("a worker panicked: {e}"));
            }
        }
        resend(&world).await;
        let (acked, unknown) = world.ledger.snapshot();
        check::check(world.cli.socket(), &world.accounts, &acked, &unknown).await
    });
    let elapsed = world.started.elapsed();
    let last = final_check.unwrap_or_else(|e| Found {
        problems: vec![format!("the final check failed: {e:#}")],
        ..Found::default()
    });
    if let Some(kib) = world.pid().and_then(rss_kib) {
        rss.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((elapsed.as_secs(), kib));
    }
    let rss = rss.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let checks = checks.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let repairs = checks.iter().filter(|(_, r)| *r).count() as u32;
    let mut problems: Vec<String> = checks
        .iter()
        .enumerate()
        .flat_map(|(i, (f, _))| {
            f.problems
                .iter()
                .map(move |p| format!("after kill {}: {p}", i + 1))
        })
        .collect();
    problems.extend(last.problems.iter().map(|p| format!("at the end: {p}")));

    let mut report = String::new();
    let _ = writeln!(
        report,
        "soak: {:.0} s of mix, {} domains, {} customers, {} visitors, {} CDR posts/s, an import of {} lines every {} s, an admin change every {} s{}",
        elapsed.as_secs_f64(),
        opts.domains,
        opts.customers,
        opts.visitors,
        opts.posts_per_second,
        opts.import_lines,
        opts.import_every.as_secs(),
        opts.admin_every.as_secs(),
        if opts.kills > 0 {
            format!(", {} kill -9", checks.len())
        } else {
            String::new()
        }
    );
    report.push_str(&world.stats.table(elapsed));
    let _ = writeln!(report, "RSS of porticod (VmRSS):");
    for (at, kib) in &rss {
        let _ = writeln!(report, "  {:>5} s  {:>8.1} MiB", at, *kib as f64 / 1024.0);
    }
    let _ = writeln!(report, "{}", rss_verdict(&rss, opts.kills > 0));
    if opts.kills > 0 {
        let _ = writeln!(
            report,
            "kill -9: {} kills, {} restarts opened the store with a repair, {} without",
            checks.len(),
            repairs,
            checks.len() as u32 - repairs
        );
    }
    let _ = writeln!(
        report,
        "final check: {} CDRs stored = {} acknowledged + {} unacknowledged that made it; {} balances equal their recomputation; {} problems",
        last.stored,
        last.acked,
        last.unknown_stored,
        last.balances,
        problems.len()
    );
    for p in problems.iter().take(30) {
        let _ = writeln!(report, "problem: {p}");
    }
    let errors = world.stats.errors();
    let _ = writeln!(
        report,
        "errors: {}{}",
        errors.len(),
        if errors.is_empty() {
            " (none)"
        } else {
            " (details above)"
        }
    );
    Ok(Outcome {
        report,
        errors,
        problems,
        kills: checks.len() as u32,
        repairs,
        rss,
        last_check: last,
    })
}

/// Does the RSS keep growing? Compares the second half of the run with the first half's peak.
fn rss_verdict(rss: &[(u64, u64)], killed: bool) -> String {
    if killed {
        return "RSS: not judged in kill mode (every restart starts afresh)".into();
    }
    if rss.len() < 4 {
        return "RSS: too few samples to judge growth (run at least 3 minutes)".into();
    }
    let half = rss.len() / 2;
    let first_peak = rss[1..half].iter().map(|r| r.1).max().unwrap_or(rss[0].1);
    let last = rss[rss.len() - 1].1;
    let second_half = &rss[half..];
    let rising = second_half.windows(2).all(|w| w[1].1 > w[0].1);
    let growth = (last as f64 - first_peak as f64) / first_peak as f64 * 100.0;
    let verdict = if growth > 10.0 && rising {
        "GROWING: RSS rose at every sample of the second half"
    } else if growth > 25.0 {
        "GROWING: the last sample is well above the first half's peak"
    } else {
        "flat: the second half stays within the first half's peak (+10 %)"
    };
    format!(
        "RSS verdict: {verdict} (first-half peak {:.1} MiB, last {:.1} MiB, {growth:+.1} %)",
        first_peak as f64 / 1024.0,
        last as f64 / 1024.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_verdicts() {
        let flat = [
            (0, 100),
            (60, 200),
            (120, 210),
            (180, 205),
            (240, 212),
            (300, 208),
        ];
        assert!(
            rss_verdict(&flat, false).contains("flat"),
            "{}",
            rss_verdict(&flat, false)
        );
        let growing = [
            (0, 100),
            (60, 200),
            (120, 210),
            (180, 240),
            (240, 280),
            (300, 330),
        ];
        assert!(rss_verdict(&growing, false).contains("GROWING"));
    }
}

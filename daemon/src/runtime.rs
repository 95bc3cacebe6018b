//! Start-up and shutdown: logging, store, admin socket, portal listeners, CDR ingest (HTTP
//! endpoint, watched files), readiness, signals (SIGHUP: see [`crate::reload`]).

use std::sync::Arc;

use anyhow::Context as _;
use tokio::sync::watch;

use crate::admin::{self, State};
use crate::config::Config;
use crate::reload::{ConfigSource, LogFilter, Reloader, Watches, notify};
use crate::store::Store;
use sd_notify::NotifyState;

/// Runs the daemon until SIGINT or SIGTERM; SIGHUP reads `source` again.
pub fn run(config: Config, demo: bool, source: ConfigSource) -> anyhow::Result<()> {
    let log = LogFilter::install(&config.log_level);
    let reloader = Reloader::new(source, log);
    // One crypto provider for the whole process (rustls, and the ACME client's HTTPS), chosen
    // here rather than by whichever dependency asks first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("porticod")
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(config, demo, reloader))
}

async fn serve(config: Config, demo: bool, mut reloader: Reloader) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "{}: cannot create the data directory",
            config.data_dir.display()
        )
    })?;
    let store_path = config.store_path();
    let cache = config.store_cache_bytes;
    let store = tokio::task::spawn_blocking(move || Store::open_with_cache(&store_path, cache))
        .await
        .context("opening the store")??;
    let seeded = if demo {
        let store = store.clone();
        Some(
            tokio::task::spawn_blocking(move || crate::demo::seed(&store))
                .await
                .context("seeding the demo")??,
        )
    } else {
        None
    };

    let (stop_tx, stop_rx) = watch::channel(false);

    let mut tasks = tokio::task::JoinSet::new();
    let tls = {
        let (settings, store) = (config.tls.clone(), store.clone());
        tokio::task::spawn_blocking(move || crate::tls::Tls::new(settings, store))
            .await
            .context("setting up TLS")??
    };
    let portal = crate::portal::router(crate::portal::Portal::new(store.clone()));
    let limits = crate::serve::Limits::portal(
        config.http_max_connections,
        config.http_max_connections_per_client,
    );
    if crate::serve::limits::Limits::shortened_for_tests() {
        tracing::warn!(
            "{} is set: client timeouts are shortened (meant for tests)",
            crate::serve::limits::TIMEOUT_ENV
        );
    }
    for addr in &config.http_listen {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("http.listen {addr}: cannot listen"))?;
        tracing::info!(%addr, "portal listening (plain HTTP)");
        let app = crate::tls::listener::http_router(&tls, portal.clone());
        tasks.spawn(crate::serve::plain(
            listener,
            app,
            limits.clone(),
            "http",
            stopped(stop_rx.clone()),
        ));
    }
    if !config.tls.listen.is_empty() {
        let server_config =
            crate::tls::listener::server_config(&tls).context("setting up the HTTPS listeners")?;
        for addr in &config.tls.listen {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("tls.listen {addr}: cannot listen"))?;
            tracing::info!(%addr, certificates = tls.resolver().len(), "portal listening (HTTPS)");
            let app = crate::tls::listener::https_router(&tls, portal.clone());
            tasks.spawn(crate::tls::listener::serve_https(
                listener,
                server_config.clone(),
                app,
                limits.clone(),
                stopped(stop_rx.clone()),
            ));
        }
    }
    tasks.spawn(tls.clone().run(stopped(stop_rx.clone())));
    tasks.spawn(crate::portal::sweep_expired(
        store.clone(),
        stopped(stop_rx.clone()),
    ));

    let ingest = crate::ingest::pipeline::Ingest::new(store.clone())
        .with_customer_variable(config.ingest.customer_variable.clone());
    start_ingest(&config, &ingest, &mut tasks, &stop_rx).await?;
    let mut watches = Watches::start(ingest.clone(), &config.ingest.watch, stop_rx.clone());

    let listener = admin::socket::bind(&config.admin_socket, config.admin_group.as_deref()).await?;
    let _guard = admin::socket::SocketGuard(config.admin_socket.clone());
    tracing::info!(socket = %config.admin_socket.display(), "admin socket ready");
    let state = Arc::new(State {
        tls,
        ingest,
        store,
        started_at: time::OffsetDateTime::now_utc().unix_timestamp(),
    });
    tasks.spawn(admin::socket::serve(
        listener,
        state,
        stopped(stop_rx.clone()),
    ));
    if let Some(seeded) = &seeded {
        crate::demo::print_welcome(&config, seeded);
    }

    // Every listener is bound and the admin socket accepts: units ordered after porticod
    // (and `systemctl start`, which waits for this) find it ready.
    notify(&[NotifyState::Ready, NotifyState::Status("running")]);

    wait_for_signal(&mut reloader, &mut watches).await?;
    tracing::info!("shutting down");
    notify(&[NotifyState::Stopping]);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while tasks.join_next().await.is_some() {}
        watches.join().await;
    })
    .await;
    if drained.is_err() {
        tracing::warn!("some connections did not finish within 10 s; closing them");
    }
    Ok(())
}

/// Starts the ways CDRs come in on their own: the mod_json_cdr endpoint on each
/// `[ingest] listen` address and a watcher per `[[ingest.watch]]`, all stopping with `stop`.
async fn start_ingest(
    config: &Config,
    ingest: &crate::ingest::pipeline::Ingest,
    tasks: &mut tokio::task::JoinSet<()>,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<()> {
    use crate::ingest::http;
    let settings = &config.ingest;
    if !settings.listen.is_empty() {
        let endpoint = Arc::new(http::Endpoint::new(ingest.clone(), settings));
        if settings.auth.is_none() {
            tracing::warn!(
                "ingest: the CDR endpoint takes posts without credentials (allow_anonymous, loopback only)"
            );
        }
        for addr in &settings.listen {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("ingest.listen {addr}: cannot listen"))?;
            let endpoint = endpoint.clone();
            let shutdown = stopped(stop.clone());
            let addr = *addr;
            tracing::info!(%addr, "ingest: mod_json_cdr endpoint listening (HTTP)");
            tasks.spawn(http::serve(listener, endpoint, shutdown));
        }
    }
    Ok(())
}

/// Resolves once shutdown is signalled on `rx`.
async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}

/// Waits for SIGTERM or SIGINT, reloading the configuration on each SIGHUP meanwhile.
async fn wait_for_signal(reloader: &mut Reloader, watches: &mut Watches) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let mut hup = signal(SignalKind::hangup()).context("installing the SIGHUP handler")?;
    loop {
        tokio::select! {
            _ = term.recv() => return Ok(()),
            _ = int.recv() => return Ok(()),
            _ = hup.recv() => reloader.reload(watches).await,
        }
    }
}

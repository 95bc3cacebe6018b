//! The customer portal over HTTP: every request is bound to one domain by its host, and answered
//! with that brand's pages and files, or with a neutral page that shows no brand at all.
//!
//! Routes:
//! - `/` the brand's start page
//! - `/_portico/theme.css` the default theme
//! - `/_portico/brand-<hash>.css`, `/_portico/brand-<hash>.js` the brand's custom CSS and JS
//! - `/_portico/logo/<hash>/<name>` the brand's logo
//! - `/healthz` `ok`, for any host

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;

mod assets;
pub(crate) mod brand;
mod host;
mod pages;
mod tenant;

#[cfg(test)]
mod tests;

pub use host::normalize as normalize_host;

/// An error of a [`PortalSource`]; logged, and answered with a neutral 500 page.
pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// What the portal reads. Calls block (the store is redb): the portal makes them on the
/// blocking thread pool, never on the async runtime.
pub trait PortalSource: Send + Sync + 'static {
    /// The domain stored under `fqdn` (lower-case punycode, no port, no trailing dot).
    fn domain(&self, fqdn: &str) -> Result<Option<portico_protocol::Domain>, SourceError>;

    /// A file of the public file store, without its content (pages only need the name and
    /// hash of a logo, not up to a MiB of bytes per view).
    fn public_file_info(
        &self,
        name: &str,
    ) -> Result<Option<portico_protocol::FileInfo>, SourceError>;

    /// A file of the public file store, with its content.
    fn public_file(
        &self,
        name: &str,
    ) -> Result<Option<(portico_protocol::FileInfo, Vec<u8>)>, SourceError>;
}

/// The portal's routes, for every domain `source` knows.
pub fn router(source: Arc<dyn PortalSource>) -> Router {
    let branded = Router::new()
        .route("/", get(pages::landing))
        .route("/_portico/theme.css", get(assets::theme_css))
        .route("/_portico/{file}", get(assets::brand_file))
        .route("/_portico/logo/{hash}/{name}", get(assets::logo))
        .fallback(pages::not_found)
        .with_state(tenant::Portal { source });
    Router::new()
        .route("/healthz", get(pages::healthz))
        .merge(branded)
        .layer(axum::middleware::from_fn(tenant::per_request))
}

/// Serves the portal on `listener` until `shutdown` resolves, then finishes the requests in
/// flight and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    source: Arc<dyn PortalSource>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "portal: listening (HTTP)");
    }
    axum::serve(listener, router(source))
        .with_graceful_shutdown(shutdown)
        .await
}

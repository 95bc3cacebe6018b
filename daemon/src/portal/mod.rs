//! TEMP stub
pub type SourceError = Box<dyn std::error::Error + Send + Sync>;
pub trait PortalSource: Send + Sync + 'static {
    fn domain(&self, fqdn: &str) -> Result<Option<portico_protocol::Domain>, SourceError>;
    fn public_file(
        &self,
        name: &str,
    ) -> Result<Option<(portico_protocol::FileInfo, Vec<u8>)>, SourceError>;
}
pub async fn serve(
    _l: tokio::net::TcpListener,
    _s: std::sync::Arc<dyn PortalSource>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    shutdown.await;
    Ok(())
}

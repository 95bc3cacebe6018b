//! Expired sessions and one-time tokens (password resets, e-mail confirmations) are refused when
//! they come back; this removes them from the store, so that they do not pile up with every
//! log-in for as long as the daemon runs.

use std::future::Future;
use std::time::Duration;

use crate::store::Store;

/// How often the store is swept (also once at start).
const EVERY: Duration = Duration::from_secs(3600);

/// Sweeps the store at start and then every [`EVERY`] until `stop` resolves.
pub async fn sweep_expired(store: Store, stop: impl Future<Output = ()>) {
    let mut every = tokio::time::interval(EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = every.tick() => {}
        }
        let store = store.clone();
        let now = crate::admin::service::now();
        match tokio::task::spawn_blocking(move || store.write(|tx| tx.purge_expired(now))).await {
            Ok(Ok(0)) => {}
            Ok(Ok(removed)) => {
                tracing::info!(removed, "portal: expired sessions and tokens removed");
            }
            Ok(Err(err)) => {
                tracing::error!(error = %err, "portal: removing expired sessions failed");
            }
            Err(err) => {
                tracing::error!(error = %err, "portal: removing expired sessions panicked");
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::store::{SessionRecord, TokenRecord};

    fn session(expires_at: i64) -> SessionRecord {
        SessionRecord {
            fqdn: "portal.sweep.test".into(),
            contact_id: 1,
            customer_id: 1,
            created_at: 0,
            expires_at,
            csrf: "csrf".into(),
            pending_second_factor: false,
        }
    }

    fn token(expires_at: i64) -> TokenRecord {
        TokenRecord {
            purpose: "reset".into(),
            fqdn: "portal.sweep.test".into(),
            contact_id: 1,
            expires_at,
        }
    }

    #[tokio::test]
    async fn expired_sessions_and_tokens_go_at_start_and_the_rest_stay() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("portico.redb")).unwrap();
        let now = crate::admin::service::now();
        store
            .write(|tx| {
                tx.put_session(&[1; 32], &session(now - 1))?;
                tx.put_session(&[2; 32], &session(now + 3600))?;
                tx.put_token(&[3; 32], &token(now - 1))?;
                tx.put_token(&[4; 32], &token(now + 3600))
            })
            .unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let sweeper = tokio::spawn(sweep_expired(store.clone(), async {
            let _ = stopped.await;
        }));
        let gone = |store: &Store| {
            store
                .read(|tx| Ok::<_, crate::store::StoreError>(tx.session(&[1; 32])?.is_none()))
                .unwrap()
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !gone(&store) {
            assert!(std::time::Instant::now() < deadline, "never swept");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = stop.send(());
        sweeper.await.unwrap();
        store
            .read(|tx| {
                assert!(tx.session(&[2; 32])?.is_some(), "a valid session went");
                assert!(tx.token(&[3; 32])?.is_none(), "an expired token stayed");
                assert!(tx.token(&[4; 32])?.is_some(), "a valid token went");
                Ok::<_, crate::store::StoreError>(())
            })
            .unwrap();
        // A sweep that removes no session leaves the portal's login cache valid.
        let before = store.accounts_generation();
        assert_eq!(store.write(|tx| tx.purge_expired(now)).unwrap(), 0);
        assert_eq!(store.accounts_generation(), before);
        store.write(|tx| tx.purge_expired(now + 7200)).unwrap();
        assert!(store.accounts_generation() > before);
    }
}

//! Bodies with limits: a request body that must arrive before a deadline, and a response body
//! that keeps its connection counted as busy until it is sent.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// The error of a request body that did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyTimedOut(Duration);

/// A request body that fails once `deadline` passes before its end arrived.
pub struct Deadline<B> {
    inner: B,
    sleep: Pin<Box<Sleep>>,
    within: Duration,
}

impl<B> Deadline<B> {
    /// `inner`, which must end within `within` from now.
    pub fn new(inner: B, within: Duration) -> Self {
        Deadline {
            inner,
            sleep: Box::pin(tokio::time::sleep(within)),
            within,
        }
    }
}

impl<B> Body for Deadline<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, <Self as Body>::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|f| f.map_err(Into::into))),
            Poll::Pending => match this.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut(this.within))))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// What a connection is doing: requests under way, and when the last one started or ended.
#[derive(Debug)]
pub struct Activity {
    start: Instant,
    in_flight: AtomicUsize,
    /// Milliseconds from `start` to the last change; `u64::MAX` until the first request.
    last_change_ms: AtomicU64,
}

impl Activity {
    /// A connection that started now.
    pub fn new() -> Arc<Activity> {
        Arc::new(Activity {
            start: Instant::now(),
            in_flight: AtomicUsize::new(0),
            last_change_ms: AtomicU64::new(u64::MAX),
        })
    }

    /// Counts a request as under way until the returned guard is dropped.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.touch();
        InFlight(self.clone())
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        self.last_change_ms.store(ms, Ordering::SeqCst);
    }

    /// Resolves once no request has been under way for `idle` (or, before the first request,
    /// once none arrived within `first`).
    pub async fn idle(&self, first: Duration, idle: Duration) {
        loop {
            if self.in_flight.load(Ordering::SeqCst) > 0 {
                tokio::time::sleep(idle).await;
                continue;
            }
            let (since, limit) = match self.last_change_ms.load(Ordering::SeqCst) {
                u64::MAX => (self.start.elapsed(), first),
                ms => (
                    self.start
                        .elapsed()
                        .saturating_sub(Duration::from_millis(ms)),
                    idle,
                ),
            };
            if since >= limit {
                return;
            }
            tokio::time::sleep(limit - since).await;
        }
    }
}

/// A request under way; see [`Activity::begin`].
#[derive(Debug)]
pub struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that holds its request's [`InFlight`] until it is sent (or dropped).
pub struct Tracked {
    inner: axum::body::Body,
    _in_flight: InFlight,
}

impl Tracked {
    /// `inner`, counted as under way through `in_flight`.
    pub fn new(inner: axum::body::Body, in_flight: InFlight) -> Tracked {
        Tracked {
            inner,
            _in_flight: in_flight,
        }
    }
}

impl Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, <Self as Body>::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;

    #[tokio::test]
    async fn a_body_that_stalls_fails_at_its_deadline() {
        use futures::StreamExt as _;
        let stalls = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"a"))])
            .chain(futures::stream::pending());
        let body = axum::body::Body::from_stream(stalls);
        let mut deadline = Deadline::new(body, Duration::from_millis(200));
        let first = deadline.frame().await.unwrap().unwrap();
        assert_eq!(first.into_data().unwrap(), "a");
        let err = tokio::time::timeout(Duration::from_secs(20), deadline.frame())
            .await
            .expect("the deadline passed")
            .unwrap()
            .unwrap_err();
        assert!(err.is::<BodyTimedOut>(), "{err}");
    }

    #[tokio::test]
    async fn a_connection_is_idle_only_without_requests_under_way() {
        let activity = Activity::new();
        let guard = activity.begin();
        let idle = activity.idle(Duration::from_millis(50), Duration::from_millis(100));
        tokio::pin!(idle);
        // Busy: not idle, however long that takes.
        assert!(
            tokio::time::timeout(Duration::from_millis(500), &mut idle)
                .await
                .is_err()
        );
        drop(guard);
        tokio::time::timeout(Duration::from_secs(20), idle)
            .await
            .expect("idle once the request ended");
    }

    #[tokio::test]
    async fn a_connection_without_a_first_request_is_idle_at_the_first_deadline() {
        let activity = Activity::new();
        tokio::time::timeout(
            Duration::from_secs(20),
            activity.idle(Duration::from_millis(50), Duration::from_secs(3600)),
        )
        .await
        .expect("idle at the first-request deadline, not the idle timeout");
    }
}

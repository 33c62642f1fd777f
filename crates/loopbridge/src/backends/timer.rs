//! [`AnyTimer`]: the timer of any backend.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

#[cfg(feature = "async-std")]
use loopbridge_async_std::AsyncStdBackend;
use loopbridge_core::LoopBackend;
#[cfg(feature = "smol")]
use loopbridge_smol::SmolBackend;
#[cfg(feature = "tokio")]
use loopbridge_tokio::TokioBackend;

use super::CustomBackend;

/// The timer of any backend; each is `Unpin`. Its variants are [`AnyBackend`](super::AnyBackend)'s.
pub(crate) enum AnyTimer {
    #[cfg(feature = "tokio")]
    Tokio(<TokioBackend as LoopBackend>::Timer),
    #[cfg(feature = "smol")]
    Smol(<SmolBackend as LoopBackend>::Timer),
    #[cfg(feature = "async-std")]
    AsyncStd(<AsyncStdBackend as LoopBackend>::Timer),
    Custom(<CustomBackend as LoopBackend>::Timer),
}

impl Future for AnyTimer {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match *self.get_mut() {
            #[cfg(feature = "tokio")]
            AnyTimer::Tokio(ref mut timer) => Pin::new(timer).poll(cx),
            #[cfg(feature = "smol")]
            AnyTimer::Smol(ref mut timer) => Pin::new(timer).poll(cx).map(drop),
            #[cfg(feature = "async-std")]
            AnyTimer::AsyncStd(ref mut timer) => Pin::new(timer).poll(cx).map(drop),
            AnyTimer::Custom(ref mut timer) => Pin::new(timer).poll(cx),
        }
    }
}

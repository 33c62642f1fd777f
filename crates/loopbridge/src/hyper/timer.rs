//! [`Timer`]: hyper's `Timer` trait over loopbridge's timers.

use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::Sleep;

/// hyper's timeouts and keep-alive timers (`header_read_timeout`, HTTP/2 keep-alive pings,
/// the pooled client's idle timeout) on [`loopbridge::sleep`](crate::sleep): the timer of the
/// runtime that runs the connection, with loopbridge's rules — never early, on every backend.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use hyper::rt::Timer as _;
///
/// let started = Instant::now();
/// loopbridge::block_on(loopbridge::hyper::Timer.sleep(Duration::from_millis(5)));
/// assert!(started.elapsed() >= Duration::from_millis(5));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Timer;

impl hyper::rt::Timer for Timer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(crate::sleep(duration))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(crate::sleep_until(deadline))
    }

    /// hyper computes its deadlines (keep-alive, `header_read_timeout`) from this: the clock
    /// the timers run on.
    fn now(&self) -> Instant {
        crate::time::now()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<Sleep>() {
            Some(ours) => ours.reset(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

impl hyper::rt::Sleep for Sleep {}

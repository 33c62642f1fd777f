/// Fetches the temperature of `city`.
pub async fn temperature<'a>(
    city: &'a str,
    (lat, lon): (f32, f32),
) -> Result<i32, Error> {
    lookup(city, lat, lon).await
}
/// Fetches the temperature of `city`.
///
/// The blocking twin of [`temperature`](temperature): runs it to completion on the calling thread with `loopbridge::block_on` and returns its output.
///
/// # Panics
///
/// Panics at once, instead of deadlocking, where blocking the calling thread could starve the executor the future needs (on a single-thread runtime, for instance): `.await` [`temperature`](temperature) there. A panic in `temperature` reaches the caller unchanged.
#[track_caller]
pub fn temperature_blocking<'a>(city: &'a str, arg1: (f32, f32)) -> Result<i32, Error> {
    ::loopbridge::__private::block_on(temperature(city, arg1))
}

//! Interoperability on every backend flavour: `Bridge` as the futures crate's `Spawn`, and
//! `loopbridge::compat::Compat` running tokio-bound futures where no tokio runtime is.

use std::sync::mpsc;
use std::time::Duration;

use futures_task::{FutureObj, Spawn};
use loopbridge::Bridge;
use loopbridge_tests::{runner_for, runner_test};

/// Code generic over the futures crate's executor trait, as a library would write it.
fn spawn_with<S: Spawn>(spawner: &S, job: impl Future<Output = ()> + Send + 'static) {
    spawner.spawn_obj(FutureObj::new(Box::new(job))).expect("the executor accepts the task");
}

#[loopbridge::test]
async fn bridge_is_a_futures_spawn_whose_tasks_run_detached() {
    let bridge = Bridge::current();
    assert!(bridge.status().is_ok());
    let (tx, rx) = async_channel::unbounded();
    for i in 0..16 {
        let tx = tx.clone();
        spawn_with(&bridge, async move {
            loopbridge::yield_now().await;
            tx.send(i).await.unwrap();
        });
    }
    let mut done = Vec::new();
    for _ in 0..16 {
        done.push(rx.recv().await.unwrap());
    }
    done.sort_unstable();
    assert_eq!(done, (0..16).collect::<Vec<_>>());
}

#[loopbridge::test]
async fn a_panic_in_a_spawn_obj_task_kills_nothing() {
    let bridge = Bridge::current();
    spawn_with(&bridge, async { panic!("boom in a detached futures task") });
    let (tx, rx) = async_channel::bounded(1);
    spawn_with(&bridge, async move { tx.send("still serving").await.unwrap() });
    assert_eq!(rx.recv().await.unwrap(), "still serving");
}

runner_test! {
    fn spawn_obj_on_a_shut_down_runner_is_refused(flavor) {
        let runner = runner_for(flavor);
        let bridge = runner.bridge();
        let report = runner.shutdown(Duration::from_secs(5));
        assert!(report.completed_in_time());
        assert!(bridge.status().unwrap_err().is_shutdown());
        let (tx, rx) = mpsc::channel::<()>();
        let refused = bridge.spawn_obj(FutureObj::new(Box::new(async move { drop(tx) })));
        assert!(refused.unwrap_err().is_shutdown());
        // The future was dropped without running: its sender is gone, nothing was sent.
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Err(mpsc::RecvTimeoutError::Disconnected));
    }
}

#[cfg(feature = "tokio")]
mod compat {
    use std::thread;
    use std::time::Duration;

    use loopbridge::BackendKind;
    use loopbridge::Flavor;
    use loopbridge::compat::Compat;
    use loopbridge_tests::blocking_in_task_completes;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// The name of the thread a `tokio::spawn`ed task runs on.
    async fn tokio_task_thread() -> String {
        let task = tokio::spawn(async { thread::current().name().unwrap_or("").to_owned() });
        task.await.expect("the tokio task completes")
    }

    #[loopbridge::test]
    async fn tokio_io_and_timers_work_inside_compat_and_outlive_it() {
        // One `Compat` binds a listener and leaves its accept loop running on tokio...
        let addr = Compat::new(async {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
            let addr = listener.local_addr().unwrap();
            drop(tokio::spawn(async move {
                while let Ok((mut conn, _)) = listener.accept().await {
                    drop(tokio::spawn(async move {
                        let mut buf = [0_u8; 64];
                        while let Ok(n @ 1..) = conn.read(&mut buf).await {
                            if conn.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    }));
                }
            }));
            addr
        })
        .await;
        // ...and later ones, after it is gone, talk to it.
        for round in 0..3_u8 {
            let echo = Compat::new(async move {
                let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                stream.write_all(&[b'e', round]).await.unwrap();
                let mut echo = [0_u8; 2];
                stream.read_exact(&mut echo).await.unwrap();
                tokio::time::sleep(Duration::from_millis(1)).await;
                echo
            })
            .await;
            assert_eq!(echo, [b'e', round]);
        }
    }

    #[loopbridge::test]
    async fn tokio_tasks_go_to_the_ambient_tokio_runtime_else_to_the_compat_runtime(
        flavor: Flavor,
    ) {
        let name = Compat::new(tokio_task_thread()).await;
        let on_tokio = flavor.kind() == BackendKind::Tokio;
        // On tokio flavours the task runs on the flavour's own (named) threads.
        assert_eq!(name.starts_with("loopbridge-compat-"), !on_tokio, "ran on `{name}`");
        assert!(name.starts_with("loopbridge-"), "ran on `{name}`");
        // Outside tokio, `Compat` entered a context for the poll only.
        let handle_is_ambient = tokio::runtime::Handle::try_current().is_ok();
        assert_eq!(handle_is_ambient, on_tokio);
    }

    #[loopbridge::test]
    async fn a_compat_future_is_dropped_inside_the_tokio_context() {
        /// Needs a tokio context in its destructor, as some tokio-bound values do.
        struct NeedsTokioOnDrop;
        impl Drop for NeedsTokioOnDrop {
            fn drop(&mut self) {
                drop(tokio::runtime::Handle::current());
            }
        }
        let guard = NeedsTokioOnDrop;
        let never_polled = Compat::new(async move {
            let _guard = guard;
        });
        drop(never_polled); // would panic outside a tokio context without `Compat`
        let polled_once = Compat::new(async {
            let _guard = NeedsTokioOnDrop;
            std::future::pending::<()>().await;
        });
        let timed_out = loopbridge::timeout(Duration::from_millis(5), polled_once).await;
        assert!(timed_out.is_err());
    }

    #[loopbridge::test]
    async fn block_on_inside_compat_is_decided_as_outside_it(flavor: Flavor) {
        // `Compat` enters a tokio context on smol and async-std threads; that must not hide
        // the executor the thread really drives from `block_on`'s checks.
        // In a task: the test body itself runs in a `block_on`, where blocking is allowed.
        let (outside, inside) = loopbridge::spawn(async {
            let outside = loopbridge::try_block_on(async { 1 }).is_ok();
            let inside = Compat::new(async {
                loopbridge::try_block_on(async { loopbridge::spawn(async { 1 }).await.is_ok() })
            })
            .await;
            (outside, inside)
        })
        .await
        .unwrap();
        assert_eq!(outside, blocking_in_task_completes(flavor));
        assert_eq!(inside.is_ok(), outside);
        if let Ok(completed) = inside {
            assert!(completed);
        }
    }

    /// A one-thread smol runner's task inside `Compat`: blocking it would stop its only worker,
    /// so `block_on` is refused there exactly as outside `Compat`.
    #[cfg(feature = "smol")]
    #[test]
    fn block_on_inside_compat_on_a_one_thread_smol_runner_is_refused() {
        loopbridge_tests::with_watchdog(|| {
            let runner = loopbridge::Runner::builder()
                .backend(BackendKind::Smol)
                .worker_threads(1)
                .thread_name("compat-one")
                .build()
                .unwrap();
            let verdict = runner.block_on(runner.spawn(Compat::new(async {
                let needs_the_worker = async { loopbridge::spawn(async { 2 }).await.unwrap() };
                loopbridge::try_block_on(needs_the_worker).map_err(|e| e.is_in_async_context())
            })));
            assert_eq!(verdict.unwrap(), Err(true));
            assert!(runner.shutdown(Duration::from_secs(5)).completed_in_time());
        });
    }

    /// Both workers of a two-worker smol runner block inside `Compat` on values that a task
    /// spawned afterwards sends: that task runs only if the blocked workers' duties are handed
    /// off, as they are outside `Compat`.
    #[cfg(feature = "smol")]
    #[test]
    fn workers_blocked_inside_compat_are_still_handed_off() {
        loopbridge_tests::with_watchdog(|| {
            let runner = loopbridge::Runner::builder()
                .backend(BackendKind::Smol)
                .worker_threads(2)
                .thread_name("compat-two")
                .build()
                .unwrap();
            let (entered_tx, entered_rx) = std::sync::mpsc::channel();
            let mut senders = Vec::new();
            let mut blockers = Vec::new();
            for i in 0..2_u8 {
                let (tx, rx) = async_channel::bounded::<u8>(1);
                senders.push(tx);
                let entered = entered_tx.clone();
                blockers.push(runner.spawn(Compat::new(async move {
                    entered.send(i).unwrap();
                    loopbridge::block_on(async move { rx.recv().await.unwrap() })
                })));
            }
            for _ in 0..2 {
                entered_rx.recv_timeout(Duration::from_secs(10)).expect("both blockers started");
            }
            drop(runner.spawn(async move {
                for (i, tx) in (0_u8..).zip(senders) {
                    tx.send(i).await.unwrap();
                }
            }));
            for (i, blocker) in (0_u8..).zip(blockers) {
                let got = runner.try_block_on_timeout(blocker, Duration::from_secs(10));
                assert_eq!(got.unwrap().unwrap(), i, "blocker {i} was never fed: no handoff");
            }
            assert!(runner.shutdown(Duration::from_secs(5)).completed_in_time());
        });
    }

    #[loopbridge::test]
    async fn the_compat_handle_drives_tokio_objects_made_in_plain_code() {
        let made = loopbridge::to_thread(|| {
            // A plain blocking thread: no tokio context here on any flavour.
            let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            std_listener.set_nonblocking(true).unwrap();
            let handle = loopbridge::compat::handle();
            let _context = handle.enter();
            tokio::net::TcpListener::from_std(std_listener).unwrap()
        })
        .await
        .unwrap();
        let addr = made.local_addr().unwrap();
        let accepted = Compat::new(async move {
            let connect = tokio::net::TcpStream::connect(addr);
            let (accepted, connected) = futures_lite::future::zip(made.accept(), connect).await;
            accepted.is_ok() && connected.is_ok()
        })
        .await;
        assert!(accepted);
    }
}

//! The global runner: what operations outside any runtime use, and its configuration.
//!
//! These tests are about the process-wide runner rather than one flavour, so they are plain
//! `#[test]`s, each under the same watchdog as the rest of the suite.

use std::time::Duration;

use loopbridge::BackendKind;

#[test]
fn plain_main_style_usage_works() {
    loopbridge_tests::with_watchdog(|| {
        let out = loopbridge::block_on(async {
            loopbridge::sleep(Duration::from_millis(10)).await;
            loopbridge::spawn(async { "spawned" }).await.unwrap()
        });
        assert_eq!(out, "spawned");
        assert_eq!(loopbridge::current(), None);
    });
}

#[test]
fn global_runner_state_survives_across_block_on_calls_and_threads() {
    loopbridge_tests::with_watchdog(|| {
        // A background task created by one block_on keeps serving later calls from other threads.
        let (req_tx, req_rx) = async_channel::unbounded::<(u32, async_channel::Sender<u32>)>();
        loopbridge::block_on(async move {
            drop(loopbridge::spawn(async move {
                while let Ok((n, reply)) = req_rx.recv().await {
                    let _ = reply.send(n * 2).await;
                }
            }));
        });
        let callers: Vec<_> = (0..8u32)
            .map(|i| {
                let req_tx = req_tx.clone();
                std::thread::spawn(move || {
                    (0..10u32)
                        .map(|j| {
                            loopbridge::block_on(async {
                                let (tx, rx) = async_channel::bounded(1);
                                req_tx.send((i * 100 + j, tx)).await.unwrap();
                                rx.recv().await.unwrap()
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for (i, caller) in callers.into_iter().enumerate() {
            let expected: Vec<u32> = (0..10).map(|j| (i as u32 * 100 + j) * 2).collect();
            assert_eq!(caller.join().unwrap(), expected);
        }
    });
}

#[test]
fn global_runner_uses_the_priority_backend_and_is_fixed_once_started() {
    loopbridge_tests::with_watchdog(|| {
        let global = loopbridge::Bridge::global();
        let expected = match std::env::var("LOOPBRIDGE_BACKEND") {
            Ok(name) => name.parse().unwrap(),
            Err(_) if cfg!(feature = "tokio") => BackendKind::Tokio,
            Err(_) if cfg!(feature = "smol") => BackendKind::Smol,
            Err(_) => BackendKind::AsyncStd,
        };
        assert_eq!(global.kind(), expected);
        let err = loopbridge::set_default_backend(global.kind()).unwrap_err();
        assert!(err.is_too_late(), "{err}");
        assert!(err.to_string().contains("set_default_backend"));
    });
}

#[test]
fn backends_not_compiled_in_are_refused_with_the_feature_to_enable() {
    loopbridge_tests::with_watchdog(|| {
        let compiled = [
            (BackendKind::Tokio, cfg!(feature = "tokio")),
            (BackendKind::Smol, cfg!(feature = "smol")),
            (BackendKind::AsyncStd, cfg!(feature = "async-std")),
        ];
        for (kind, compiled_in) in compiled {
            if !compiled_in {
                let err = loopbridge::set_default_backend(kind).unwrap_err();
                assert!(err.is_not_compiled_in());
                assert!(err.to_string().contains(&format!("features = [\"{}\"]", kind.name())));
            }
        }
    });
}

#[test]
fn global_runner_threads_are_named() {
    loopbridge_tests::with_watchdog(|| {
        let name = loopbridge::block_on(loopbridge::to_thread(|| {
            std::thread::current().name().map(str::to_owned)
        }))
        .unwrap();
        let kind = loopbridge::Bridge::global().kind();
        if kind != BackendKind::AsyncStd {
            // async-std's blocking pool is shared and named by its `blocking` crate.
            let name = name.unwrap_or_default();
            assert!(name.starts_with("loopbridge-") || name.starts_with("blocking"), "{name}");
        }
    });
}

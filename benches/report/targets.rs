//! The performance targets, one entry each in [`TARGETS`]: the report's tables of targets, its
//! sections' verdicts, its prose and the instruction table all take their numbers from there,
//! so that a threshold is written once.

use std::fmt;

/// How a target bounds what is measured against its baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Limit {
    /// Time per operation at most this many times the baseline's: a ratio of medians.
    AtMostTimes(f64),
    /// Throughput at least this many times the baseline's: the baseline's time over ours.
    AtLeastTimes(f64),
    /// A count (heap allocations) at most the baseline's plus this.
    AtMostPlus(f64),
    /// Time per operation at most this many nanoseconds, whatever the baseline.
    AtMostNs(f64),
    /// Faster than the baseline by at least this factor, per flavour.
    FasterBy(&'static [(&'static str, f64)]),
    /// An idle runner: less CPU time than this over the idle window, and at most this much
    /// more resident memory per extra runner.
    Idle {
        /// Milliseconds of CPU time over 2 s idle, not reached.
        cpu_ms: f64,
        /// MiB of RSS per extra runner, at most.
        rss_mib: f64,
    },
}

impl Limit {
    /// Whether `value` meets a one-number limit: the ratio for [`AtMostTimes`](Self::AtMostTimes)
    /// and [`AtLeastTimes`](Self::AtLeastTimes), nanoseconds for [`AtMostNs`](Self::AtMostNs),
    /// ours minus the baseline's for [`AtMostPlus`](Self::AtMostPlus). The limits of several
    /// numbers meet nothing here: see [`faster_by`](Self::faster_by) and
    /// [`idle_met`](Self::idle_met).
    pub(crate) fn met(self, value: f64) -> bool {
        match self {
            Self::AtMostTimes(limit) | Self::AtMostNs(limit) => value <= limit,
            Self::AtLeastTimes(limit) => value >= limit,
            // Allocation counts are means over many operations: a rounding's worth of slack.
            Self::AtMostPlus(limit) => value <= limit + 1e-9,
            Self::FasterBy(_) | Self::Idle { .. } => false,
        }
    }

    /// The factor per flavour of [`FasterBy`](Self::FasterBy); none for the others.
    pub(crate) fn faster_by(self) -> &'static [(&'static str, f64)] {
        match self {
            Self::FasterBy(limits) => limits,
            _ => &[],
        }
    }

    /// Whether an idle runner's CPU time (µs over 2 s) and RSS per extra runner (KiB) meet an
    /// [`Idle`](Self::Idle) limit; false for the others.
    pub(crate) fn idle_met(self, cpu_us: f64, rss_kib: f64) -> bool {
        match self {
            Self::Idle { cpu_ms, rss_mib } => {
                cpu_us < cpu_ms * 1000.0 && rss_kib <= rss_mib * 1024.0
            }
            _ => false,
        }
    }
}

/// `2`, `500` for whole numbers, `1.05`, `0.90` otherwise.
pub(crate) fn number(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.2}") }
}

/// The limit alone, as a table cell or the prose show it: `≤ 1.10×`, `≥ 500× / ≥ 50×`.
impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::AtMostTimes(limit) => write!(f, "≤ {}×", number(limit)),
            Self::AtLeastTimes(limit) => write!(f, "≥ {}×", number(limit)),
            Self::AtMostPlus(limit) => write!(f, "≤ + {}", number(limit)),
            Self::AtMostNs(limit) => write!(f, "≤ {} ns", number(limit)),
            Self::FasterBy(limits) => {
                let shown: Vec<String> =
                    limits.iter().map(|(_, limit)| format!("≥ {}×", number(*limit))).collect();
                f.write_str(&shown.join(" / "))
            }
            Self::Idle { cpu_ms, rss_mib } => write!(
                f,
                "< {} ms CPU over 2 s idle; RSS per extra runner ≤ {} MiB",
                number(cpu_ms),
                number(rss_mib)
            ),
        }
    }
}

/// Which table of targets an entry is a row of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    /// The targets, against the native runtime or the peers.
    Issue,
    /// The same targets against their floor: the least any implementation of the contract pays.
    Floor,
    /// Not in the tables of targets: a row verdict of the instruction table only.
    Instructions,
}

/// One target: a row of a table of targets, with its verdict over the cases that measure it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    /// Its name: `{{limit:CASE}}` and `{{target:CASE}}` in the template.
    pub(crate) case: &'static str,
    /// What it is measured against, as the table of targets says it.
    pub(crate) baseline: &'static str,
    pub(crate) limit: Limit,
    /// What is measured, as the table of targets begins its row.
    pub(crate) label: &'static str,
    pub(crate) table: Table,
}

impl Target {
    /// The limit with its baseline: `≤ 1.05× native and ≤ every peer`, `≤ native + 1`.
    pub(crate) fn bound(&self) -> String {
        match self.limit {
            Limit::AtMostPlus(limit) => format!("≤ {} + {}", self.baseline, number(limit)),
            _ if self.baseline.is_empty() => self.limit.to_string(),
            limit => format!("{limit} {}", self.baseline),
        }
    }

    /// The row's first cell: what is measured and its bound.
    pub(crate) fn wording(&self) -> String {
        if self.label.is_empty() {
            self.bound()
        } else {
            format!("{} {}", self.label, self.bound())
        }
    }
}

const fn target(
    case: &'static str,
    label: &'static str,
    limit: Limit,
    baseline: &'static str,
) -> Target {
    Target { case, baseline, limit, label, table: Table::Issue }
}

/// The same target as `of`, against its floor.
const fn floor(case: &'static str, of: Target, baseline: &'static str) -> Target {
    Target { case, baseline, limit: of.limit, label: of.label, table: Table::Floor }
}

pub(crate) const SPAWN: Target =
    target("spawn", "spawn + await", Limit::AtMostTimes(1.05), "native and ≤ every peer");
pub(crate) const ALLOCATIONS: Target =
    target("allocations", "allocations per spawn", Limit::AtMostPlus(1.0), "native");
pub(crate) const BLOCK_ON: Target =
    target("block_on", "block_on (ready, yielding)", Limit::AtMostTimes(1.10), "native");
pub(crate) const RUNTIME_PER_CALL: Target = target(
    "runtime_per_call",
    "",
    Limit::FasterBy(&[("tokio_mt", 500.0), ("tokio_ct", 50.0)]),
    "faster than a runtime per call",
);
pub(crate) const ROUND_TRIP: Target =
    target("round_trip", "runner round trip", Limit::AtMostTimes(1.0), "native");
pub(crate) const ROUND_TRIP_STRETCH: Target = target(
    "round_trip_stretch",
    "stretch: round trip",
    Limit::AtMostTimes(2.0),
    "the park/unpark floor",
);
pub(crate) const TO_THREAD: Target =
    target("to_thread", "to_thread", Limit::AtMostTimes(1.10), "native");
pub(crate) const CONCURRENT: Target =
    target("concurrent", "concurrent callers: throughput", Limit::AtLeastTimes(0.9), "native");
pub(crate) const IDLE: Target =
    target("idle", "idle runner:", Limit::Idle { cpu_ms: 1.0, rss_mib: 2.0 }, "");
pub(crate) const TIME_OPS: Target = target(
    "time_ops",
    "sleep(ZERO), timeout(ready), current(), in_async_context()",
    Limit::AtMostTimes(1.10),
    "native",
);
pub(crate) const DETECTION: Target =
    target("detection", "detection (current, in_async_context)", Limit::AtMostNs(5.0), "");
pub(crate) const JOIN_SET: Target =
    target("join_set", "`JoinSet` spawn + join", Limit::AtMostTimes(1.10), "tokio's `JoinSet`");
pub(crate) const JOIN_DRAIN: Target = target(
    "join_drain",
    "`JoinSet::try_join_next` draining 10,000 finished tasks",
    Limit::AtMostTimes(1.10),
    "tokio's `JoinSet`",
);
pub(crate) const TOKEN: Target = target(
    "token",
    "`CancellationToken` cancel/observe, tree cancel, child churn",
    Limit::AtMostTimes(1.10),
    "tokio-util's",
);
pub(crate) const PAUSED: Target = target(
    "paused",
    "10,000 random virtual sleeps, wall time on tokio current-thread",
    Limit::AtMostTimes(1.2),
    "tokio's own paused clock",
);
pub(crate) const TIMER_BYTES: Target = target(
    "timer_bytes",
    "heap bytes per pending virtual timer",
    Limit::AtMostTimes(1.0),
    "tokio's paused timer",
);
pub(crate) const NET_ECHO: Target =
    target("net_echo", "1-byte TCP echo round trip", Limit::AtMostTimes(1.05), "native sockets");
pub(crate) const NET_THROUGHPUT: Target =
    target("net_throughput", "64 MiB TCP throughput", Limit::AtLeastTimes(0.95), "native sockets");
pub(crate) const HTTP: Target =
    target("http", "hyper HTTP/1 requests/s", Limit::AtLeastTimes(0.9), "hyper-util on tokio");
pub(crate) const REDIS: Target = target(
    "redis",
    "tinykv pipelined SETs and sequential GETs",
    Limit::AtLeastTimes(0.9),
    "redis-rs's throughput",
);
pub(crate) const SPAWN_FLOOR: Target =
    floor("spawn_floor", SPAWN, "native spawn awaited through a handle of one's own");
pub(crate) const BLOCK_ON_FLOOR: Target =
    floor("block_on_floor", BLOCK_ON, "native after the runtime checks");
pub(crate) const DETECTION_FLOOR: Target = Target {
    label: "current(), in_async_context() on a plain thread",
    ..floor("detection_floor", TIME_OPS, "asking tokio and async-std")
};

/// The instruction count per operation of spawn + await off tokio and of `block_on` (the
/// instruction table; on tokio, spawn + await answers to [`SPAWN`] and a `JoinSet` to
/// [`JOIN_SET`]).
pub(crate) const INSTRUCTIONS: Target = Target {
    table: Table::Instructions,
    ..target("instructions", "instructions per operation", Limit::AtMostTimes(1.15), "native")
};

/// Every target, in the order of the tables of targets.
pub(crate) const TARGETS: &[Target] = &[
    SPAWN,
    ALLOCATIONS,
    BLOCK_ON,
    RUNTIME_PER_CALL,
    ROUND_TRIP,
    ROUND_TRIP_STRETCH,
    TO_THREAD,
    CONCURRENT,
    IDLE,
    TIME_OPS,
    DETECTION,
    PAUSED,
    TIMER_BYTES,
    JOIN_SET,
    JOIN_DRAIN,
    TOKEN,
    NET_ECHO,
    NET_THROUGHPUT,
    HTTP,
    REDIS,
    SPAWN_FLOOR,
    BLOCK_ON_FLOOR,
    DETECTION_FLOOR,
    INSTRUCTIONS,
];

/// The target named `case`.
pub(crate) fn by_case(case: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.case == case)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        for (i, target) in TARGETS.iter().enumerate() {
            assert!(TARGETS[..i].iter().all(|t| t.case != target.case), "{}", target.case);
        }
    }

    /// The rows of the tables of targets, as the report shows them.
    #[test]
    fn wordings() {
        let cases: &[(Target, &str)] = &[
            (SPAWN, "spawn + await ≤ 1.05× native and ≤ every peer"),
            (ALLOCATIONS, "allocations per spawn ≤ native + 1"),
            (RUNTIME_PER_CALL, "≥ 500× / ≥ 50× faster than a runtime per call"),
            (ROUND_TRIP, "runner round trip ≤ 1× native"),
            (CONCURRENT, "concurrent callers: throughput ≥ 0.90× native"),
            (IDLE, "idle runner: < 1 ms CPU over 2 s idle; RSS per extra runner ≤ 2 MiB"),
            (DETECTION, "detection (current, in_async_context) ≤ 5 ns"),
            (
                DETECTION_FLOOR,
                "current(), in_async_context() on a plain thread ≤ 1.10× asking tokio and \
                 async-std",
            ),
        ];
        for (target, wording) in cases {
            assert_eq!(target.wording(), *wording);
        }
    }

    /// Each kind of limit against values on either side of it, and on it.
    #[test]
    fn verdicts() {
        let cases: &[(Limit, f64, bool)] = &[
            (Limit::AtMostTimes(1.05), 1.05, true),
            (Limit::AtMostTimes(1.05), 1.0501, false),
            (Limit::AtLeastTimes(0.9), 0.9, true),
            (Limit::AtLeastTimes(0.9), 0.89, false),
            (Limit::AtMostPlus(1.0), 1.0, true),
            (Limit::AtMostPlus(1.0), 1.01, false),
            (Limit::AtMostNs(5.0), 4.9, true),
            (Limit::AtMostNs(5.0), 5.1, false),
            (IDLE.limit, 0.0, false),
        ];
        for (limit, value, met) in cases {
            assert_eq!(limit.met(*value), *met, "{limit:?} {value}");
        }
        assert!(IDLE.limit.idle_met(999.0, 2048.0));
        assert!(!IDLE.limit.idle_met(1000.0, 100.0));
        assert!(!IDLE.limit.idle_met(10.0, 2049.0));
        assert_eq!(RUNTIME_PER_CALL.limit.faster_by().len(), 2);
        assert!(SPAWN.limit.faster_by().is_empty());
    }
}

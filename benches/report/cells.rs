//! The cells of the report's tables, and its two common kinds of row: time ratios against a
//! baseline, and throughput ratios against a reference.

use std::fmt::Write as _;

use crate::results::Stat;
use crate::targets::Limit;
use crate::verdicts::firm_verdict;

/// A time per iteration: `12.3 ns`, `12.34 µs`, `1.23 ms`; `—` for NaN.
pub(crate) fn ns(value: f64) -> String {
    if value.is_nan() {
        "—".to_owned()
    } else if value < 1_000.0 {
        format!("{value:.1} ns")
    } else if value < 1_000_000.0 {
        format!("{:.2} µs", value / 1_000.0)
    } else {
        format!("{:.2} ms", value / 1_000_000.0)
    }
}

/// The fastest and slowest sample.
pub(crate) fn range(stat: &Stat) -> String {
    format!("{}–{}", ns(stat.min), ns(stat.max))
}

/// Operations per second from a time per iteration (ns) of `per_iteration` operations.
pub(crate) fn rate(per_iteration: f64, stat: &Stat) -> String {
    let per_second = per_iteration * 1e9 / stat.median;
    if per_second >= 1e6 {
        format!("{:.2}M", per_second / 1e6)
    } else if per_second >= 1e3 {
        format!("{:.1}k", per_second / 1e3)
    } else {
        format!("{per_second:.0}")
    }
}

/// What a row is judged against.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Against {
    /// A target's limit, against the baseline.
    Target(Limit),
    /// A target's limit, against its floor.
    Floor(Limit),
    /// Nothing: the row is there for reference.
    Reference,
}

/// A row of the template's ratio tables: `| case | native | loopbridge | ratio | ratio per
/// round | min–max | target | verdict |`, with the ratio loopbridge / native.
pub(crate) fn ratio_row(
    out: &mut String,
    case: &str,
    native: Option<&Stat>,
    loopbridge: Option<&Stat>,
    against: Against,
) -> Option<bool> {
    let target = match against {
        Against::Target(limit) => limit.to_string(),
        Against::Floor(limit) => format!("{limit} floor"),
        Against::Reference => "reference".to_owned(),
    };
    let (Some(native), Some(lb)) = (native, loopbridge) else {
        let _ = writeln!(out, "| {case} | — | — | — | | — | {target} | not measured |");
        return None;
    };
    // Time: loopbridge's over native's.
    let compared = Compared::new(
        lb,
        native,
        match against {
            Against::Target(limit) | Against::Floor(limit) => Some(limit),
            Against::Reference => None,
        },
    );
    let shown = if compared.judged { compared.shown.as_str() } else { "—" };
    let _ = writeln!(
        out,
        "| {case} | {} | {} | {:.2}× | {} | {} / {} | {target} | {shown} |",
        ns(native.median),
        ns(lb.median),
        compared.ratio,
        compared.per_round,
        range(native),
        range(lb),
    );
    Some(compared.met)
}

/// Two medians compared: `a / b`, the same ratio round by round, and whether it meets a limit
/// (firmly, or only within the rounds' noise). Every ratio row of the report is one.
#[derive(Debug)]
pub(crate) struct Compared {
    pub(crate) ratio: f64,
    /// The ratio per round, `a / b / c` (empty with a single round).
    pub(crate) per_round: String,
    /// Whether the median's ratio meets the limit (true without one).
    pub(crate) met: bool,
    /// The verdict as shown, settled or within noise; empty without a limit.
    pub(crate) shown: String,
    /// Whether there was a limit to judge by.
    pub(crate) judged: bool,
}

impl Compared {
    pub(crate) fn new(a: &Stat, b: &Stat, limit: Option<Limit>) -> Self {
        let ratio = a.median / b.median;
        let per_round = a.per_round(b, |a, b| a / b);
        let Some(limit) = limit else {
            return Compared { ratio, per_round, met: true, shown: String::new(), judged: false };
        };
        let rounds = a.round_values(b, |a, b| a / b);
        let met = limit.met(ratio);
        let shown = firm_verdict(met, &rounds, |r| limit.met(r));
        Compared { ratio, per_round, met, shown, judged: true }
    }
}

/// A row of a throughput table, `| case | flavour | reference | reference ops/s | measured
/// ops/s | throughput ratio | ratio per round | verdict |`, judged by `limit` on the throughput
/// ratio (reference time / measured time), or shown for reference without one.
pub(crate) fn throughput_row(
    out: &mut String,
    (case, flavour, reference_name): (&str, &str, &str),
    (reference, measured): (Option<&Stat>, Option<&Stat>),
    per_iteration: f64,
    limit: Option<Limit>,
) -> Option<bool> {
    let Some((reference, measured)) = reference.zip(measured) else {
        let _ =
            writeln!(out, "| {case} | {flavour} | {reference_name} | — | — | — | | not measured |");
        return None;
    };
    // Throughput: the reference's time over the measured one.
    let compared = Compared::new(reference, measured, limit);
    let shown = if compared.judged { compared.shown.as_str() } else { "(reference)" };
    let _ = writeln!(
        out,
        "| {case} | {flavour} | {reference_name} | {} | {} | {:.2}× | {} | {shown} |",
        rate(per_iteration, reference),
        rate(per_iteration, measured),
        compared.ratio,
        compared.per_round,
    );
    Some(compared.met)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations_and_rates() {
        assert_eq!(ns(12.34), "12.3 ns");
        assert_eq!(ns(12_340.0), "12.34 µs");
        assert_eq!(ns(1_234_000.0), "1.23 ms");
        assert_eq!(ns(f64::NAN), "—");
    }
}

//! Verdicts: of a row (met or not, and how firmly over the rounds) and of a target (how many
//! of its cases met it).

/// A row's verdict.
pub(crate) fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "**met**",
        Some(false) => "**not met**",
        None => "not measured",
    }
}

/// Whether a verdict is settled — every round's ratio on the same side of the limit — or
/// within this machine's run-to-run noise (rounds on both sides); empty with one round.
fn firmness(round_ratios: &[f64], met: impl Fn(f64) -> bool) -> &'static str {
    let rounds_met = round_ratios.iter().filter(|&&r| met(r)).count();
    match round_ratios.len() {
        0 | 1 => "",
        n if rounds_met == 0 || rounds_met == n => ", settled",
        _ => ", within noise",
    }
}

/// [`verdict`] with its [`firmness`].
pub(crate) fn firm_verdict(
    met: bool,
    round_ratios: &[f64],
    met_by: impl Fn(f64) -> bool,
) -> String {
    format!("{}{}", verdict(Some(met)), firmness(round_ratios, met_by))
}

/// Tallies the verdicts of one target.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    met: usize,
    missed: usize,
    absent: usize,
}

impl Tally {
    pub(crate) fn add(&mut self, met: Option<bool>) {
        match met {
            Some(true) => self.met += 1,
            Some(false) => self.missed += 1,
            None => self.absent += 1,
        }
    }

    /// The target's verdict: met, partly met, not met or not measured, and in how many cases.
    pub(crate) fn summary(&self) -> String {
        let total = self.met + self.missed + self.absent;
        let verdict = if self.absent == total {
            "not measured"
        } else if self.missed == 0 && self.absent == 0 {
            "**met**"
        } else if self.met == 0 {
            "**not met**"
        } else {
            "**partly met**"
        };
        format!("{verdict} ({} of {total} cases)", self.met)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firmness_over_the_rounds() {
        let at_most = |r: f64| r <= 1.0;
        assert_eq!(firm_verdict(true, &[0.9, 0.95, 0.99], at_most), "**met**, settled");
        assert_eq!(firm_verdict(true, &[0.9, 1.05, 0.99], at_most), "**met**, within noise");
        assert_eq!(firm_verdict(false, &[1.1, 1.2], at_most), "**not met**, settled");
        assert_eq!(firm_verdict(false, &[1.1], at_most), "**not met**");
    }

    #[test]
    fn tallies() {
        let cases: &[(&[Option<bool>], &str)] = &[
            (&[], "not measured (0 of 0 cases)"),
            (&[None, None], "not measured (0 of 2 cases)"),
            (&[Some(true), Some(true)], "**met** (2 of 2 cases)"),
            (&[Some(true), None], "**partly met** (1 of 2 cases)"),
            (&[Some(true), Some(false)], "**partly met** (1 of 2 cases)"),
            (&[Some(false), None], "**not met** (0 of 2 cases)"),
        ];
        for (verdicts, summary) in cases {
            let mut tally = Tally::default();
            verdicts.iter().for_each(|v| tally.add(*v));
            assert_eq!(tally.summary(), *summary, "{verdicts:?}");
        }
    }
}

//! The tables of the report's sections, with the verdicts of the targets they measure: one
//! function per section, each giving the values of that section's placeholders and the
//! verdicts of its targets.

use crate::render::Values;
use crate::results::Results;
use crate::targets::Target;
use crate::verdicts::Tally;

mod io;
mod tasks;
mod threads;
mod time_ops;

/// The flavours, in report order.
const FLAVOURS: [&str; 4] = ["tokio_mt", "tokio_ct", "smol", "async_std"];

/// The peers of the spawn bench.
const PEERS: [&str; 4] = ["async_executors", "agnostic_lite", "spawns", "async_rs"];

/// What the sections give the report.
#[derive(Debug, Default)]
pub(crate) struct Out {
    /// The values of the sections' placeholders.
    pub(crate) values: Values,
    /// Each target's verdict (its [`Tally`]'s summary), by [`Target::case`].
    pub(crate) verdicts: Vec<(&'static str, String)>,
}

impl Out {
    fn verdict(&mut self, target: Target, tally: &Tally) {
        self.verdicts.push((target.case, tally.summary()));
    }
}

/// The placeholders' values and the targets' verdicts of every section.
pub(crate) fn sections(results: &Results) -> Out {
    let mut out = Out::default();
    tasks::spawn(results, &mut out);
    tasks::allocations(results, &mut out);
    threads::block_on(results, &mut out);
    threads::runtime_per_call(results, &mut out);
    threads::round_trip(results, &mut out);
    threads::to_thread(results, &mut out);
    threads::concurrent(results, &mut out);
    threads::idle(results, &mut out);
    time_ops::time_ops(results, &mut out);
    time_ops::paused(results, &mut out);
    tasks::structured(results, &mut out);
    io::net(results, &mut out);
    io::protocols(results, &mut out);
    out
}

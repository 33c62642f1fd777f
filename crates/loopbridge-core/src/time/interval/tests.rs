use super::*;

const MS: Duration = Duration::from_millis(1);

#[test]
fn missed_tick_policies_match_tokio() {
    let period = 10 * MS;
    let due = Instant::now();
    let now = due + 25 * MS; // taken 25 ms late: 2.5 periods
    assert_eq!(MissedTickBehavior::Burst.next(due, now, period), Some(due + 10 * MS));
    assert_eq!(MissedTickBehavior::Delay.next(due, now, period), Some(now + 10 * MS));
    assert_eq!(MissedTickBehavior::Skip.next(due, now, period), Some(due + 30 * MS));
    // Exactly on a later tick of the schedule: skip to the one after it.
    let now = due + 20 * MS;
    assert_eq!(MissedTickBehavior::Skip.next(due, now, period), Some(due + 30 * MS));
}

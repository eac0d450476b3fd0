//! Who has the loudspeakers: the on-air priorities and the decision, as one pure function.
//!
//! `emergency` > `live` (the microphone) > `scheduled` (bulletins, greetings) > `background`
//! (music). A more urgent request pre-empts what is on air within one output buffer; the
//! pre-empted item is paused and resumed (or restarted) afterwards. Requests of the same
//! priority follow each other (the chime, then the message). Background music never interrupts
//! anything and is ducked under everything else. (That a newer emergency replaces the one on
//! air is the emergency controller's decision: it stops the old one first.)

use serde::{Deserialize, Serialize};

/// How urgent something on air is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Music under everything else.
    Background,
    /// The programme: bulletins, greetings, notices.
    Scheduled,
    /// The microphone.
    Live,
    /// Emergency announcements.
    Emergency,
}

/// What to do with an incoming request, given what is on air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Nothing is on air: play it now.
    Start,
    /// Pause what is on air, play this now, then carry on with the paused one.
    Preempt,
    /// Wait until what is on air, and anything more urgent, has finished.
    Queue,
    /// Play it under what is on air, ducked (background music).
    Duck,
}

/// The whole policy. `on_air` is the foreground priority on air (background music does not
/// count: it only ever plays under).
pub fn decide(on_air: Option<Priority>, incoming: Priority) -> Decision {
    match (on_air, incoming) {
        (Some(_), Priority::Background) => Decision::Duck,
        (None, _) => Decision::Start,
        (Some(current), new) if new > current => Decision::Preempt,
        (Some(_), _) => Decision::Queue,
    }
}

/// How much quieter background music plays under an announcement, in dB.
pub const DUCK_DB: f32 = -18.0;

#[cfg(test)]
mod tests {
    use super::*;
    use Priority::*;

    const ALL: [Priority; 4] = [Background, Scheduled, Live, Emergency];

    #[test]
    fn every_pair_of_priorities_has_the_expected_decision() {
        for on_air in ALL
            .iter()
            .copied()
            .filter(|p| *p != Background)
            .map(Some)
            .chain([None])
        {
            for incoming in ALL {
                let d = decide(on_air, incoming);
                let expected = match on_air {
                    None => Decision::Start,
                    Some(_) if incoming == Background => Decision::Duck,
                    Some(c) if incoming > c => Decision::Preempt,
                    Some(_) => Decision::Queue,
                };
                assert_eq!(d, expected, "{on_air:?} on air, {incoming:?} arrives");
            }
        }
    }

    #[test]
    fn an_emergency_takes_over_anything() {
        for on_air in [Scheduled, Live] {
            assert_eq!(decide(Some(on_air), Emergency), Decision::Preempt);
        }
        assert_eq!(
            decide(Some(Emergency), Emergency),
            Decision::Queue,
            "the message follows its chime"
        );
    }

    #[test]
    fn nothing_interrupts_an_emergency() {
        for incoming in [Scheduled, Live] {
            assert_eq!(decide(Some(Emergency), incoming), Decision::Queue);
        }
        assert_eq!(decide(Some(Emergency), Background), Decision::Duck);
    }
}

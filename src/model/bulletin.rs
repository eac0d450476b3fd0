//! Typed bulletins (bản tin văn bản): a notice an editor writes, which a voice reads into a
//! recording. Once read, it is a broadcast item like any other (the plan and the runner take it
//! as one); what it adds is the text, the voice, the rate and what the voice was given to read.
//! Plain data: it does not read text aloud (`review::bulletins` does) and knows nothing of SQL.

use serde::{Deserialize, Serialize};

use super::item::{Item, NewItem, Placement};
use super::media::Category;

/// A typed bulletin as staff write it.
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct NewBulletin {
    /// Title, as lists and the as-run log show it.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// The notice, as written: numbers, dates, times and abbreviations are read out in words.
    #[schema(min_length = 1, max_length = 5000)]
    pub text: String,
    /// `vi` (Northern), `vi-central`, `vi-south`, or the Piper voice `[speech] voice` names.
    #[serde(default = "north")]
    #[schema(example = "vi")]
    pub voice: String,
    /// Reading speed in words per minute, 80–450.
    #[serde(default = "natural")]
    #[schema(minimum = 80, maximum = 450, example = 140)]
    pub rate: u16,
    /// Category (usually `notice` or `bulletin`): which playlist parts take it.
    #[serde(default = "notice")]
    pub category: Category,
    /// Where and when it airs.
    #[serde(flatten)]
    pub placement: Placement,
    /// The recording the station read it into (set by the station, never by the caller).
    #[serde(skip)]
    pub media_id: Option<i64>,
    /// What the voice was given to read (set with the recording).
    #[serde(skip)]
    pub reading: Option<String>,
}

impl NewBulletin {
    /// The item it airs as once read into the recording `media_id`: the one place a bulletin
    /// becomes an item, for the item's checks and for its row.
    pub fn item(&self, media_id: i64) -> NewItem {
        NewItem {
            media_id,
            title: self.title.clone(),
            category: self.category,
            placement: self.placement.clone(),
        }
    }
}

fn north() -> String {
    "vi".into()
}

fn natural() -> u16 {
    140
}

fn notice() -> Category {
    Category::Notice
}

/// A stored typed bulletin: the item it airs as, and what was read.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Bulletin {
    /// The broadcast item (its `media_id` is the recording the approver hears).
    #[serde(flatten)]
    pub item: Item,
    /// The notice as written.
    pub text: String,
    /// The voice that read it.
    pub voice: String,
    /// Its rate, in words per minute.
    pub rate: u16,
    /// Exactly what the voice read (numbers and abbreviations written out).
    pub reading: String,
}

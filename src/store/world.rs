//! `World`: the whole state of one sandbox. Each vendor owns its tables; vendors never read each
//! other's. Reset and reseed build a new `World` and swap it in whole.

use serde::{Deserialize, Serialize};

use crate::seed::{SeedPlan, fixtures::FixtureError, population};
use crate::vendors::{authress, finapi, obp};

use super::{Clock, Ids};

#[derive(Debug)]
pub struct World {
    pub clock: Clock,
    pub ids: Ids,
    pub finapi: finapi::State,
    pub obp: obp::State,
    pub authress: authress::State,
}

/// The version tag of exported states; an import of another format is refused.
pub const STATE_FORMAT: &str = "user-sandbox-state/1";

/// A whole world as JSON (`GET /__admin/state`, the state file, checkpoints).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorldState {
    pub format: String,
    pub seed: u64,
    /// Whether the clock is fixed, and its time (fixed) or offset from system time, in ms.
    pub clock_fixed: bool,
    pub clock_millis: i64,
    /// Draw counters of the id generator, per purpose.
    pub ids: Vec<u64>,
    pub finapi: serde_json::Value,
    pub obp: serde_json::Value,
    pub authress: serde_json::Value,
}

impl World {
    /// Builds the seeded world: the same plan always gives the same world.
    pub fn build(plan: &SeedPlan) -> Result<Self, FixtureError> {
        let clock = Clock::new(plan.clock);
        let ids = Ids::new(plan.seed);
        let people = population(plan, clock.now());
        let finapi = finapi::State::seed(&plan.fixtures.vendor("finapi")?, &people, &clock)?;
        let obp = obp::State::seed(&plan.fixtures, &people, &clock)?;
        let authress = authress::State::seed(&plan.fixtures, &people, &clock)?;
        Ok(Self {
            clock,
            ids,
            finapi,
            obp,
            authress,
        })
    }

    pub fn export(&self) -> WorldState {
        let (clock_fixed, clock_millis) = self.clock.raw();
        WorldState {
            format: STATE_FORMAT.into(),
            seed: self.ids.seed(),
            clock_fixed,
            clock_millis,
            ids: self.ids.counters(),
            finapi: self.finapi.export(),
            obp: self.obp.export(),
            authress: self.authress.export(),
        }
    }

    pub fn import(state: WorldState) -> Result<Self, String> {
        if state.format != STATE_FORMAT {
            return Err(format!(
                "unsupported state format '{}' (this server reads '{STATE_FORMAT}')",
                state.format
            ));
        }
        let ids = Ids::new(state.seed);
        ids.restore_counters(&state.ids);
        Ok(Self {
            clock: Clock::from_raw(state.clock_fixed, state.clock_millis),
            ids,
            finapi: finapi::State::import(state.finapi)?,
            obp: obp::State::import(state.obp)?,
            authress: authress::State::import(state.authress)?,
        })
    }
}

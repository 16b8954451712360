//! `World`: the whole state of one sandbox. Each vendor owns its tables; vendors never read each
//! other's. Reset and reseed build a new `World` and swap it in whole.

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
}

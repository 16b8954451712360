//! Seeding: fixture people first, then `--users` fake ones, all from one ChaCha8 seed.

pub mod fixtures;
pub mod people;
pub mod progress;

pub use fixtures::Fixtures;
pub use people::{Person, population};

use std::sync::Arc;

use crate::store::clock::ClockMode;
use crate::store::world::Kinds;

/// Threads a seed builds on: one per core this process may run on.
pub(crate) fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Everything a world is built from: the same plan always builds the same world.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub seed: u64,
    /// Fake people added after the fixture people.
    pub users: usize,
    pub clock: ClockMode,
    pub fixtures: Arc<Fixtures>,
    /// The vendors whose parts make up the world.
    pub vendors: Kinds,
}

impl SeedPlan {
    /// A plan over the embedded fixtures of the given vendors.
    pub fn embedded(
        seed: u64,
        users: usize,
        clock: ClockMode,
        vendors: Kinds,
    ) -> Result<Self, fixtures::FixtureError> {
        Ok(Self {
            seed,
            users,
            clock,
            fixtures: Arc::new(Fixtures::embedded(&vendors)?),
            vendors,
        })
    }
}

//! The vendor-neutral core: one `World` per sandbox, its clock and id generator,
//! neutral errors and the only paging code.

pub mod clock;
pub mod error;
pub mod ids;
pub mod index;
pub mod ngram;
pub mod page;
pub mod sandbox;
pub mod secondary;
pub mod secret;
pub mod state_schema;
pub mod table;
pub mod world;

pub use clock::Clock;
pub use error::StoreError;
pub use ids::{Ids, Purpose};
pub use page::{OffsetWindow, Page};
pub use sandbox::{Caller, RequestContext, Sandbox, Sandboxes};
pub use secret::Password;
pub use table::Table;
pub use world::World;

/// A concurrent map hashed with foldhash (randomly seeded per map) instead of SipHash: the maps
/// a request looks its token or counters up in, where SipHash over a long token was a
/// noticeable share of the request's instructions.
pub type FastMap<K, V> = dashmap::DashMap<K, V, foldhash::fast::RandomState>;

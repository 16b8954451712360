//! Fidelity to the vendors themselves, beyond our own snapshots.

mod contract;

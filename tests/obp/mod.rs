//! Open Bank Project endpoints.

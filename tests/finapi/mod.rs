//! finAPI: OAuth, users and mandator administration.

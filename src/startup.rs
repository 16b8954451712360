//! Builds the server: loads fixtures, seeds the default world, binds, and mounts every scope once.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

use crate::seed::{Fixtures, SeedPlan};
use crate::settings::Settings;
use crate::store::{Sandboxes, sandbox};
use crate::{admin, docs, vendors};

/// Named sandboxes allowed at once.
pub const MAX_SANDBOXES: usize = 64;

pub struct Application {
    port: u16,
    host: String,
    server: Server,
    sandboxes: web::Data<Sandboxes>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Fixtures(#[from] crate::seed::fixtures::FixtureError),
    #[error("cannot listen on {address}: {source}")]
    Bind { address: String, source: std::io::Error },
}

impl Application {
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        let fixtures = match &settings.fixtures {
            Some(dir) => Fixtures::from_dir(dir)?,
            None => Fixtures::embedded()?,
        };
        let plan = SeedPlan {
            seed: settings.seed,
            users: settings.users,
            clock: settings.clock,
            fixtures: Arc::new(fixtures),
        };
        let sandboxes = web::Data::new(Sandboxes::new(plan, MAX_SANDBOXES)?);
        let address = format!("{}:{}", settings.host, settings.port);
        let listener = TcpListener::bind(&address).map_err(|source| StartupError::Bind {
            address: address.clone(),
            source,
        })?;
        let port = listener.local_addr().map_err(|source| StartupError::Bind { address, source })?.port();
        let data = sandboxes.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .configure(vendors::finapi::configure)
                .configure(vendors::obp::configure)
                .configure(vendors::authress::configure)
                .configure(admin::configure)
                .service(docs::swagger_ui())
                .route("/", web::get().to(docs::landing))
                .default_service(web::to(not_found))
                .wrap(from_fn(sandbox::resolve))
                .wrap(Cors::permissive().max_age(3600))
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            address: settings.host.clone(),
            source,
        })?
        .run();
        Ok(Self {
            port,
            host: settings.host,
            server,
            sandboxes,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn base_url(&self) -> String {
        let host = if self.host == "0.0.0.0" { "127.0.0.1" } else { &self.host };
        format!("http://{host}:{}", self.port)
    }

    /// The startup banner: URLs and every vendor's fixture credentials.
    pub fn banner(&self) -> String {
        let base = self.base_url();
        let world = self.sandboxes.world(None).ok();
        let credentials = world
            .map(|w| admin::handlers::credentials_of(&w, &base))
            .unwrap_or_default();
        docs::banner(&base, &credentials)
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    HttpResponse::NotFound().json(serde_json::json!({
        "status": 404,
        "message": format!("Nothing at {} {}; see / for what this sandbox serves", req.method(), req.path()),
    }))
}

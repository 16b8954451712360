//! Builds the server: loads fixtures and state, seeds the default world, binds, and mounts every
//! scope once.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

use crate::admin::faults::{FaultBook, FaultSet};
use crate::admin::journal::Journal;
use crate::admin::operations::Operations;
use crate::admin::persistence::{self, PersistenceError};
use crate::admin::pipeline::{self, ControlPlane};
use crate::seed::{Fixtures, SeedPlan};
use crate::settings::Settings;
use crate::store::sandbox::DEFAULT;
use crate::store::{Sandboxes, sandbox};
use crate::{admin, docs, inspector, vendors};

pub struct Application {
    port: u16,
    host: String,
    server: Server,
    sandboxes: web::Data<Sandboxes>,
    state_file: Option<PathBuf>,
    save_interval: Duration,
    admin_token: bool,
    /// People in the default sandbox at start, and how long seeding them took.
    seeded: (usize, Duration),
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Fixtures(#[from] crate::seed::fixtures::FixtureError),
    #[error(transparent)]
    State(#[from] PersistenceError),
    #[error("cannot read the fault rules in {path}: {reason}")]
    Faults { path: PathBuf, reason: String },
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
}

fn load_faults(path: &PathBuf) -> Result<FaultSet, StartupError> {
    let fail = |reason: String| StartupError::Faults {
        path: path.clone(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let set: FaultSet = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
    set.validate().map_err(fail)?;
    Ok(set)
}

/// The default sandbox as the settings describe it (seed, fixtures, then the state file), with
/// progress on the terminal while a large population is seeded.
fn default_sandboxes(settings: &Settings) -> Result<(Sandboxes, (usize, Duration)), StartupError> {
    let fixtures = match &settings.fixtures {
        Some(dir) => Fixtures::from_dir(dir)?,
        None => Fixtures::embedded(&vendors::kinds())?,
    };
    let people = fixtures.people.len() + settings.users;
    let plan = SeedPlan {
        seed: settings.seed,
        users: settings.users,
        clock: settings.clock,
        fixtures: Arc::new(fixtures),
        vendors: vendors::kinds(),
    };
    let (sandboxes, took) =
        crate::seed::progress::report(people, || Sandboxes::new(plan, settings.max_sandboxes));
    let sandboxes = sandboxes?;
    if let Some(path) = &settings.state_file {
        persistence::load(path, &sandboxes)?;
    }
    Ok((sandboxes, (people, took)))
}

/// `--print-credentials`: what `GET /__admin/credentials` would answer, without binding a port.
pub fn credentials(settings: &Settings) -> Result<serde_json::Value, StartupError> {
    let (sandboxes, _) = default_sandboxes(settings)?;
    let base = public_base_url(&settings.host, settings.port);
    let fixtures = &sandboxes.plan().fixtures;
    Ok(sandboxes
        .world(None)
        .map(|w| vendors::credentials(&w, fixtures, &base))
        .unwrap_or_default())
}

/// The URL a client on this machine uses: a wildcard bind is reached over loopback.
fn public_base_url(host: &str, port: u16) -> String {
    let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
    format!("http://{host}:{port}")
}

impl Application {
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        let (sandboxes, seeded) = default_sandboxes(&settings)?;
        let sandboxes = web::Data::new(sandboxes);
        let faults = FaultBook::default();
        if let Some(path) = &settings.faults {
            faults.set(DEFAULT, load_faults(path)?);
        }
        let control = web::Data::new(ControlPlane {
            journal: Journal::new(settings.journal_size),
            faults,
            operations: Operations::from_documents(),
            admin_token: settings.admin_token.clone(),
            max_body: settings.max_body,
        });
        let address = format!("{}:{}", settings.host, settings.port);
        let listener = TcpListener::bind(&address).map_err(|source| StartupError::Bind {
            address: address.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind { address, source })?
            .port();
        let data = sandboxes.clone();
        let max_state_body = settings.max_state_body;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(control.clone())
                .configure(vendors::configure)
                .configure(|cfg| admin::configure(cfg, max_state_body))
                .service(docs::swagger_ui())
                .route("/", web::get().to(inspector::page))
                .default_service(web::to(not_found))
                .wrap(from_fn(pipeline::observe))
                .wrap(from_fn(sandbox::resolve))
                .wrap(crate::cors::Cors::new(&settings.cors_origins))
        })
        // A client gets 5 s to send its request head and 30 s idle between keep-alive requests,
        // so half-sent (slowloris) requests are dropped with 408 instead of holding a slot.
        .client_request_timeout(Duration::from_secs(5))
        .client_disconnect_timeout(Duration::from_secs(1))
        .keep_alive(Duration::from_secs(30))
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
            state_file: settings.state_file,
            save_interval: Duration::from_secs(settings.state_save_interval.max(1)),
            admin_token: settings.admin_token.is_some(),
            seeded,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn base_url(&self) -> String {
        public_base_url(&self.host, self.port)
    }

    /// The startup banner: URLs and every vendor's fixture credentials.
    pub fn banner(&self) -> String {
        let base = self.base_url();
        let credentials = self
            .sandboxes
            .world(None)
            .map(|w| vendors::credentials(&w, &self.sandboxes.plan().fixtures, &base))
            .unwrap_or_default();
        let mut banner = docs::banner(&base, &credentials);
        let (people, took) = self.seeded;
        banner.push_str(&format!(
            "\nseeded {people} people in {}\n",
            crate::seed::progress::human(took)
        ));
        if let Some(warning) = control_plane_warning(&self.host, self.admin_token) {
            banner.push_str(&format!("\n!!! WARNING: {warning} !!!\n"));
        }
        banner
    }

    /// Serves until SIGINT/SIGTERM; with a state file, saves it periodically and after the last
    /// in-flight request has been answered.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Some(path) = self.state_file else {
            return self.server.await;
        };
        let sandboxes = self.sandboxes.clone();
        let periodic_path = path.clone();
        let interval = self.save_interval;
        let saver = actix_web::rt::spawn(async move {
            let mut ticks = actix_web::rt::time::interval(interval);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                if let Err(e) = persistence::save(&periodic_path, &sandboxes) {
                    eprintln!("error: {e}");
                }
            }
        });
        let served = self.server.await;
        saver.abort();
        persistence::save(&path, &self.sandboxes).map_err(std::io::Error::other)?;
        served
    }
}

/// The warning for a control plane open to the network: a non-loopback bind without a token.
pub fn control_plane_warning(host: &str, admin_token: bool) -> Option<&'static str> {
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (!loopback && !admin_token).then_some(
        "listening on a non-loopback address without --admin-token: anyone who can reach this port \
         can reset, read and rewrite every sandbox through /__admin",
    )
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    HttpResponse::NotFound().json(serde_json::json!({
        "status": 404,
        "message": format!("Nothing at {} {}; see / for what this sandbox serves", req.method(), req.path()),
    }))
}

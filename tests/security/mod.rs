//! The security matrix, generated from one table of protected operations: every operation
//! refuses a missing, malformed, expired (by the sandbox clock), revoked and forged token and a
//! token of the wrong kind (client vs user, another vendor's, another sandbox's); role-gated
//! operations refuse a caller without the role. A new endpoint is covered by adding its row.
//! Also: one user's token never reaches another user's data, and secrets stay out of the
//! journal and of error bodies.

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use crate::support::{TestApp, spawn_app, status_and_json};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    FinapiClient,
    FinapiUser,
    FinapiAdmin,
    /// A DirectLogin user; the role (if any) is in `Op::role`.
    Obp,
    /// An Authress service client; the access it needs is in `Op::role`.
    AuthressClient,
}

/// One protected operation.
struct Op {
    method: Method,
    path: &'static str,
    kind: Kind,
    /// The OBP role or Authress access needed; `None` for any authenticated caller.
    role: Option<&'static str>,
}

const fn op(method: Method, path: &'static str, kind: Kind, role: Option<&'static str>) -> Op {
    Op {
        method,
        path,
        kind,
        role,
    }
}

const FELIX_OBP: &str = crate::obp::FELIX_ID;

/// Every protected operation of the three vendors.
fn table() -> Vec<Op> {
    use Kind::*;
    vec![
        op(Method::POST, "/api/v1/users", FinapiClient, None),
        op(Method::GET, "/api/v1/users", FinapiUser, None),
        op(Method::PATCH, "/api/v1/users", FinapiUser, None),
        op(Method::DELETE, "/api/v1/users", FinapiUser, None),
        op(
            Method::GET,
            "/api/v1/users/verificationStatus?userId=felixsmith",
            FinapiClient,
            None,
        ),
        op(
            Method::POST,
            "/api/v1/users/requestPasswordChange",
            FinapiClient,
            None,
        ),
        op(
            Method::POST,
            "/api/v1/users/executePasswordChange",
            FinapiClient,
            None,
        ),
        op(
            Method::POST,
            "/api/v1/users/verify/erika.musterfrau",
            FinapiClient,
            None,
        ),
        op(
            Method::DELETE,
            "/api/v1/users/erika.musterfrau",
            FinapiClient,
            None,
        ),
        op(
            Method::POST,
            "/api/v1/mandatorAdmin/changeClientCredentials",
            FinapiAdmin,
            None,
        ),
        op(
            Method::POST,
            "/api/v1/mandatorAdmin/deleteUsers",
            FinapiAdmin,
            None,
        ),
        op(
            Method::GET,
            "/api/v1/mandatorAdmin/getUserList",
            FinapiAdmin,
            None,
        ),
        op(Method::GET, "/obp/v4.0.0/users/current", Obp, None),
        op(Method::GET, "/obp/v4.0.0/users/current/user_id", Obp, None),
        op(Method::GET, "/obp/v4.0.0/users", Obp, Some("CanGetAnyUser")),
        op(
            Method::GET,
            "/obp/v4.0.0/users/username/ada.lovelace",
            Obp,
            Some("CanGetAnyUser"),
        ),
        op(
            Method::GET,
            "/obp/v4.0.0/users/email/ada@example.com/terminator",
            Obp,
            Some("CanGetAnyUser"),
        ),
        op(
            Method::DELETE,
            "/obp/v4.0.0/users/{FELIX}",
            Obp,
            Some("CanDeleteUser"),
        ),
        op(
            Method::POST,
            "/obp/v4.0.0/users/ada.lovelace/locks",
            Obp,
            Some("CanLockUser"),
        ),
        op(
            Method::PUT,
            "/obp/v4.0.0/users/ada.lovelace/lock-status",
            Obp,
            Some("CanUnlockUser"),
        ),
        op(Method::GET, "/v1/users", AuthressClient, Some("users:read")),
        op(
            Method::GET,
            "/v1/users/{AUTHRESS_USER}",
            AuthressClient,
            Some("users:read"),
        ),
        op(
            Method::DELETE,
            "/v1/users/{AUTHRESS_USER}",
            AuthressClient,
            Some("users:delete"),
        ),
        op(
            Method::GET,
            "/v1/tenants",
            AuthressClient,
            Some("tenants:read"),
        ),
        op(
            Method::GET,
            "/v1/tenants/{TENANT}",
            AuthressClient,
            Some("tenants:read"),
        ),
        op(
            Method::PATCH,
            "/v1/tenants/{TENANT}/users",
            AuthressClient,
            Some("tenants:update"),
        ),
    ]
}

fn vendor_of(kind: Kind) -> &'static str {
    match kind {
        Kind::FinapiClient | Kind::FinapiUser | Kind::FinapiAdmin => "finapi",
        Kind::Obp => "obp",
        Kind::AuthressClient => "authress",
    }
}

/// How a credential is presented.
#[derive(Debug, Clone)]
enum Cred {
    None,
    Bearer(String),
    DirectLogin(String),
}

/// Valid credentials of every kind, in one sandbox.
struct Creds {
    finapi_client: String,
    finapi_user: String,
    finapi_admin: String,
    /// The super admin (every role) and Felix (no user-management role).
    obp_admin: String,
    obp_felix: String,
    authress_full: String,
    authress_none: String,
}

impl Creds {
    async fn of(app: &TestApp, prefix: &str) -> Self {
        let finapi_token = |credentials: crate::finapi::Credentials| async move {
            let (status, body) = status_and_json(
                app.post(&format!(
                    "{prefix}/oauth/token?grant_type=client_credentials&client_id={}&client_secret={}",
                    credentials.0, credentials.1
                ))
                .send()
                .await
                .unwrap(),
            )
            .await;
            assert_eq!(status, 200, "{body}");
            body["access_token"].as_str().unwrap().to_string()
        };
        let (c, s) = crate::finapi::CLIENT;
        let (u, p) = crate::finapi::FELIX;
        let user = app
            .post(&format!(
                "{prefix}/oauth/token?grant_type=password&client_id={c}&client_secret={s}&username={u}&password={p}"
            ))
            .send()
            .await
            .unwrap();
        let (status, user) = status_and_json(user).await;
        assert_eq!(status, 200, "{user}");
        let obp_login = |(username, password): crate::obp::Credentials| async move {
            let (status, body) = status_and_json(
                app.post(&format!("{prefix}/my/logins/direct"))
                    .header("Content-Type", "application/json")
                    .header(
                        "DirectLogin",
                        format!(
                            "username={username}, password={password}, consumer_key={}",
                            crate::obp::CONSUMER_KEY
                        ),
                    )
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(status, 201, "{body}");
            body["token"].as_str().unwrap().to_string()
        };
        let base = format!("{}{prefix}", app.address);
        // Each sandbox's fixture clients have that sandbox's own keys.
        let sandbox = prefix.strip_prefix("/sandboxes/").unwrap_or("default");
        let authress = |client: &'static str| {
            let base = base.clone();
            async move {
                let key = crate::authress::fixture_key_in(app, sandbox, client).await;
                key.sign(&key.claims(&base))
            }
        };
        Self {
            finapi_client: finapi_token(crate::finapi::CLIENT).await,
            finapi_user: user["access_token"].as_str().unwrap().to_string(),
            finapi_admin: finapi_token(crate::finapi::ADMIN).await,
            obp_admin: obp_login(crate::obp::ADMIN).await,
            obp_felix: obp_login(crate::obp::FELIX).await,
            authress_full: authress(crate::authress::FULL).await,
            authress_none: authress(crate::authress::NO_ACCESS).await,
        }
    }

    /// The right credential for an operation (with every role).
    fn valid(&self, kind: Kind) -> Cred {
        match kind {
            Kind::FinapiClient => Cred::Bearer(self.finapi_client.clone()),
            Kind::FinapiUser => Cred::Bearer(self.finapi_user.clone()),
            Kind::FinapiAdmin => Cred::Bearer(self.finapi_admin.clone()),
            Kind::Obp => Cred::DirectLogin(self.obp_admin.clone()),
            Kind::AuthressClient => Cred::Bearer(self.authress_full.clone()),
        }
    }

    /// Credentials of the wrong kind for an operation: the vendor's other token kinds and
    /// every other vendor's valid tokens, presented the way this vendor reads tokens.
    fn wrong_kinds(&self, kind: Kind) -> Vec<(String, Cred)> {
        let mut out = Vec::new();
        let finapi = [
            (Kind::FinapiClient, &self.finapi_client),
            (Kind::FinapiUser, &self.finapi_user),
            (Kind::FinapiAdmin, &self.finapi_admin),
        ];
        for (k, token) in finapi {
            if k != kind {
                out.push((format!("finAPI {k:?} token"), self.present(kind, token)));
            }
        }
        if kind != Kind::Obp {
            out.push(("OBP token".into(), self.present(kind, &self.obp_admin)));
        }
        if kind != Kind::AuthressClient {
            out.push((
                "Authress JWT".into(),
                self.present(kind, &self.authress_full),
            ));
        }
        if kind == Kind::Obp {
            // A bearer token where OBP wants DirectLogin.
            out.push((
                "finAPI bearer".into(),
                Cred::Bearer(self.finapi_client.clone()),
            ));
        }
        out
    }

    /// A token string presented the way an operation's vendor reads tokens.
    fn present(&self, kind: Kind, token: &str) -> Cred {
        match kind {
            Kind::Obp => Cred::DirectLogin(token.to_string()),
            _ => Cred::Bearer(token.to_string()),
        }
    }
}

/// The ids a path template names.
struct Ids {
    authress_user: String,
    tenant: String,
}

fn fill(path: &str, ids: &Ids) -> String {
    path.replace("{FELIX}", FELIX_OBP)
        .replace(
            "{AUTHRESS_USER}",
            &percent_encoding::utf8_percent_encode(
                &ids.authress_user,
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string(),
        )
        .replace("{TENANT}", &ids.tenant)
}

fn build(app: &TestApp, prefix: &str, op: &Op, ids: &Ids, cred: &Cred) -> RequestBuilder {
    let mut request = app
        .request(
            op.method.clone(),
            &format!("{prefix}{}", fill(op.path, ids)),
        )
        .header("Content-Type", "application/json");
    if op.method != Method::GET && op.method != Method::DELETE {
        request = request.body(
            json!({ "userId": ids.authress_user, "userIds": ["nobody"], "password": "x" })
                .to_string(),
        );
    }
    match cred {
        Cred::None => request,
        Cred::Bearer(token) => request.bearer_auth(token),
        Cred::DirectLogin(token) => request.header("DirectLogin", format!("token={token}")),
    }
}

/// Asserts a refusal in the vendor's shape: 401 (400 for OBP's invalid tokens, as OBP answers),
/// or 403 where `forbidden` is allowed.
fn assert_refused(what: &str, op: &Op, status: u16, body: &Value, forbidden: bool) {
    let vendor = vendor_of(op.kind);
    let allowed: &[u16] = match (vendor, forbidden) {
        ("obp", false) => &[400, 401],
        ("obp", true) => &[400, 401, 403],
        (_, false) => &[401],
        (_, true) => &[401, 403],
    };
    assert!(
        allowed.contains(&status),
        "{what}: {} {} answered {status} {body}",
        op.method,
        op.path
    );
    let shaped = match vendor {
        "finapi" => body["error"].is_string() || body["errors"][0]["code"].is_string(),
        "obp" => {
            body["code"] == status
                && body["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("OBP-"))
        }
        _ => body["errorCode"].is_string(),
    };
    assert!(
        shaped,
        "{what}: {} {}: not the vendor's error: {body}",
        op.method, op.path
    );
}

async fn ids(app: &TestApp, creds: &Creds) -> Ids {
    let users: Value = app
        .get("/v1/users?limit=1")
        .bearer_auth(&creds.authress_full)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tenants: Value = app
        .get("/v1/tenants")
        .bearer_auth(&creds.authress_full)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Ids {
        authress_user: users["users"][0]["userId"].as_str().unwrap().to_string(),
        tenant: tenants["tenants"][0]["tenantId"]
            .as_str()
            .unwrap()
            .to_string(),
    }
}

async fn call(app: &TestApp, prefix: &str, op: &Op, ids: &Ids, cred: &Cred) -> (u16, Value) {
    status_and_json(build(app, prefix, op, ids, cred).send().await.unwrap()).await
}

#[tokio::test]
async fn every_protected_operation_refuses_missing_malformed_forged_and_wrong_kind_tokens() {
    let app = spawn_app().await;
    let creds = Creds::of(&app, "").await;
    // Same seed, same requests, another sandbox: its tokens are its own (the sandbox name is
    // part of the token draws), so none is a string the default sandbox issued.
    let other = Creds::of(&app, "/sandboxes/elsewhere").await;
    let issued_here = [
        &creds.finapi_client,
        &creds.finapi_user,
        &creds.finapi_admin,
        &creds.obp_admin,
        &creds.obp_felix,
    ];
    for token in [
        &other.finapi_client,
        &other.finapi_user,
        &other.finapi_admin,
        &other.obp_admin,
    ] {
        assert!(
            !issued_here.contains(&token),
            "another sandbox issued a token of this one"
        );
    }
    // The other sandbox's fixture access key, signing claims made out for this sandbox: only
    // the key differs.
    let elsewhere_key =
        crate::authress::fixture_key_in(&app, "elsewhere", crate::authress::FULL).await;
    let signed_elsewhere = elsewhere_key.sign(&elsewhere_key.claims(&app.address));
    let ids = ids(&app, &creds).await;
    let mut cases = 0;
    for op in table() {
        let forged_jwt = {
            let key = crate::authress::fixture_key(&app, crate::authress::FULL).await;
            crate::authress::sign(
                &key.key_id,
                &key.claims(&app.address),
                &crate::authress::random_key(),
            )
        };
        let mut refusals: Vec<(String, Cred, bool)> = vec![
            ("missing".into(), Cred::None, false),
            (
                "malformed".into(),
                creds.present(op.kind, "%%%not-a-token%%%"),
                false,
            ),
            ("empty bearer".into(), Cred::Bearer(String::new()), false),
            (
                "forged".into(),
                creds.present(op.kind, "x7Gv0d3LwP2qk1Yb9mNfR4sTzHcJ8aUeQ6iWoK5lDnE"),
                false,
            ),
            (
                "forged JWT".into(),
                creds.present(op.kind, &forged_jwt),
                false,
            ),
            (
                "another sandbox's".into(),
                match op.kind {
                    Kind::AuthressClient => Cred::Bearer(signed_elsewhere.clone()),
                    _ => other.valid(op.kind),
                },
                false,
            ),
        ];
        for (what, cred) in creds.wrong_kinds(op.kind) {
            // A token of the same vendor but the wrong role is authenticated, then forbidden.
            let same_vendor = what.starts_with("finAPI") && vendor_of(op.kind) == "finapi";
            refusals.push((format!("wrong kind: {what}"), cred, same_vendor));
        }
        for (what, cred, forbidden) in refusals {
            let (status, body) = call(&app, "", &op, &ids, &cred).await;
            assert_refused(&what, &op, status, &body, forbidden);
            if what == "missing" {
                assert_eq!(status, 401, "missing: {} {}: {body}", op.method, op.path);
            }
            cases += 1;
        }
    }
    eprintln!("security matrix: {cases} refusals checked");
    assert!(cases > 200, "only {cases} cases ran");
}

#[tokio::test]
async fn same_seed_sandboxes_issue_their_own_tokens_and_refuse_each_others() {
    let app = spawn_app().await;
    let default = Creds::of(&app, "").await;
    let alpha = Creds::of(&app, "/sandboxes/alpha").await;
    let beta = Creds::of(&app, "/sandboxes/beta").await;
    let finapi = |c: &Creds| {
        [
            c.finapi_client.clone(),
            c.finapi_user.clone(),
            c.finapi_admin.clone(),
        ]
    };
    let obp = |c: &Creds| [c.obp_admin.clone(), c.obp_felix.clone()];
    for (a, b) in [(&default, &alpha), (&alpha, &beta), (&default, &beta)] {
        for token in finapi(a).iter().chain(obp(a).iter()) {
            assert!(
                !finapi(b).contains(token) && !obp(b).contains(token),
                "two sandboxes issued {token}"
            );
        }
    }
    // Each vendor refuses a token of the other sandbox: finAPI's client and user tokens, OBP's
    // DirectLogin token.
    let finapi_get = |prefix: &'static str, token: String| {
        let app = &app;
        async move { crate::support::get_status(app, &format!("{prefix}/api/v1/users"), &token).await }
    };
    assert_eq!(
        finapi_get("/sandboxes/alpha", alpha.finapi_user.clone()).await,
        200
    );
    assert_eq!(
        finapi_get("/sandboxes/alpha", beta.finapi_user.clone()).await,
        401
    );
    assert_eq!(finapi_get("", alpha.finapi_user.clone()).await, 401);
    let obp_get = |prefix: &'static str, token: String| {
        let app = &app;
        async move {
            app.get(&format!("{prefix}/obp/v4.0.0/users/current"))
                .header("DirectLogin", format!("token={token}"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        obp_get("/sandboxes/beta", beta.obp_felix.clone()).await,
        200
    );
    assert_ne!(
        obp_get("/sandboxes/beta", alpha.obp_felix.clone()).await,
        200
    );
    assert_ne!(obp_get("", beta.obp_felix.clone()).await, 200);
    // A reset revokes every token, and the new world never issues one of them again (a revoked
    // token must not come back as somebody else's).
    assert_eq!(
        app.post("/__admin/reset?sandbox=alpha")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let again = Creds::of(&app, "/sandboxes/alpha").await;
    for token in finapi(&alpha).iter().chain(obp(&alpha).iter()) {
        assert!(
            !finapi(&again).contains(token) && !obp(&again).contains(token),
            "the reset world issued {token} again"
        );
    }
    assert_ne!(
        finapi_get("/sandboxes/alpha", alpha.finapi_user.clone()).await,
        200
    );
    assert_ne!(
        obp_get("/sandboxes/alpha", alpha.obp_felix.clone()).await,
        200
    );
    assert_eq!(
        finapi_get("/sandboxes/alpha", again.finapi_user.clone()).await,
        200
    );
}

#[tokio::test]
async fn no_world_that_replaces_another_issues_its_tokens_again() {
    // Reset, checkpoint restore, state import, and a sandbox deleted and made again under its
    // old name: no world hands out a token that an earlier world issued to someone else. (A
    // restored checkpoint holds its own tokens again, so their holders may get them back.)
    let app = spawn_app().await;
    fn remember(
        seen: &mut std::collections::BTreeMap<String, &'static str>,
        c: &Creds,
        when: &str,
    ) {
        for (holder, token) in [
            ("finAPI client", &c.finapi_client),
            ("finAPI user", &c.finapi_user),
            ("finAPI admin", &c.finapi_admin),
            ("OBP admin", &c.obp_admin),
            ("OBP Felix", &c.obp_felix),
        ] {
            let first = seen.entry(token.clone()).or_insert(holder);
            assert_eq!(
                *first, holder,
                "{when}: {first}'s {token} issued to {holder}"
            );
        }
    }
    let mut seen = std::collections::BTreeMap::new();
    let ok = |res: reqwest::Response| async move {
        let status = res.status();
        assert!(
            status.is_success(),
            "{status} {}",
            res.text().await.unwrap()
        );
    };
    remember(&mut seen, &Creds::of(&app, "").await, "first world");
    let export = app.get("/__admin/state").send().await.unwrap();
    let export: serde_json::Value = export.json().await.unwrap();
    ok(app
        .post("/__admin/checkpoints")
        .json(&serde_json::json!({ "name": "start" }))
        .send()
        .await
        .unwrap())
    .await;
    ok(app.post("/__admin/reset").send().await.unwrap()).await;
    let reset = Creds::of(&app, "").await;
    // Nothing of the first world comes back after a reset, not even to its holder.
    assert!(
        !seen.contains_key(&reset.finapi_user),
        "a reset revived a token"
    );
    remember(&mut seen, &reset, "after a reset");
    ok(app
        .post("/__admin/checkpoints/start/restore")
        .send()
        .await
        .unwrap())
    .await;
    remember(&mut seen, &Creds::of(&app, "").await, "after a restore");
    ok(app
        .put("/__admin/state")
        .json(&export)
        .send()
        .await
        .unwrap())
    .await;
    remember(&mut seen, &Creds::of(&app, "").await, "after an import");
    remember(
        &mut seen,
        &Creds::of(&app, "/sandboxes/gamma").await,
        "gamma",
    );
    ok(app.delete("/__admin/sandboxes/gamma").send().await.unwrap()).await;
    remember(
        &mut seen,
        &Creds::of(&app, "/sandboxes/gamma").await,
        "gamma made again",
    );
}

#[tokio::test]
async fn role_gated_operations_refuse_callers_without_the_role() {
    let app = spawn_app().await;
    let creds = Creds::of(&app, "").await;
    let ids = ids(&app, &creds).await;
    let mut gated = 0;
    for op in table() {
        let cred = match (op.kind, op.role) {
            (Kind::Obp, Some(_)) => Cred::DirectLogin(creds.obp_felix.clone()),
            (Kind::AuthressClient, Some(_)) => Cred::Bearer(creds.authress_none.clone()),
            (Kind::FinapiAdmin, _) => Cred::Bearer(creds.finapi_client.clone()),
            _ => continue,
        };
        let (status, body) = call(&app, "", &op, &ids, &cred).await;
        assert_eq!(
            status, 403,
            "{} {} without the role: {body}",
            op.method, op.path
        );
        if let Some(role) = op.role
            && op.kind == Kind::Obp
        {
            assert!(
                body["message"].as_str().unwrap().contains(role),
                "{} {}: {body}",
                op.method,
                op.path
            );
        }
        gated += 1;
    }
    assert!(gated >= 12, "{gated}");
    // With the role the same calls get past authorization (any answer but 401/403).
    for op in table() {
        let (status, body) = call(&app, "", &op, &ids, &creds.valid(op.kind)).await;
        assert!(
            status != 401 && status != 403 && status < 500,
            "{} {} with the role: {status} {body}",
            op.method,
            op.path
        );
    }
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_refused_everywhere() {
    let app = spawn_app().await;
    let creds = Creds::of(&app, "").await;
    let ids = ids(&app, &creds).await;
    // Revoked: finAPI revokes its tokens at /oauth/revoke.
    for token in [&creds.finapi_user, &creds.finapi_client] {
        let revoked = app
            .post("/oauth/revoke")
            .bearer_auth(&creds.finapi_client)
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), 200, "{}", revoked.text().await.unwrap());
    }
    for op in table()
        .iter()
        .filter(|o| matches!(o.kind, Kind::FinapiUser | Kind::FinapiClient))
    {
        let (status, body) = call(&app, "", op, &ids, &creds.valid(op.kind)).await;
        assert_refused("revoked", op, status, &body, false);
    }
    // Expired: every token minted now is past its lifetime after the sandbox clock moves
    // 30 days on (finAPI: hours; OBP DirectLogin: 4 weeks; the Authress JWT: 1 day).
    let creds = Creds::of(&app, "").await;
    let advanced = app
        .post("/__admin/clock/advance")
        .json(&json!({ "seconds": 30 * 86_400 }))
        .send()
        .await
        .unwrap();
    assert_eq!(advanced.status(), 200, "{}", advanced.text().await.unwrap());
    for op in table() {
        let (status, body) = call(&app, "", &op, &ids, &creds.valid(op.kind)).await;
        assert_refused("expired", &op, status, &body, false);
    }
}

#[tokio::test]
async fn one_users_token_never_reaches_another_users_data() {
    let app = spawn_app().await;
    // finAPI: user operations act on the token's own user only.
    let felix = crate::finapi::user_token(&app, crate::finapi::FELIX).await;
    let ada = crate::finapi::user_token(&app, crate::finapi::ADA).await;
    let (_, before) =
        crate::finapi::call_json(&app, Method::GET, "/api/v1/users", &ada, None).await;
    let (status, _) = crate::finapi::call_json(
        &app,
        Method::PATCH,
        "/api/v1/users?userId=ada.lovelace",
        &felix,
        Some(json!({ "email": "felix.changed@example.com" })),
    )
    .await;
    assert_eq!(status, 200);
    let (_, after) = crate::finapi::call_json(&app, Method::GET, "/api/v1/users", &ada, None).await;
    assert_eq!(before, after, "Felix's token changed Ada");
    let (_, me) = crate::finapi::call_json(&app, Method::GET, "/api/v1/users", &felix, None).await;
    assert_eq!(me["id"], "felixsmith");
    assert_eq!(me["email"], "felix.changed@example.com");
    // OBP: without CanGetAnyUser, Felix cannot read Ada.
    let felix = crate::obp::login(&app, crate::obp::FELIX).await;
    let (status, _) =
        crate::obp::get(&app, "/obp/v4.0.0/users/username/ada.lovelace", &felix).await;
    assert_eq!(status, 403);
    // Authress: a user token reads its own user and no one else.
    let full = crate::authress::token(&app, crate::authress::FULL).await;
    let users: Value = app
        .get("/v1/users?limit=2")
        .bearer_auth(&full)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (own, other) = (
        users["users"][0]["userId"].as_str().unwrap(),
        users["users"][1]["userId"].as_str().unwrap(),
    );
    let (status, minted) = status_and_json(
        app.post("/__admin/authress/user-tokens")
            .json(&json!({ "userId": own }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status < 300, "{minted}");
    let user_token = minted["accessToken"].as_str().unwrap();
    let enc = |id: &str| {
        percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mine = app
        .get(&format!("/v1/users/{}", enc(own)))
        .bearer_auth(user_token)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), 200);
    for (method, path) in [
        (Method::GET, format!("/v1/users/{}", enc(other))),
        (Method::DELETE, format!("/v1/users/{}", enc(other))),
        (Method::GET, "/v1/users".to_string()),
    ] {
        let res = app
            .request(method, &path)
            .bearer_auth(user_token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path}");
    }
}

#[tokio::test]
async fn secrets_stay_out_of_the_journal_and_of_error_bodies() {
    let app = spawn_app().await;
    let (c, s) = crate::finapi::CLIENT;
    let (u, p) = crate::finapi::FELIX;
    let wrong_password = "Wrong-Secret-Password-77";
    let mut bodies = Vec::new();
    // A successful and a failed finAPI login (query and form), an OBP login and a failed one.
    let granted =
        crate::finapi::password_grant(&app, crate::finapi::CLIENT, crate::finapi::FELIX).await;
    let access = granted["access_token"].as_str().unwrap().to_string();
    let refresh = granted["refresh_token"].as_str().unwrap().to_string();
    let failed = crate::finapi::form_request(
        &app,
        "/oauth/token",
        None,
        &[
            ("grant_type", "password"),
            ("client_id", c),
            ("client_secret", s),
            ("username", u),
            ("password", wrong_password),
        ],
    )
    .await;
    bodies.push(failed.text().await.unwrap());
    let bad_client = crate::finapi::token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", c),
            ("client_secret", wrong_password),
        ],
    )
    .await;
    bodies.push(bad_client.text().await.unwrap());
    let obp_token = crate::obp::login(&app, crate::obp::FELIX).await;
    let obp_failed = crate::obp::direct_login(
        &app,
        &format!(
            "username=felixsmith, password={wrong_password}, consumer_key={}",
            crate::obp::CONSUMER_KEY
        ),
    )
    .await;
    bodies.push(obp_failed.text().await.unwrap());
    let authress = crate::authress::token(&app, crate::authress::FULL).await;
    app.get("/v1/users")
        .bearer_auth(&authress)
        .send()
        .await
        .unwrap();
    let journal = app
        .get("/__admin/requests?limit=1000")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for secret in [
        p,
        s,
        wrong_password,
        &access,
        &refresh,
        &obp_token,
        &authress,
    ] {
        assert!(
            !journal.contains(secret),
            "the journal shows a secret: {secret}"
        );
        for body in &bodies {
            assert!(
                !body.contains(secret),
                "an error body shows a secret: {body}"
            );
        }
    }
    let access_key = crate::authress::fixture_key(&app, crate::authress::FULL).await;
    let private = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        access_key.key.to_bytes(),
    );
    assert!(!journal.contains(&private));
}

#[test]
fn the_server_log_shows_no_request_secrets() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_user-sandbox"))
        .args(["--port", "0", "--users", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    let address = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "no banner");
        banner.push_str(&line);
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.trim().to_string();
        }
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let secret_password = "Never-Logged-Password-42";
    let token = runtime.block_on(async {
        let client = reqwest::Client::new();
        let (c, s) = crate::finapi::CLIENT;
        let token: Value = client
            .post(format!(
                "{address}/oauth/token?grant_type=client_credentials&client_id={c}&client_secret={s}"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = token["access_token"].as_str().unwrap().to_string();
        let created = client
            .post(format!("{address}/api/v1/users"))
            .bearer_auth(&token)
            .json(&json!({ "id": "logged-user", "password": secret_password }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let _ = client
            .post(format!("{address}/oauth/token?grant_type=password&client_id={c}&client_secret={s}&username=logged-user&password=wrong-{secret_password}"))
            .send()
            .await;
        token
    });
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    child.wait().unwrap();
    let log = format!("{rest}{stderr}");
    assert!(
        !log.contains(secret_password),
        "the log shows a password: {log}"
    );
    assert!(!log.contains(&token), "the log shows a token: {log}");
}

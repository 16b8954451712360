//! The sandbox's outbox: every message OBP would have sent (auth-context OTPs by SMS or email,
//! password-reset links), so a test or a developer can read the OTP back.

use actix_web::HttpResponse;

use crate::store::Sandbox;
use crate::vendors::obp::ObpWorld;
use crate::vendors::obp::models::Outbox;

/// Sent messages
///
/// Every message the OBP sandbox "sent", newest first: the OTP of an auth context update
/// request (`body` is the challenge) and password-reset links. Not part of OBP.
#[utoipa::path(
    get, path = "/__admin/outbox", operation_id = "outbox", tag = "Sandbox",
    responses((status = 200, description = "Messages, newest first", body = Outbox)),
)]
pub async fn outbox(sandbox: Sandbox) -> HttpResponse {
    HttpResponse::Ok().json(Outbox {
        messages: sandbox.obp().outbox(),
    })
}

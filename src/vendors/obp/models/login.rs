use serde::Serialize;
use utoipa::ToSchema;

/// A DirectLogin token; send it as `DirectLogin: token=<token>`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"token": "eyJhbGciOiJIUzI1NiJ9.eyIiOiIifQ.Y0jk1EQGB4XgdqmYZUHT6potmH3mKj5mEaA9qrIXXWQ"}))]
pub struct TokenJson {
    pub token: String,
}

/// A message the sandbox "sent" (an OTP by SMS or email, a password-reset link).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, ToSchema)]
#[schema(example = json!({"message_id": "4f1c1d1e-0a7e-4c38-9f51-0d6a2f0f9b11", "channel": "EMAIL", "from": "challenge@tesobe.com", "to": "felixsmith@example.com", "subject": "Challenge request", "body": "73051127", "sent_at": "2026-01-15T10:00:00Z"}))]
pub struct OutboxMessage {
    pub message_id: String,
    /// `EMAIL` or `SMS`.
    pub channel: String,
    pub from: String,
    /// An email address or a phone number.
    pub to: String,
    pub subject: String,
    pub body: String,
    pub sent_at: String,
}

/// Everything the sandbox sent, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Outbox {
    pub messages: Vec<OutboxMessage>,
}

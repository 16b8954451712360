use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A personal attribute to create or update (`UserAttributeJsonV400`); every field is required.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "BATTERY_LEVEL", "type": "STRING", "value": "90"}))]
pub struct UserAttributeJsonV400 {
    /// At most 255 characters, no control characters.
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub name: String,
    /// One of `STRING`, `INTEGER`, `DOUBLE`, `DATE_WITH_DAY`.
    pub r#type: String,
    /// At most 255 characters, no control characters.
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub value: String,
}

/// A user attribute (`UserAttributeResponseJsonV400`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"user_attribute_id": "7uy8a7e4-6d02-40e3-a129-0b2bf89de8uh", "name": "BATTERY_LEVEL", "type": "STRING", "value": "90", "insert_date": "2024-03-19T08:44:18Z"}))]
pub struct UserAttributeResponseJsonV400 {
    pub user_attribute_id: String,
    pub name: String,
    pub r#type: String,
    pub value: String,
    pub insert_date: String,
}

/// The caller's personal attributes, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserAttributesResponseJson {
    pub user_attributes: Vec<UserAttributeResponseJsonV400>,
}

/// A user with all their attributes, personal or not.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserWithAttributesResponseJson {
    pub user_id: String,
    pub email: String,
    pub provider_id: String,
    pub provider: String,
    pub username: String,
    pub user_attributes: Vec<UserAttributeResponseJsonV400>,
}

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// New secret for one of the mandator's clients.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeClientCredentialsParams {
    /// The client whose secret changes.
    #[schema(
        required = true,
        nullable = false,
        example = "sandbox-autoverify-client"
    )]
    pub client_id: Option<String>,
    /// Its current secret.
    #[schema(
        required = true,
        nullable = false,
        example = "sandbox-autoverify-client-secret"
    )]
    pub old_client_secret: Option<String>,
    /// Exactly 36 of `A-Z a-z 0-9 -`.
    #[schema(
        required = true,
        nullable = false,
        min_length = 36,
        max_length = 36,
        pattern = "^[a-zA-Z0-9\\-]*$",
        example = "3f2b9c1e-7a4d-4e8f-9b6a-5c0d2e1f8a73"
    )]
    pub new_client_secret: Option<String>,
}

/// Users to delete.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentifiersParams {
    /// User identifiers; an empty list deletes nobody (200 with both lists empty).
    #[schema(required = true, nullable = false)]
    pub user_ids: Option<Vec<String>>,
}

/// Which users were deleted and which could not be.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentifiersList {
    /// Deleted users, in ascending order.
    pub deleted_users: Vec<String>,
    /// Users that could not be deleted (busy), in ascending order.
    pub non_deleted_users: Vec<String>,
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageableUserInfoList {
    /// Users.
    pub users: Vec<UserInfo>,
    /// Paging information.
    pub paging: Paging,
}

/// Paging information.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    /// Current page number.
    #[schema(value_type = i32, format = Int32, minimum = 1)]
    pub page: usize,
    /// Requested page size.
    #[schema(value_type = i32, format = Int32, minimum = 1)]
    pub per_page: usize,
    /// Number of pages.
    #[schema(value_type = i32, format = Int32, minimum = 0)]
    pub page_count: usize,
    /// Number of entries.
    #[schema(value_type = i64, format = Int64, minimum = 0)]
    pub total_count: usize,
}

/// A user as the mandator admin sees it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    /// User identifier; distorted (`user` → `uXXr`) for deleted users.
    pub user_id: String,
    /// `YYYY-MM-DD`
    pub registration_date: String,
    /// `YYYY-MM-DD`, null while not deleted.
    #[schema(required = true)]
    pub deletion_date: Option<String>,
    /// `YYYY-MM-DD`, null when never active.
    #[schema(required = true)]
    pub last_active_date: Option<String>,
    /// Current number of bank connections.
    pub bank_connection_count: u32,
    /// `YYYY-MM-DD`
    #[schema(required = true)]
    pub latest_bank_connection_import_date: Option<String>,
    /// `YYYY-MM-DD`
    #[schema(required = true)]
    pub latest_bank_connection_deletion_date: Option<String>,
    /// Newest month first; null unless `includeMonthlyStats=true`.
    #[schema(required = true)]
    pub monthly_stats: Option<Vec<MonthlyUserStats>>,
    /// Whether the user is locked (always false when deleted).
    pub is_locked: bool,
}

/// Bank connection counts of one month.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonthlyUserStats {
    /// `YYYY-MM`
    pub month: String,
    /// Lowest bank connection count in the month.
    pub min_bank_connection_count: u32,
    /// Highest bank connection count in the month.
    pub max_bank_connection_count: u32,
}

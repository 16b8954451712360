use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The composite user identity stored in Authress, sourced from the customer's SSO, SAML or
/// OAuth identity provider.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "userId": "google-oauth2|108915727483261245613",
    "name": "Felix Smith",
    "email": "felixsmith@example.com",
    "picture": "https://www.gravatar.com/avatar/5c1e2a0f9b7d4e3a8f6b2c1d0e9f8a7b?d=identicon"
}))]
pub struct UserIdentity<'a> {
    /// The user identifier: the identity provider's id, e.g. `google-oauth2|1234`.
    pub user_id: Cow<'a, str>,
    /// The user's formatted display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub name: Option<Cow<'a, str>>,
    /// A URL that resolves to a picture that can be rendered.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub picture: Option<Cow<'a, str>>,
    /// The user's verified email address, sourced from their SSO identity provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub email: Option<Cow<'a, str>>,
}

/// A collection of user identities.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserIdentityCollection {
    /// A list of users.
    pub users: Vec<UserIdentity<'static>>,
    /// Present only when another page exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub pagination: Option<Pagination>,
    pub links: CollectionLinks,
}

/// The members of a `UserIdentityCollection` after `users`: `getUsers` writes the users while
/// their rows are read (`store::page::JsonRows`), then these.
#[derive(Debug, Serialize)]
pub struct UserIdentityCollectionRest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    pub links: CollectionLinks,
}

/// Pagination of a collection: a `next` cursor when more items exist. The list is mutable and
/// can change between requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Pagination {
    pub next: PaginationNext,
}

/// The cursor of the next page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaginationNext {
    /// Pass it as the `cursor` query parameter to get the next page.
    pub cursor: String,
}

/// Links of a collection, as in `application/links+json`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollectionLinks {
    /// This page.
    #[serde(rename = "self")]
    pub this: Link,
    /// The next page, present only when another page exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Link>,
}

/// A URL linking object that complies with the application/links+json RFC.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Link {
    /// The absolute URL pointing to the referenced resource.
    pub href: String,
}

/// The user to link to a tenant.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"userId": "google-oauth2|108915727483261245613"}))]
pub struct TenantUser {
    /// The user identifier (required: `{}` is 400 `The userId is required.`).
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 128,
        pattern = r"^[a-zA-Z0-9+._|\/~:@\s-]+$"
    )]
    pub user_id: Option<String>,
}

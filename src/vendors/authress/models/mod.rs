//! Authress's wire types, named as in Authress's generated SDKs (`authress.models.*`).

mod error;
mod sandbox;
mod tenant;
mod user;

pub use error::ResponseError;
pub use sandbox::{Access, MintedServiceClient, MintedUserToken, NewServiceClient, NewUserToken};
pub use tenant::{Tenant, TenantCollection, TenantConnection, TenantData, TenantDomain};
pub use user::{
    CollectionLinks, Link, Pagination, PaginationNext, TenantUser, UserIdentity,
    UserIdentityCollection, UserIdentityCollectionRest,
};

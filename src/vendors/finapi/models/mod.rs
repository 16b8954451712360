//! finAPI's wire types, named as in finAPI's specification.

mod error_message;
mod mandator_admin;
mod token;
mod user;

pub use error_message::{BadCredentialsError, ErrorDetails, ErrorMessage};
pub use mandator_admin::{
    ChangeClientCredentialsParams, MonthlyUserStats, PageableUserInfoList, Paging,
    UserIdentifiersList, UserIdentifiersParams, UserInfo,
};
pub use token::{AccessToken, TokenParams};
pub use user::{
    ExecutePasswordChangeParams, PasswordChangingResource, RequestPasswordChangeParams, User,
    UserCreateParams, UserUpdateParams, VerificationStatusResource,
};

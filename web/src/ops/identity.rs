//! Typed operations of `identity.graphql`.

use super::*;

super::operations!("src/ops/identity.graphql":
    /// `SignUp` in `identity.graphql`.
    SignUp,
    /// `LogIn` in `identity.graphql`.
    LogIn,
    /// `LogOut` in `identity.graphql`.
    LogOut,
    /// `RefreshSession` in `identity.graphql`.
    RefreshSession,
    /// `VerifyEmail` in `identity.graphql`.
    VerifyEmail,
    /// `RequestPasswordReset` in `identity.graphql`.
    RequestPasswordReset,
    /// `ResetPassword` in `identity.graphql`.
    ResetPassword,
    /// `AcceptInvitation` in `identity.graphql`.
    AcceptInvitation,
    /// `UpdateProfile` in `identity.graphql`.
    UpdateProfile,
    /// `ChangePassword` in `identity.graphql`.
    ChangePassword,
    /// `ChangeEmail` in `identity.graphql`.
    ChangeEmail,
    /// `ResendVerification` in `identity.graphql`.
    ResendVerification,
    /// `TwoFactorStatus` in `identity.graphql`.
    TwoFactorStatus,
    /// `StartTwoFactor` in `identity.graphql`.
    StartTwoFactor,
    /// `ConfirmTwoFactor` in `identity.graphql`.
    ConfirmTwoFactor,
    /// `RegenerateRecoveryCodes` in `identity.graphql`.
    RegenerateRecoveryCodes,
    /// `DisableTwoFactor` in `identity.graphql`.
    DisableTwoFactor,
);

/// A new authenticator secret, to add to the app.
pub type TwoFactorSetup = start_two_factor::StartTwoFactorStartTwoFactorSetup;

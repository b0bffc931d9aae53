//! Typed operations of `api_keys.graphql`.

use super::*;

super::operations!("src/ops/api_keys.graphql":
    /// `ApiKeys` in `api_keys.graphql`.
    ApiKeys,
    /// `CreateApiKey` in `api_keys.graphql`.
    CreateApiKey,
    /// `RevokeApiKey` in `api_keys.graphql`.
    RevokeApiKey,
);

/// An API key of the current workspace (never its secret).
pub type ApiKey = api_keys::ApiKeysApiKeysNodes;

super::page_info_from!(api_keys::ApiKeysApiKeysPageInfo);
super::connection_chunk!(api_keys::ApiKeysApiKeys => ApiKey);

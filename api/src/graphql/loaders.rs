//! Per-request batch loaders: a field that reads one row per parent object (a
//! membership's user or workspace) asks a loader, which reads all the rows a response
//! needs in one domain call, within the request's tenant.

use std::collections::HashMap;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use domain::{Parley, TenantCtx};

use super::context::{auth, gql_error, parley, tenant};

/// Users visible from the request's tenant, by ID.
pub(crate) struct UserLoader {
    tenant: TenantCtx,
    parley: Parley,
    request_id: String,
}

impl Loader<domain::UserId> for UserLoader {
    type Value = domain::User;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[domain::UserId],
    ) -> Result<HashMap<domain::UserId, domain::User>, async_graphql::Error> {
        let users = domain::identity::accounts::visible_users(&self.tenant, &self.parley, keys)
            .await
            .map_err(|e| gql_error(e, &self.request_id))?;
        Ok(users.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// Workspaces visible from the request's tenant, by ID.
pub(crate) struct WorkspaceLoader {
    tenant: TenantCtx,
    parley: Parley,
    request_id: String,
}

impl Loader<domain::WorkspaceId> for WorkspaceLoader {
    type Value = domain::Workspace;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[domain::WorkspaceId],
    ) -> Result<HashMap<domain::WorkspaceId, domain::Workspace>, async_graphql::Error> {
        let found = domain::workspaces::visible(&self.tenant, &self.parley, keys)
            .await
            .map_err(|e| gql_error(e, &self.request_id))?;
        Ok(found.into_iter().map(|w| (w.id, w)).collect())
    }
}

/// The loaders of one request, made on first use once its tenant is known.
pub(crate) struct Loaders {
    /// Users by ID.
    pub users: DataLoader<UserLoader>,
    /// Workspaces by ID.
    pub workspaces: DataLoader<WorkspaceLoader>,
}

impl std::fmt::Debug for Loaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaders").finish_non_exhaustive()
    }
}

/// The request's loaders (authenticating it first, as every tenant read does).
pub(crate) async fn loaders<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Loaders> {
    let t = tenant(ctx).await?;
    let p = parley(ctx)?;
    let a = auth(ctx);
    Ok(a.loaders
        .get_or_init(|| async {
            let request_id = a.request_id.clone();
            Loaders {
                users: DataLoader::new(
                    UserLoader { tenant: t.clone(), parley: p.clone(), request_id: request_id.clone() },
                    tokio::spawn,
                ),
                workspaces: DataLoader::new(
                    WorkspaceLoader { tenant: t.clone(), parley: p.clone(), request_id },
                    tokio::spawn,
                ),
            }
        })
        .await)
}

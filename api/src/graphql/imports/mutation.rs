//! Starting imports and exports.

use async_graphql::{Context, ID, Object, Upload};

use super::{ContactExport, ContactImport, ContactImportOptions};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;
use crate::graphql::segments::Segment;

/// Import and export writes.
#[derive(Default)]
pub struct ImportsMutation;

#[Object]
impl ImportsMutation {
    /// Uploads a CSV file of contacts (a GraphQL multipart request) and starts
    /// importing it: the options are checked against the file's header at once; the
    /// rows are read by a background job (follow it with `contactImport`). Rows are
    /// matched on `identityKind` in `identityColumn`: a contact that has it is updated,
    /// else one is made; empty cells change nothing.
    async fn start_contact_import(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        options: ContactImportOptions,
    ) -> async_graphql::Result<ContactImport> {
        let t = tenant(ctx).await?;
        let p = parley(ctx)?;
        let upload = file.value(ctx).map_err(|e| domain::Error::invalid("file", e.to_string())).gql(ctx)?;
        let content = tokio::fs::File::from_std(upload.content);
        let max = p.settings().import_max_bytes;
        let imp = domain::imports::start(t, p, &upload.filename, content, options.into(), max).await.gql(ctx)?;
        Ok(ContactImport(imp, None))
    }

    /// Starts writing every contact of the workspace (or of `segmentId`) to a CSV file
    /// (follow it with `contactExport`; `downloadUrl` is set once it completes).
    async fn start_contact_export(
        &self,
        ctx: &Context<'_>,
        segment_id: Option<ID>,
    ) -> async_graphql::Result<ContactExport> {
        let segment = segment_id.map(|s| id_of::<Segment>("segmentId", &s)).transpose().gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(ContactExport(domain::exports::start(t, parley(ctx)?, segment).await.gql(ctx)?))
    }
}

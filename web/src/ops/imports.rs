//! Typed operations of `imports.graphql`.

pub use super::contacts::{AttributeType, Channel, ConsentStatus, JSON};
use super::*;

/// The `Upload` scalar: the file travels beside the operation (a multipart request),
/// so its variable is sent as null, as the multipart request spec asks.
pub type Upload = ();

super::operations!("src/ops/imports.graphql":
    /// `ImportSetup` in `imports.graphql`.
    ImportSetup,
    /// `StartContactImport` in `imports.graphql`.
    StartContactImport,
    /// `ContactImports` in `imports.graphql`.
    ContactImports,
    /// `StartContactExport` in `imports.graphql`.
    StartContactExport,
    /// `ContactExports` in `imports.graphql`.
    ContactExports,
);

/// One import as the page lists it.
pub type ImportRow = contact_imports::ContactImportsContactImportsNodes;
/// One export as the page lists it.
pub type ExportRow = contact_exports::ContactExportsContactExportsNodes;
/// A contact field the mapping can fill.
pub type SetupField = import_setup::ImportSetupContactFieldsNodes;

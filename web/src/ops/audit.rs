//! Typed operations of `audit.graphql`.

use super::*;

super::operations!("src/ops/audit.graphql":
    /// `AuditLog` in `audit.graphql`.
    AuditLog,
);

/// One line of the audit log.
pub type AuditEntry = audit_log::AuditLogAuditLogNodes;

super::page_info_from!(audit_log::AuditLogAuditLogPageInfo);
super::connection_chunk!(audit_log::AuditLogAuditLog => AuditEntry);

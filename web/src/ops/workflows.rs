//! Typed operations of `workflows.graphql`.

use super::*;

super::operations!("src/ops/workflows.graphql":
    /// `WorkflowSetup` in `workflows.graphql`.
    WorkflowSetup,
    /// `Workflows` in `workflows.graphql`.
    Workflows,
    /// `CreateWorkflowTemplate` in `workflows.graphql`.
    CreateWorkflowTemplate,
    /// `StartWorkflow` in `workflows.graphql`.
    StartWorkflow,
    /// `StartTask` in `workflows.graphql`.
    StartTask,
    /// `CompleteTask` in `workflows.graphql`.
    CompleteTask,
    /// `AssignTask` in `workflows.graphql`.
    AssignTask,
    /// `CommentOnTask` in `workflows.graphql`.
    CommentOnTask,
);

/// A workflow with its tasks.
pub type Workflow = workflows::WorkflowsWorkflowsNodes;
/// One task of a workflow.
pub type Task = workflows::WorkflowsWorkflowsNodesTasks;

//! Background jobs of a workspace.

use async_graphql::{Enum, ID, Object};
use chrono::{DateTime, Utc};

use crate::graphql::node::NodeObject;

/// Where a background job stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::JobState")]
pub enum JobState {
    /// Waiting to run.
    Queued,
    /// Leased by a worker.
    Running,
    /// Finished.
    Done,
    /// Out of attempts; retry by hand.
    Dead,
}

/// A background job of the workspace.
pub struct Job(pub domain::Job);

impl NodeObject for Job {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl Job {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn state(&self) -> JobState {
        self.0.state.into()
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    async fn max_attempts(&self) -> i32 {
        self.0.max_attempts
    }
    async fn run_at(&self) -> DateTime<Utc> {
        self.0.run_at
    }
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// How far a long job got (null until its handler reports).
    async fn progress(&self) -> Option<JobProgress> {
        domain::jobs::Progress::of(&self.0).map(JobProgress)
    }
}

/// How far a long job got.
pub struct JobProgress(pub domain::jobs::Progress);

#[Object]
impl JobProgress {
    /// Items finished.
    async fn done(&self) -> i64 {
        self.0.done
    }
    /// Items in all, when known.
    async fn total(&self) -> Option<i64> {
        self.0.total
    }
    /// Percent finished (0 to 100), when the total is known.
    async fn percent(&self) -> Option<f64> {
        match self.0.total {
            Some(t) if t > 0 => Some((self.0.done as f64 * 100.0 / t as f64).clamp(0.0, 100.0)),
            Some(_) => Some(100.0),
            None => None,
        }
    }
}

//! Typed operations of `jobs.graphql`.

use super::*;

super::operations!("src/ops/jobs.graphql":
    /// `Jobs` in `jobs.graphql`.
    Jobs,
    /// `RetryJob` in `jobs.graphql`.
    RetryJob,
);

super::page_info_from!(jobs::JobsJobsPageInfo);
super::connection_chunk!(jobs::JobsJobs => Job);

/// A background job of the current workspace, as the jobs table keeps it (a listed job
/// and a retried one are the same row, so one type for both answers).
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// Its global ID.
    pub id: String,
    /// What it does (`email.send`).
    pub kind: String,
    /// Where it stands.
    pub state: JobState,
    /// Attempts made so far.
    pub attempts: i64,
    /// Attempts allowed before it is dead.
    pub max_attempts: i64,
    /// When it runs (next).
    pub run_at: DateTime,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime,
    /// When it finished or died.
    pub finished_at: Option<DateTime>,
    /// How far a long job got (absent until its handler reports).
    pub progress: Option<JobProgress>,
}

/// How far a long job got: `done` of `total` items.
#[derive(Clone, Debug, PartialEq)]
pub struct JobProgress {
    /// Items finished.
    pub done: i64,
    /// Items in all, when known.
    pub total: Option<i64>,
}

impl JobProgress {
    /// Percent finished (0 to 100), when the total is known.
    pub fn percent(&self) -> Option<i64> {
        match self.total {
            Some(t) if t > 0 => Some((self.done.saturating_mul(100) / t).clamp(0, 100)),
            Some(_) => Some(100),
            None => None,
        }
    }
}

macro_rules! job_from {
    ($($ty:ty),+) => {$(
        impl From<$ty> for Job {
            fn from(j: $ty) -> Self {
                Self {
                    id: j.id,
                    kind: j.kind,
                    state: j.state,
                    attempts: j.attempts,
                    max_attempts: j.max_attempts,
                    run_at: j.run_at,
                    last_error: j.last_error,
                    created_at: j.created_at,
                    finished_at: j.finished_at,
                    progress: j.progress.map(|p| JobProgress { done: p.done, total: p.total }),
                }
            }
        }
    )+};
}
job_from!(jobs::JobsJobsNodes, retry_job::RetryJobRetryJob);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gql::decode;

    #[test]
    fn a_jobs_page_decodes_into_typed_rows() {
        let body = r#"{"data":{"jobs":{"nodes":[{"id":"Sm9iOjE=","kind":"email.send","state":"DEAD","attempts":5,
            "maxAttempts":5,"runAt":"2025-01-02T03:04:05Z","lastError":"smtp: refused","createdAt":"2025-01-02T03:00:00Z",
            "finishedAt":null}],"totalCount":1,"pageInfo":{"hasNextPage":false,"endCursor":"YWJj"}}}}"#;
        let answer: Result<jobs::ResponseData, _> = decode(body);
        let Ok(answer) = answer else { unreachable!("{answer:?}") };
        let rows: Vec<Job> = answer.jobs.nodes.into_iter().map(Job::from).collect();
        let [job] = rows.as_slice() else { unreachable!("{rows:?}") };
        assert_eq!((job.state, job.attempts, job.max_attempts), (JobState::Dead, 5, 5));
        assert_eq!(job.last_error.as_deref(), Some("smtp: refused"));
        assert_eq!(PageInfo::from(answer.jobs.page_info).end_cursor.as_deref(), Some("YWJj"));
        assert_eq!(job.progress, None);
    }

    #[test]
    fn a_long_jobs_progress_decodes_and_reads_as_a_percent() {
        let body = r#"{"data":{"jobs":{"nodes":[{"id":"Sm9iOjE=","kind":"debug.count","state":"RUNNING","attempts":1,
            "maxAttempts":5,"runAt":"2025-01-02T03:04:05Z","lastError":null,"createdAt":"2025-01-02T03:00:00Z",
            "finishedAt":null,"progress":{"done":3,"total":12}}],"totalCount":1,"pageInfo":{"hasNextPage":false,"endCursor":null}}}}"#;
        let answer: Result<jobs::ResponseData, _> = decode(body);
        let Ok(answer) = answer else { unreachable!("{answer:?}") };
        let rows: Vec<Job> = answer.jobs.nodes.into_iter().map(Job::from).collect();
        let [job] = rows.as_slice() else { unreachable!("{rows:?}") };
        assert_eq!(job.progress.as_ref().and_then(JobProgress::percent), Some(25));
        assert_eq!(JobProgress { done: 5, total: None }.percent(), None);
    }

    #[test]
    fn variables_use_the_schema_names() {
        let vars = jobs::Variables { state: Some(JobState::Dead), after: None };
        let json = serde_json::to_value(&vars).unwrap_or_default();
        assert_eq!(json, serde_json::json!({ "state": "DEAD", "after": null }));
    }
}

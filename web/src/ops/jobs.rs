//! Typed operations of `jobs.graphql`.

use super::*;

super::operations!("src/ops/jobs.graphql":
    /// `Jobs` in `jobs.graphql`.
    Jobs,
    /// `RetryJob` in `jobs.graphql`.
    RetryJob,
);

super::page_info_from!(jobs::JobsJobsPageInfo);

/// A background job of the current workspace, as the jobs table keeps it (a listed job
/// and a retried one are the same row, so one type for both answers).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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
    }

    #[test]
    fn variables_use_the_schema_names() {
        let vars = jobs::Variables { state: Some(JobState::Dead), after: None };
        let json = serde_json::to_value(&vars).unwrap_or_default();
        assert_eq!(json, serde_json::json!({ "state": "DEAD", "after": null }));
    }
}

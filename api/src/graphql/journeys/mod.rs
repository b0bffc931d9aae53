//! Journeys (EXE-5): journeys with their draft and published versions, per-step counts,
//! and each contact's way through one.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::connection::{Conn, list};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::ids::global_id;
use crate::graphql::node::{id_of, node_object};
use domain::journeys::{self, State, Status};

/// A journey's state.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum JourneyStatus {
    /// Never published.
    Draft,
    /// Enrolling and moving contacts.
    Active,
    /// Neither: contacts stay where they are until it resumes.
    Paused,
}

/// Where a contact stands in a journey.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum EnrolmentStatus {
    /// Moving on now.
    Active,
    /// In a wait step.
    Waiting,
    /// Went through to an end.
    Completed,
    /// Taken out: an exit step, the goal met, removed by hand.
    Exited,
}

impl From<State> for EnrolmentStatus {
    fn from(s: State) -> Self {
        match s {
            State::Active => EnrolmentStatus::Active,
            State::Waiting => EnrolmentStatus::Waiting,
            State::Completed => EnrolmentStatus::Completed,
            State::Exited => EnrolmentStatus::Exited,
        }
    }
}

impl From<EnrolmentStatus> for State {
    fn from(s: EnrolmentStatus) -> Self {
        match s {
            EnrolmentStatus::Active => State::Active,
            EnrolmentStatus::Waiting => State::Waiting,
            EnrolmentStatus::Completed => State::Completed,
            EnrolmentStatus::Exited => State::Exited,
        }
    }
}

/// One step of a version, with its counts.
#[derive(SimpleObject)]
pub struct JourneyStep {
    /// The step's ID in the definition.
    pub id: String,
    /// `wait`, `waitFor`, `branch`, `split`, `updateAttribute`, `addToList`, `email`,
    /// `notify` or `exit`.
    pub kind: String,
    /// The steps it leads to.
    pub next: Vec<String>,
    /// Contacts that entered it.
    pub entered: i64,
    /// Contacts at it now.
    pub waiting: i64,
    /// Contacts that went on from it, or finished the journey there.
    pub completed: i64,
    /// Contacts that left the journey there.
    pub exited: i64,
}

/// A published version.
#[derive(SimpleObject)]
pub struct JourneyVersion {
    pub version: i32,
    pub definition: Json<serde_json::Value>,
    pub published_at: DateTime<Utc>,
}

/// One step a contact entered.
#[derive(SimpleObject)]
pub struct JourneyVisit {
    pub step: String,
    pub entered_at: DateTime<Utc>,
    /// None while the contact is at it.
    pub left_at: Option<DateTime<Utc>>,
    /// What the step did: the branch taken, the value written…
    pub note: Option<String>,
    /// `COMPLETED` or `EXITED` once left.
    pub outcome: Option<String>,
}

node_object! {
    /// A journey: a graph of steps contacts go through one by one, edited as a draft
    /// and run as its published versions.
    Journey(domain::journeys::Journey) {
        name: String,
        /// The latest published version (0: none yet).
        version: i32,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        async fn status(&self) -> JourneyStatus {
            match Status::of(&self.0) {
                Status::Draft => JourneyStatus::Draft,
                Status::Active => JourneyStatus::Active,
                Status::Paused => JourneyStatus::Paused,
            }
        }
        /// The definition being edited, published as the next version (see
        /// `createJourney`).
        async fn draft(&self) -> Json<serde_json::Value> {
            Json(self.0.draft.clone())
        }
        /// What enrols contacts in the latest version: `TRIGGER`, `SEGMENT` or `MANUAL`.
        async fn entry_kind(&self) -> Option<String> {
            self.0.entry_kind.clone()
        }
        /// The secret its webhook steps sign with: verify `Parley-Signature: t=…,v1=…`
        /// as HMAC-SHA256 of `"{t}.{body}"` under it (those who may edit the journey).
        async fn webhook_secret(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
            let t = tenant(ctx).await?;
            journeys::webhook_secret_of(t, parley(ctx)?, self.0.id).await.gql(ctx)
        }
        /// Whether the draft differs from the latest version.
        async fn has_unpublished_changes(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
            let t = tenant(ctx).await?;
            let all = journeys::versions(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
            Ok(all.first().is_none_or(|v| v.definition != self.0.draft))
        }
        /// Published versions, newest first.
        async fn versions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<JourneyVersion>> {
            let t = tenant(ctx).await?;
            let all = journeys::versions(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
            Ok(all
                .into_iter()
                .map(|v| JourneyVersion { version: v.version, definition: Json(v.definition), published_at: v.published_at })
                .collect())
        }
        /// The steps of a version (the latest when not named) with their counts, in the
        /// definition's order; none before the first publication.
        async fn steps(&self, ctx: &Context<'_>, version: Option<i32>) -> async_graphql::Result<Vec<JourneyStep>> {
            let t = tenant(ctx).await?;
            let p = parley(ctx)?;
            let want = version.unwrap_or(self.0.version);
            let all = journeys::versions(t, p, self.0.id).await.gql(ctx)?;
            let Some(v) = all.into_iter().find(|v| v.version == want) else {
                return match version {
                    Some(_) => Err(domain::Error::invalid("version", "is not a published version")).gql(ctx),
                    None => Ok(Vec::new()),
                };
            };
            let d = journeys::definition_of(&v).gql(ctx)?;
            let mut counts = journeys::step_counts(t, p, self.0.id, want).await.gql(ctx)?;
            Ok(d.steps
                .iter()
                .map(|s| {
                    let c = counts.remove(&s.id).unwrap_or_default();
                    JourneyStep {
                        id: s.id.clone(),
                        kind: s.action.kind().to_owned(),
                        next: s.successors().into_iter().map(|(_, n)| n.to_owned()).collect(),
                        entered: c.entered as i64,
                        waiting: c.waiting as i64,
                        completed: c.completed as i64,
                        exited: c.exited as i64,
                    }
                })
                .collect())
        }
        /// Its contacts, newest first, optionally in one state.
        async fn enrolments(
            &self,
            ctx: &Context<'_>,
            status: Option<EnrolmentStatus>,
            first: Option<i32>,
            after: Option<String>,
        ) -> async_graphql::Result<Conn<JourneyEnrolment>> {
            let id = self.0.id;
            let state = status.map(State::from);
            list(ctx, first, after, move |t, p, args| journeys::enrolments(t, p, id, state, args), JourneyEnrolment).await
        }
    }
}

node_object! {
    /// One contact's way through a journey, entered once.
    JourneyEnrolment(domain::journeys::Enrolment) {
        /// The version it follows.
        version: i32,
        /// The step it is at (the last one, once finished).
        step: String,
        /// When it entered that step.
        since: DateTime<Utc>,
        /// When it moves on next, if it waits.
        wake_at: Option<DateTime<Utc>>,
        entered_at: DateTime<Utc>,
        finished_at: Option<DateTime<Utc>>,
        /// Why it left before the end.
        exit_reason: Option<String>,
    }
    extra {
        async fn status(&self) -> EnrolmentStatus {
            State::of(&self.0).into()
        }
        async fn journey(&self, ctx: &Context<'_>) -> async_graphql::Result<Journey> {
            let t = tenant(ctx).await?;
            Ok(Journey(journeys::get(t, parley(ctx)?, self.0.journey_id).await.gql(ctx)?))
        }
        async fn journey_id(&self) -> ID {
            global_id("Journey", self.0.journey_id.into())
        }
        /// The contact (None once erased).
        async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::graphql::contacts::Contact>> {
            let t = tenant(ctx).await?;
            match domain::contacts::get(t, parley(ctx)?, self.0.contact_id).await {
                Ok(c) => Ok(Some(crate::graphql::contacts::Contact(c))),
                Err(domain::Error::NotFound) => Ok(None),
                Err(e) => Err(e).gql(ctx),
            }
        }
        /// The steps it entered, in order.
        async fn path(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<JourneyVisit>> {
            let t = tenant(ctx).await?;
            let all = journeys::path(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
            Ok(all
                .into_iter()
                .map(|v| JourneyVisit {
                    step: v.step,
                    entered_at: v.entered_at,
                    left_at: v.left_at,
                    note: v.note,
                    outcome: v.outcome,
                })
                .collect())
        }
    }
}

/// A journey as written.
#[derive(InputObject)]
pub struct JourneyInput {
    /// Unique in the workspace; up to 200 characters.
    pub name: String,
    /// The graph: `{"entry": {"trigger": RULE_ID} | {"segment": SEGMENT_ID} | {"manual": true}, "reentry":
    /// {"mode": "never" | "always"} | {"mode": "after", "days": N}, "goal": {"event":
    /// TYPE}, "start": STEP_ID, "steps": [{"id", "kind", …, "next"}]}` with kinds `wait`
    /// (`duration` or `until` "HH:MM" in the contact's zone), `waitFor` (`event`,
    /// `timeout`, `timeoutNext`), `branch` (`condition`: a segment rule, `yes`, `no`),
    /// `split` (`paths`: [{`percent`, `next`}]), `updateAttribute` (`field`, `value`),
    /// `addToList` (`list`), `email` (`template`, `domain`, `fromAddress`, `fromName`: sent
    /// through the step's own campaign), `notify` (`user`, `message`: a member told by
    /// email) and `exit`. A step without `next` ends the journey.
    pub definition: Json<serde_json::Value>,
}

fn input(i: JourneyInput) -> journeys::JourneyInput {
    journeys::JourneyInput { name: i.name, definition: i.definition.0 }
}

/// What a migration did.
#[derive(SimpleObject)]
pub struct JourneyMigration {
    /// Contacts moved to the latest version, each at the step of the same ID.
    pub moved: i64,
    /// Contacts whose step the latest version lacks: they left the journey.
    pub left: i64,
    pub journey: Journey,
}

#[derive(Default)]
pub struct JourneysQuery;

#[Object]
impl JourneysQuery {
    /// The workspace's journeys, oldest first.
    async fn journeys(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Journey>> {
        list(ctx, first, after, journeys::list, Journey).await
    }

    /// One journey.
    async fn journey(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Journey> {
        let t = tenant(ctx).await?;
        let id = id_of::<Journey>("id", &id).gql(ctx)?;
        Ok(Journey(journeys::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// A contact's journeys (its enrolments, each with its current step), newest first.
    async fn contact_journeys(
        &self,
        ctx: &Context<'_>,
        contact_id: ID,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<JourneyEnrolment>> {
        let t = tenant(ctx).await?;
        let c = id_of::<crate::graphql::contacts::Contact>("contactId", &contact_id).gql(ctx)?;
        let all = journeys::of_contact(t, parley(ctx)?, c, first.max(0) as u64).await.gql(ctx)?;
        Ok(all.into_iter().map(JourneyEnrolment).collect())
    }
}

#[derive(Default)]
pub struct JourneysMutation;

#[Object]
impl JourneysMutation {
    /// Adds a journey as a draft (its form is checked; publishing checks the rest).
    async fn create_journey(&self, ctx: &Context<'_>, input: JourneyInput) -> async_graphql::Result<Journey> {
        let t = tenant(ctx).await?;
        Ok(Journey(journeys::create(t, parley(ctx)?, self::input(input)).await.gql(ctx)?))
    }

    /// Changes a journey's name and draft; published versions stay as they are.
    async fn update_journey(&self, ctx: &Context<'_>, id: ID, input: JourneyInput) -> async_graphql::Result<Journey> {
        let t = tenant(ctx).await?;
        let id = id_of::<Journey>("id", &id).gql(ctx)?;
        Ok(Journey(journeys::update(t, parley(ctx)?, id, self::input(input)).await.gql(ctx)?))
    }

    /// Publishes the draft as the next version, refused with the step named when a step
    /// leads nowhere, cannot be reached, loops without a wait or names what the
    /// workspace lacks. Contacts entering from now on follow it.
    async fn publish_journey(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Journey> {
        let t = tenant(ctx).await?;
        let id = id_of::<Journey>("id", &id).gql(ctx)?;
        Ok(Journey(journeys::publish(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Pauses a journey: nobody enters or moves until it resumes.
    async fn pause_journey(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Journey> {
        let t = tenant(ctx).await?;
        let id = id_of::<Journey>("id", &id).gql(ctx)?;
        Ok(Journey(journeys::set_status(t, parley(ctx)?, id, false).await.gql(ctx)?))
    }

    /// Resumes a paused journey; contacts whose wait ended meanwhile move on at once.
    async fn resume_journey(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Journey> {
        let t = tenant(ctx).await?;
        let id = id_of::<Journey>("id", &id).gql(ctx)?;
        Ok(Journey(journeys::set_status(t, parley(ctx)?, id, true).await.gql(ctx)?))
    }

    /// Deletes a journey with its versions and its contacts' paths.
    async fn delete_journey(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ID> {
        let t = tenant(ctx).await?;
        let jid = id_of::<Journey>("id", &id).gql(ctx)?;
        journeys::delete(t, parley(ctx)?, jid).await.gql(ctx)?;
        Ok(id)
    }

    /// Enrols a contact in an active journey now; refused (naming `contactId`) when it
    /// is in the journey or re-entry forbids it.
    async fn enrol_contact(
        &self,
        ctx: &Context<'_>,
        journey_id: ID,
        contact_id: ID,
    ) -> async_graphql::Result<JourneyEnrolment> {
        let t = tenant(ctx).await?;
        let j = id_of::<Journey>("journeyId", &journey_id).gql(ctx)?;
        let c = id_of::<crate::graphql::contacts::Contact>("contactId", &contact_id).gql(ctx)?;
        Ok(JourneyEnrolment(journeys::enrol(t, parley(ctx)?, j, c).await.gql(ctx)?))
    }

    /// Takes a contact out of a journey.
    async fn remove_from_journey(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<JourneyEnrolment> {
        let t = tenant(ctx).await?;
        let id = id_of::<JourneyEnrolment>("id", &id).gql(ctx)?;
        Ok(JourneyEnrolment(journeys::remove(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Moves the contacts still in an older version to the latest one, each at the step
    /// of the same ID (those whose step is gone leave the journey).
    async fn migrate_journey_contacts(
        &self,
        ctx: &Context<'_>,
        id: ID,
        from_version: i32,
    ) -> async_graphql::Result<JourneyMigration> {
        let t = tenant(ctx).await?;
        let p = parley(ctx)?;
        let id = id_of::<Journey>("id", &id).gql(ctx)?;
        let (moved, left) = journeys::migrate(t, p, id, from_version).await.gql(ctx)?;
        let journey = Journey(journeys::get(t, p, id).await.gql(ctx)?);
        Ok(JourneyMigration { moved: moved as i64, left: left as i64, journey })
    }
}

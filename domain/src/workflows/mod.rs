//! Standardized workflows (OPS-4): templates of tasks with durations, dependencies,
//! roles and approval steps, laid out for a project (`run`) with dates computed from the
//! project's start; a task starts and completes only after its predecessors are done;
//! reminders before tasks are due and escalation once overdue (`reminders`).

pub mod reminders;
pub mod run;

use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::page::{Page, PageArgs};
use crate::{Audited, Error, Order, Parley, Permission, Result, Role, TenantCtx, new_id, now, validate};
use entities::ids::WorkflowTemplateId;
use entities::workflow_template;

/// A workflow template.
pub type WorkflowTemplate = workflow_template::Model;

/// One task of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskSpec {
    /// Short and unique in the template; other tasks name it in `dependsOn`.
    pub key: String,
    pub name: String,
    /// Calendar days from its start to its due date.
    pub duration_days: i32,
    /// Keys of the tasks it waits for.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Who does it (an approval step: who may complete it).
    pub role: Option<Role>,
    /// An approval step.
    #[serde(default)]
    pub approval: bool,
}

impl Audited for WorkflowTemplate {
    fn audit_json(&self) -> serde_json::Value {
        json!({ "name": self.name, "tasks": self.tasks })
    }
}

/// The tasks of a template as stored.
pub fn tasks_of(t: &WorkflowTemplate) -> Vec<TaskSpec> {
    serde_json::from_value(t.tasks.clone()).unwrap_or_default()
}

/// Checks a template's tasks: keys unique, names and durations sound, dependencies on
/// tasks of the template, and no cycle (the error names the task closing it and the
/// cycle: `a → b → a`).
pub fn check_tasks(tasks: Vec<TaskSpec>) -> Result<Vec<TaskSpec>> {
    if tasks.is_empty() {
        return Err(Error::invalid("tasks", "needs at least one task"));
    }
    if tasks.len() > 200 {
        return Err(Error::invalid("tasks", "holds more than 200 tasks"));
    }
    let mut out: Vec<TaskSpec> = Vec::with_capacity(tasks.len());
    for (i, t) in tasks.into_iter().enumerate() {
        let key = t.key.trim().to_lowercase();
        if key.is_empty() || key.len() > 40 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(Error::invalid(&format!("tasks[{i}].key"), "must be 1 to 40 letters, digits, '-' or '_'"));
        }
        if out.iter().any(|o| o.key == key) {
            return Err(Error::invalid(&format!("tasks[{i}].key"), format!("{key} is the key of an earlier task")));
        }
        let name = validate::name(&format!("tasks[{i}].name"), &t.name, 200)?;
        if !(0..=365).contains(&t.duration_days) {
            return Err(Error::invalid(&format!("tasks[{i}].durationDays"), "must be from 0 to 365 days"));
        }
        let mut deps: Vec<String> = t.depends_on.iter().map(|d| d.trim().to_lowercase()).collect();
        deps.sort();
        deps.dedup();
        if deps.contains(&key) {
            return Err(Error::invalid(&format!("tasks[{i}].dependsOn"), "a task cannot wait for itself"));
        }
        out.push(TaskSpec {
            key,
            name,
            duration_days: t.duration_days,
            depends_on: deps,
            role: t.role,
            approval: t.approval,
        });
    }
    for (i, t) in out.iter().enumerate() {
        if let Some(missing) = t.depends_on.iter().find(|d| !out.iter().any(|o| &o.key == *d)) {
            return Err(Error::invalid(
                &format!("tasks[{i}].dependsOn"),
                format!("{missing} is not a task of this template"),
            ));
        }
    }
    if let Some((i, cycle)) = find_cycle(&out) {
        return Err(Error::invalid(&format!("tasks[{i}].dependsOn"), format!("makes a cycle: {}", cycle.join(" → "))));
    }
    Ok(out)
}

/// A cycle among the dependencies, as the index of the task whose dependency closes it
/// and the keys around it (first and last the same).
fn find_cycle(tasks: &[TaskSpec]) -> Option<(usize, Vec<String>)> {
    // Depth-first search with three colours: 0 unseen, 1 on the path, 2 finished.
    fn visit(i: usize, tasks: &[TaskSpec], colour: &mut [u8], path: &mut Vec<usize>) -> Option<(usize, Vec<String>)> {
        colour[i] = 1;
        path.push(i);
        for d in &tasks[i].depends_on {
            let Some(j) = tasks.iter().position(|t| &t.key == d) else { continue };
            if colour[j] == 1 {
                let from = path.iter().position(|p| *p == j).unwrap_or(0);
                let mut keys: Vec<String> = path[from..].iter().map(|p| tasks[*p].key.clone()).collect();
                keys.push(tasks[j].key.clone());
                return Some((i, keys));
            }
            if colour[j] == 0
                && let Some(found) = visit(j, tasks, colour, path)
            {
                return Some(found);
            }
        }
        path.pop();
        colour[i] = 2;
        None
    }
    let mut colour = vec![0u8; tasks.len()];
    for i in 0..tasks.len() {
        if colour[i] == 0
            && let Some(found) = visit(i, tasks, &mut colour, &mut Vec::new())
        {
            return Some(found);
        }
    }
    None
}

/// Each task's start and due date from `start`: a task starts when the last of its
/// predecessors is due (or at `start`) and is due `durationDays` later. The tasks must
/// have passed [`check_tasks`].
pub fn schedule(tasks: &[TaskSpec], start: chrono::NaiveDate) -> Vec<(chrono::NaiveDate, chrono::NaiveDate)> {
    let mut dates: Vec<Option<(chrono::NaiveDate, chrono::NaiveDate)>> = vec![None; tasks.len()];
    // Acyclic, so at most `len` rounds settle every task.
    for _ in 0..tasks.len() {
        for (i, t) in tasks.iter().enumerate() {
            if dates[i].is_some() {
                continue;
            }
            let deps: Option<Vec<chrono::NaiveDate>> = t
                .depends_on
                .iter()
                .map(|d| tasks.iter().position(|o| &o.key == d).and_then(|j| dates[j]).map(|(_, due)| due))
                .collect();
            if let Some(deps) = deps {
                let begin = deps.into_iter().max().unwrap_or(start).max(start);
                let due = begin + chrono::Duration::days(i64::from(t.duration_days));
                dates[i] = Some((begin, due));
            }
        }
    }
    dates.into_iter().map(|d| d.unwrap_or((start, start))).collect()
}

/// Saves a template.
pub async fn create_template(
    ctx: &TenantCtx,
    p: &Parley,
    name: &str,
    description: &str,
    tasks: Vec<TaskSpec>,
) -> Result<WorkflowTemplate> {
    let name = validate::name("name", name, 200)?;
    let description = description.trim().to_owned();
    if description.chars().count() > 4_000 {
        return Err(Error::invalid("description", "is longer than 4,000 characters"));
    }
    let tasks = check_tasks(tasks)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let t = now();
    let row = workflow_template::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        description: Set(description),
        tasks: Set(serde_json::to_value(&tasks).map_err(Error::internal)?),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let template = tx.create("workflow_template.created", row).await?;
    tx.commit().await?;
    Ok(template)
}

/// The templates, oldest first.
pub async fn templates(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<WorkflowTemplate>> {
    p.page::<workflow_template::Entity>(ctx, Permission::ReadWorkspace, Order::Oldest, args).await
}

/// One template.
pub async fn get_template(ctx: &TenantCtx, p: &Parley, id: WorkflowTemplateId) -> Result<WorkflowTemplate> {
    p.find::<workflow_template::Entity>(ctx, Permission::ReadWorkspace, id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn task(key: &str, days: i32, deps: &[&str]) -> TaskSpec {
        TaskSpec {
            key: key.into(),
            name: key.to_uppercase(),
            duration_days: days,
            depends_on: deps.iter().map(|d| (*d).to_owned()).collect(),
            role: None,
            approval: false,
        }
    }

    fn field(r: Result<Vec<TaskSpec>>) -> (String, String) {
        match r {
            Err(Error::Invalid { field, message }) => (field, message),
            other => (format!("{other:?}"), String::new()),
        }
    }

    #[test]
    fn a_cycle_is_named_with_the_task_closing_it() {
        let (f, m) = field(check_tasks(vec![
            task("brief", 2, &["review"]),
            task("draft", 3, &["brief"]),
            task("review", 1, &["draft"]),
        ]));
        assert_eq!(f, "tasks[1].dependsOn");
        assert_eq!(m, "makes a cycle: brief → review → draft → brief");
        assert_eq!(field(check_tasks(vec![task("a", 1, &["a"])])).0, "tasks[0].dependsOn");
        assert_eq!(field(check_tasks(vec![task("a", 1, &["zz"])])).1, "zz is not a task of this template");
        assert_eq!(field(check_tasks(vec![task("a", 1, &[]), task("A", 1, &[])])).0, "tasks[1].key");
        assert_eq!(field(check_tasks(vec![task("a", 400, &[])])).0, "tasks[0].durationDays");
        assert_eq!(field(check_tasks(vec![])).0, "tasks");
    }

    #[test]
    fn dates_follow_the_longest_chain_of_predecessors() {
        let tasks = check_tasks(vec![
            task("brief", 2, &[]),
            task("copy", 5, &["brief"]),
            task("design", 3, &["brief"]),
            task("review", 1, &["copy", "design"]),
        ])
        .unwrap();
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        let dates = schedule(&tasks, d(3, 1));
        assert_eq!(dates, vec![(d(3, 1), d(3, 3)), (d(3, 3), d(3, 8)), (d(3, 3), d(3, 6)), (d(3, 8), d(3, 9))]);
    }
}

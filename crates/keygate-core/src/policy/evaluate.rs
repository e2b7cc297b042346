//! Deciding one request against a caller's policies: an explicit deny wins, then any allow,
//! else the implicit deny; and which statement decided (`judge`), for messages and the log.

use super::{Clause, Context, Decision, Effect, Policy, compile_action, compile_resource, glob};

/// The request being decided: a policy action, the resource it touches, and its context.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a Context,
}

/// What decided a request: the decision, and the statement that made it (none for an
/// implicit deny).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub decision: Decision,
    pub decided_by: Option<Decider>,
}

/// The deciding statement: the index of its policy among those evaluated, and its `Sid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decider {
    pub policy: usize,
    pub sid: Option<String>,
}

impl Policy {
    /// Whether the document says `Version: 2012-10-17`, which managed policies require.
    pub fn is_current_version(&self) -> bool {
        self.variables
    }

    /// The decision of this one document, and the `Sid` of the statement that made it.
    fn decide(
        &self,
        req: &Request<'_>,
        action: &[char],
        resource: &[char],
    ) -> (Decision, Option<Option<String>>) {
        let mut allowed = None;
        for st in &self.statements {
            let action_hit = |p: &String| glob(&compile_action(p), action);
            let resource_hit = |p: &String| {
                compile_resource(p, self.variables, req.context)
                    .is_some_and(|toks| glob(&toks, resource))
            };
            let actions = match &st.actions {
                Clause::Any(ps) => ps.iter().any(action_hit),
                Clause::NoneOf(ps) => !ps.iter().any(action_hit),
            };
            let resources = match &st.resources {
                Clause::Any(ps) => ps.iter().any(resource_hit),
                Clause::NoneOf(ps) => !ps.iter().any(resource_hit),
            };
            if actions && resources && st.condition.holds(req.context, self.variables) {
                match st.effect {
                    Effect::Deny => return (Decision::ExplicitDeny, Some(st.sid.clone())),
                    Effect::Allow => {
                        allowed.get_or_insert_with(|| st.sid.clone());
                    }
                }
            }
        }
        match allowed {
            Some(sid) => (Decision::Allow, Some(sid)),
            None => (Decision::ImplicitDeny, None),
        }
    }
}

/// Evaluates every policy of the caller: an explicit deny wins, then any allow, else deny.
pub fn evaluate<'p>(policies: impl IntoIterator<Item = &'p Policy>, req: &Request<'_>) -> Decision {
    judge(policies, req).decision
}

/// As `evaluate`, naming the deciding statement: the first that denies, else the first that
/// allows.
pub fn judge<'p>(policies: impl IntoIterator<Item = &'p Policy>, req: &Request<'_>) -> Verdict {
    let action: Vec<char> = req.action.to_ascii_lowercase().chars().collect();
    let resource: Vec<char> = req.resource.chars().collect();
    let mut outcome = Verdict {
        decision: Decision::ImplicitDeny,
        decided_by: None,
    };
    for (i, p) in policies.into_iter().enumerate() {
        let (decision, sid) = p.decide(req, &action, &resource);
        let decider = sid.map(|sid| Decider { policy: i, sid });
        match decision {
            Decision::ExplicitDeny => {
                return Verdict {
                    decision,
                    decided_by: decider,
                };
            }
            Decision::Allow if outcome.decision != Decision::Allow => {
                outcome = Verdict {
                    decision,
                    decided_by: decider,
                };
            }
            Decision::Allow | Decision::ImplicitDeny => {}
        }
    }
    outcome
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;

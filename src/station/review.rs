//! Reviewing content of one kind on the running station: the same steps for every kind, each a
//! call to the review rules on a blocking thread (after the kind's slow preparation, outside
//! the store's lock) followed by what the kind's running parts do
//! and what live pages hear. It holds no rules (they are `review`'s) and no SQL (the store's).

use crate::model::{Capability, ReviewState, User};
use crate::review::{self, Action, Kind, ReviewError, Step};
use crate::station::Bus;
use crate::store::review::ReviewedRows;
use crate::store::{Store, StoreError};

/// The reviews of kind `K`: the store that keeps them, the bus that hears of them and what the
/// kind's rules need (the panel, for slogans). Cheap to clone.
pub struct Reviews<K: Kind> {
    /// Where they are kept.
    pub store: Store,
    /// Who hears of a change.
    pub events: Bus,
    /// What the kind's checks and effects need.
    pub ctx: K::Context,
}

impl<K: Kind> Clone for Reviews<K> {
    fn clone(&self) -> Self {
        Reviews {
            store: self.store.clone(),
            events: self.events.clone(),
            ctx: self.ctx.clone(),
        }
    }
}

impl<K: Kind> Reviews<K> {
    /// The reviews of `K` kept in `store`, announced on `events`.
    pub fn new(store: Store, events: Bus, ctx: K::Context) -> Self {
        Reviews { store, events, ctx }
    }

    /// All of them, optionally in one state.
    pub async fn list(&self, state: Option<ReviewState>) -> Result<Vec<K::Record>, StoreError> {
        self.store.run(move |c| Ok(K::Rows::list(c, state)?)).await
    }

    /// The one with this id, if there is one.
    pub async fn get(&self, id: i64) -> Result<Option<K::Record>, StoreError> {
        self.store.run(move |c| Ok(K::Rows::get(c, id)?)).await
    }

    /// The revision of row `id` waiting beside its approved version, if there is one.
    pub async fn pending(&self, id: i64) -> Result<Option<K::Record>, StoreError> {
        self.store.run(move |c| Ok(K::Rows::pending(c, id)?)).await
    }

    /// Write a draft by `actor`, and send it to the leaders at once if `submit`.
    pub async fn create(
        &self,
        actor: User,
        content: K::Content,
        submit: bool,
    ) -> Result<K::Record, ReviewError> {
        let (actor, content) = self.prepared(actor, content).await?;
        let ctx = self.ctx.clone();
        let (id, record) = self
            .store
            .call(move |c| -> Result<_, ReviewError> {
                let record = review::create::<K>(c, &content, &actor, &ctx)?;
                let id = K::standing(&record).id;
                if !submit {
                    return Ok((id, record));
                }
                let submitted = review::apply::<K>(c, id, Action::Submit, Some(&actor), &ctx)?;
                Ok((id, submitted))
            })
            .await?;
        self.announce(id, submit.then_some(Step::Submit))?;
        Ok(record)
    }

    /// Do `action` to row `id` as `actor`.
    pub async fn act(
        &self,
        actor: User,
        id: i64,
        action: Action<K::Content>,
    ) -> Result<K::Record, ReviewError> {
        let step = action.step();
        let action = match action {
            Action::Edit(content) => {
                // Refused edits are refused before the slow part, which would keep a recording.
                let current = self
                    .get(id)
                    .await?
                    .ok_or_else(|| review::not_found::<K>(id))?;
                let standing = K::standing(&current);
                review::rules(&standing, Step::Edit, Some(&actor))?;
                let (_, content) = self.prepared(actor.clone(), content).await?;
                Action::Edit(content)
            }
            other => other,
        };
        let ctx = self.ctx.clone();
        let record = self
            .store
            .call(move |c| review::apply::<K>(c, id, action, Some(&actor), &ctx))
            .await?;
        self.announce(id, Some(step))?;
        Ok(record)
    }

    /// `content` after the kind's slow preparation (a bulletin read aloud), on a blocking
    /// thread so neither the async threads nor the store wait for it.
    async fn prepared(
        &self,
        actor: User,
        content: K::Content,
    ) -> Result<(User, K::Content), ReviewError> {
        if !actor.role.can(Capability::Edit) {
            return Err(ReviewError::Forbidden);
        }
        let ctx = self.ctx.clone();
        tokio::task::spawn_blocking(move || {
            let content = K::prepare(&ctx, content, &actor)?;
            Ok((actor, content))
        })
        .await
        .map_err(|e| ReviewError::Store(StoreError::Task(e.to_string())))?
    }

    /// After a committed change: the kind's effects, then the event live pages hear.
    fn announce(&self, id: i64, step: Option<Step>) -> Result<(), ReviewError> {
        if let Some(event) = K::committed(&self.ctx, id, step)? {
            self.events.send(event);
        }
        Ok(())
    }
}

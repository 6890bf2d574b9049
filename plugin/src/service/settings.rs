//! The settings staff edit in the admin panel, stored in the database and
//! held in memory: they are read on every send and every connection. A
//! change saved here is in force at once in this process; other processes
//! on the same database read it again within [`REFRESH`].

use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::NaiveDateTime;

use super::ChatService;
use crate::domain::{Actor, Settings};
use crate::error::ChatError;
use crate::store;

/// How often a process reads the settings again (changes made by another
/// process on the same database).
pub const REFRESH: Duration = Duration::from_secs(5);

/// Who last changed the settings, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsChange {
    /// When.
    pub at: NaiveDateTime,
    /// The name of the member of staff.
    pub by: String,
}

#[derive(Debug)]
struct Current {
    settings: Arc<Settings>,
    change: Option<SettingsChange>,
}

/// The settings in force in this process. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    current: Arc<RwLock<Current>>,
    defaults: Arc<Settings>,
}

impl LiveSettings {
    /// Settings that start as `defaults` (from the start-up configuration)
    /// until stored ones are read.
    pub fn new(defaults: Settings) -> LiveSettings {
        let defaults = Arc::new(defaults);
        LiveSettings {
            current: Arc::new(RwLock::new(Current {
                settings: defaults.clone(),
                change: None,
            })),
            defaults,
        }
    }

    /// The settings in force.
    pub fn get(&self) -> Arc<Settings> {
        match self.current.read() {
            Ok(current) => current.settings.clone(),
            Err(poisoned) => poisoned.into_inner().settings.clone(),
        }
    }

    /// Who changed them last; `None` while nobody has (the defaults).
    pub fn change(&self) -> Option<SettingsChange> {
        match self.current.read() {
            Ok(current) => current.change.clone(),
            Err(poisoned) => poisoned.into_inner().change.clone(),
        }
    }

    fn set(&self, settings: Settings, change: Option<SettingsChange>) {
        let next = Current {
            settings: Arc::new(settings),
            change,
        };
        match self.current.write() {
            Ok(mut current) => *current = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }
}

impl ChatService {
    /// The settings in force.
    pub fn settings(&self) -> Arc<Settings> {
        self.settings.get()
    }

    /// The settings in force, shared (the hub and the mail queue hold it).
    pub fn live_settings(&self) -> &LiveSettings {
        &self.settings
    }

    /// Reads the stored settings (at start, and every [`REFRESH`]). Stored
    /// settings that cannot be read (written by hand, say) leave the ones in
    /// force and are logged.
    pub async fn reload_settings(&self) -> Result<(), ChatError> {
        let Some((body, at, by)) = self
            .db
            .read(|conn| Ok::<_, ChatError>(store::settings::load(conn)?))
            .await?
        else {
            return Ok(());
        };
        match serde_json::from_str::<Settings>(&body) {
            Ok(settings) if settings.validate().is_ok() => {
                self.settings.set(settings, Some(SettingsChange { at, by }));
            }
            Ok(_) | Err(_) => {
                tracing::error!(
                    "the stored chat settings are not valid; keeping the ones in force"
                );
            }
        }
        Ok(())
    }

    /// Staff change the settings; in force at once. Nothing is stored when a
    /// value is refused.
    pub async fn save_settings(
        &self,
        actor: &Actor,
        settings: Settings,
    ) -> Result<Arc<Settings>, ChatError> {
        if !actor.is_staff() {
            return Err(ChatError::Forbidden(
                "Only staff can change the chat settings.",
            ));
        }
        settings.validate()?;
        let body = serde_json::to_string(&settings)
            .map_err(|e| ChatError::Store(store::StoreError::Unavailable(e.to_string())))?;
        let (by, at) = (actor.name.clone(), store::now());
        let stored_by = by.clone();
        self.db
            .write(move |conn| {
                Ok::<_, ChatError>(store::settings::save(conn, &body, at, &stored_by)?)
            })
            .await?;
        self.settings.set(settings, Some(SettingsChange { at, by }));
        Ok(self.settings.get())
    }

    /// The defaults the settings started from (the start-up configuration).
    pub fn default_settings(&self) -> Arc<Settings> {
        self.settings.defaults.clone()
    }
}

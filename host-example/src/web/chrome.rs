//! The header every page carries: who is signed in, the unread badges, the
//! sign-out form's token and which nav item is current.
//!
//! The host's own handlers load it before rendering; the plugin's pages load
//! it when the plugin asks the host to frame them, after the plugin has done
//! its work (so a conversation just opened no longer counts as unread).

use actix_session::Session;
use storechat::{Actor, Storechat};

use crate::auth::csrf;
use crate::shop::{User, UserRole, activity};

/// The signed-in person as the header shows them.
#[derive(Debug, Clone)]
pub struct HeaderUser {
    /// Full name.
    pub name: String,
    /// The letter on the avatar.
    pub initial: String,
    /// Staff get a link to the admin site instead of the account pages.
    pub is_staff: bool,
    /// Only customers have orders.
    pub is_customer: bool,
    /// Vendors get their vendor dashboard and the conversations about their products.
    pub is_vendor: bool,
}

/// Everything the header and the admin sidebar need.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    /// Who is signed in.
    pub user: Option<HeaderUser>,
    /// Unread store replies ("99+" above 99); `None` hides the badge.
    pub messages_badge: Option<String>,
    /// Unread in-app notifications.
    pub notifications_badge: Option<String>,
    /// Unread lines of the store's activity feed, for customers.
    pub activity_badge: Option<String>,
    /// Unread customer messages, for staff.
    pub admin_badge: Option<String>,
    /// The token of the sign-out form.
    pub csrf: String,
    /// The current nav item ("shop", "orders", "messages", …).
    pub active: &'static str,
    /// Staff have the storefront chat widget on (the chat settings).
    pub chat_widget: bool,
}

impl Chrome {
    /// True when a vendor is signed in (the admin layout shows their nav).
    pub fn is_vendor(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_vendor)
    }

    /// Loads the header for `user`. A failed count hides its badge rather
    /// than failing the page.
    pub async fn load(
        chat: &Storechat,
        session: &Session,
        user: Option<&User>,
        active: &'static str,
    ) -> Chrome {
        let chat_widget = chat.service().settings().widget_enabled;
        let Some(user) = user else {
            return Chrome {
                active,
                chat_widget,
                ..Chrome::default()
            };
        };
        let actor = user.actor();
        let service = chat.service();
        let mut chrome = Chrome {
            user: Some(HeaderUser {
                name: user.name.clone(),
                initial: initial(&user.name),
                is_staff: user.is_staff(),
                is_customer: user.role == UserRole::Customer,
                is_vendor: user.role == UserRole::Vendor,
            }),
            csrf: csrf::token(session),
            active,
            chat_widget,
            ..Chrome::default()
        };
        match user.role {
            UserRole::Customer => {
                chrome.messages_badge =
                    badge(service.unread_for_customer(&actor).await, "messages");
                chrome.notifications_badge =
                    badge(service.unread_notifications(&actor).await, "notifications");
                let id = user.id;
                let unread = service
                    .db()
                    .read(move |conn| activity::count_unread(conn, id))
                    .await;
                chrome.activity_badge = match unread {
                    Ok(n) => storechat::web::badge(n),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not count unread activity");
                        None
                    }
                };
            }
            UserRole::Vendor => {
                chrome.notifications_badge =
                    badge(service.unread_notifications(&actor).await, "notifications");
                chrome.admin_badge =
                    badge(service.unread_for_admin(&actor).await, "vendor messages");
            }
            UserRole::Staff => {
                chrome.admin_badge = badge(service.unread_for_admin(&actor).await, "admin messages")
            }
        }
        chrome
    }

    /// The header of a plugin page when nothing was loaded for it: the
    /// person's name from the plugin, no badges.
    pub fn from_actor(actor: &Actor) -> Chrome {
        Chrome {
            user: Some(HeaderUser {
                name: actor.name.clone(),
                initial: initial(&actor.name),
                is_staff: actor.is_staff(),
                is_customer: actor.role == storechat::Role::Customer,
                is_vendor: actor.role == storechat::Role::Vendor,
            }),
            ..Chrome::default()
        }
    }

    /// True when `item` is the current nav item.
    pub fn is(&self, item: &str) -> bool {
        self.active == item
    }
}

fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into())
}

fn badge(count: Result<i64, storechat::ChatError>, what: &str) -> Option<String> {
    match count {
        Ok(n) => storechat::web::badge(n),
        Err(e) => {
            tracing::warn!(error = %e, "could not count unread {what}");
            None
        }
    }
}

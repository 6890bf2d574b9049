//! The chat plugin's pages inside the store's layouts: customer pages in
//! the storefront's account layout, admin panels in the admin site. The
//! plugin calls these after its own work, so the header's badges are fresh.

use actix_session::SessionExt;
use actix_web::HttpRequest;
use actix_web::web::Data;
use askama::Template;
use storechat::{PageArea, PageFrame};

use super::chrome::Chrome;
use crate::identity;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "plugin_page.html")]
struct CustomerFrame<'a> {
    chrome: Chrome,
    title: &'a str,
    head: &'a str,
    body: &'a str,
}

#[derive(Template)]
#[template(path = "admin/plugin_page.html")]
struct AdminFrame<'a> {
    chrome: Chrome,
    /// The admin top bar names the section, as on the store's own admin
    /// pages; the plugin's body brings the page's own heading.
    section: &'static str,
    title: &'a str,
    head: &'a str,
    body: &'a str,
}

async fn chrome_for(req: &HttpRequest, frame: &PageFrame<'_>) -> Chrome {
    let active = match frame.area {
        PageArea::CustomerMessages => "messages",
        PageArea::CustomerNotifications => "notifications",
        // The plugin's live inbox has its own item in the sidebar.
        PageArea::AdminConversations if req.path().contains("/inbox/") => "inbox",
        PageArea::AdminConversations if req.path().ends_with("/settings/") => "chat-settings",
        PageArea::AdminConversations => "conversations",
    };
    let Some(state) = req.app_data::<Data<AppState>>() else {
        return Chrome {
            active,
            ..Chrome::from_actor(frame.actor)
        };
    };
    let user = match identity::current_user(req, state.db.clone()).await {
        Ok(user) => user,
        Err(e) => {
            tracing::error!(error = %e, "could not load the signed-in user for the header");
            return Chrome {
                active,
                ..Chrome::from_actor(frame.actor)
            };
        }
    };
    Chrome::load(&state.chat, &req.get_session(), user.as_ref(), active).await
}

/// A customer page of the plugin in the storefront layout.
pub async fn customer(req: &HttpRequest, frame: PageFrame<'_>) -> String {
    let page = CustomerFrame {
        chrome: chrome_for(req, &frame).await,
        title: frame.title,
        head: frame.head,
        body: frame.body,
    };
    page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "could not render the customer frame");
        storechat::web::layout::standalone(frame)
    })
}

/// An admin panel of the plugin in the admin layout.
pub async fn admin(req: &HttpRequest, frame: PageFrame<'_>) -> String {
    let page = AdminFrame {
        chrome: chrome_for(req, &frame).await,
        section: match frame.area {
            PageArea::AdminConversations => "Conversations",
            PageArea::CustomerMessages => "Messages",
            PageArea::CustomerNotifications => "Notifications",
        },
        title: frame.title,
        head: frame.head,
        body: frame.body,
    };
    page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "could not render the admin frame");
        storechat::web::layout::standalone(frame)
    })
}

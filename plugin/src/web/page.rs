//! One page being answered: who asks, where in the site, and how its body
//! or its error goes into the host's frame. Handlers compute a
//! `Result<HttpResponse, ChatError>` and hand it to [`Page::outcome`], so
//! every error of every page is shown the same way.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::Storechat;
use crate::adapter::{PageArea, PageFrame};
use crate::domain::Actor;
use crate::error::ChatError;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorBody<'a> {
    title: &'a str,
    message: &'a str,
    back_href: &'a str,
    back_label: &'a str,
}

/// A page of the plugin being answered.
pub(crate) struct Page<'a> {
    pub req: &'a HttpRequest,
    pub chat: &'a Storechat,
    pub actor: &'a Actor,
    pub area: PageArea,
}

impl<'a> Page<'a> {
    pub fn new(
        req: &'a HttpRequest,
        chat: &'a Storechat,
        actor: &'a Actor,
        area: PageArea,
    ) -> Self {
        Page {
            req,
            chat,
            actor,
            area,
        }
    }

    /// `content` inside the host's frame.
    pub async fn html(&self, status: StatusCode, title: &str, content: &str) -> HttpResponse {
        let head = super::layout::head(self.chat, self.area);
        let frame = PageFrame {
            title,
            head: &head,
            body: content,
            actor: self.actor,
            area: self.area,
        };
        let host = self.chat.service().host();
        let html = match self.area {
            PageArea::AdminConversations => host.admin_page(self.req, frame).await,
            _ => host.customer_page(self.req, frame).await,
        };
        HttpResponse::build(status)
            .insert_header(header::CacheControl(vec![header::CacheDirective::NoStore]))
            .content_type("text/html; charset=utf-8")
            .body(html)
    }

    /// A template inside the host's frame.
    pub async fn render(
        &self,
        status: StatusCode,
        title: &str,
        template: &impl Template,
    ) -> HttpResponse {
        match template.render() {
            Ok(content) => self.html(status, title, &content).await,
            Err(e) => {
                tracing::error!(error = %e, "a storechat template failed to render");
                self.message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Something went wrong on our side; please try again.",
                )
                .await
            }
        }
    }

    /// The response for a handler's result: the page, or its error shown.
    pub async fn outcome(&self, result: Result<HttpResponse, ChatError>) -> HttpResponse {
        match result {
            Ok(response) => response,
            Err(error) => self.error(error).await,
        }
    }

    /// An error page for a chat error.
    pub async fn error(&self, error: ChatError) -> HttpResponse {
        if error.is_internal() {
            tracing::error!(error = ?error, "chat operation failed");
        }
        let title = match &error {
            ChatError::ConversationNotFound
            | ChatError::MessageNotFound
            | ChatError::NotificationNotFound => "Not found",
            ChatError::Forbidden(_) => "Not allowed",
            ChatError::Store(_) | ChatError::Host(_) => "Something went wrong",
            _ => "That did not work",
        };
        self.message(error.http_status(), title, &error.to_string())
            .await
    }

    /// A refused form post (missing or wrong CSRF token).
    pub async fn forbidden_form(&self) -> HttpResponse {
        self.message(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form could not be accepted (its security token is missing or wrong). Nothing was changed. \
             Please go back, reload the page and try again.",
        )
        .await
    }

    async fn message(&self, status: StatusCode, title: &str, message: &str) -> HttpResponse {
        let routes = &self.chat.config().routes;
        let (back_href, back_label) = match self.area {
            PageArea::AdminConversations => (format!("{}/", routes.admin), "Back to conversations"),
            _ => (format!("{}/", routes.customer), "Back to your messages"),
        };
        let content = ErrorBody {
            title,
            message,
            back_href: &back_href,
            back_label,
        }
        .render()
        .unwrap_or_default();
        self.html(status, title, &content).await
    }
}

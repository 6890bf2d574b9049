//! The caller's in-app notifications (`NEW_MESSAGE`), newest first.

use actix_web::{HttpResponse, get, post, web};

use super::auth::ApiActor;
use super::conversations::Paging;
use super::error::{ApiError, ErrorBody};
use super::model::{Changed, NotificationOut, NotificationPage};
use super::responses::{NotFound, QueryErrors, Unauthorized};
use crate::Storechat;

/// A page of the caller's notifications, newest first, and the unread total.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_notifications",
    params(Paging),
    responses(
        (status = 200, description = "A page of notifications", body = NotificationPage),
        QueryErrors,
        Unauthorized,
    ),
    security(("bearer" = []))
)]
#[get("/notifications")]
pub async fn list_notifications(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let limit = paging.limit(20)?;
    let before = paging.id_cursor()?;
    let service = chat.service();
    // One more than asked tells whether a next page exists.
    let mut items = service.notifications(&actor, before, limit + 1).await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let unread = service.unread_notifications(&actor).await?;
    Ok(HttpResponse::Ok().json(NotificationPage {
        next_cursor: more
            .then(|| items.last().map(|n| n.id.to_string()))
            .flatten(),
        items: items.iter().map(NotificationOut::from).collect(),
        unread,
    }))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(
    tag = "notifications",
    operation_id = "read_notification",
    params(("id" = i64, Path, description = "The notification")),
    responses(
        (status = 204, description = "Read"),
        (status = 415, description = "Cookie-authenticated and not JSON", body = ErrorBody),
        Unauthorized,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[post("/notifications/{id}/read")]
pub async fn read_notification(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    chat.service()
        .mark_notification_read(&actor, id.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marks all of the caller's notifications read.
#[utoipa::path(
    tag = "notifications",
    operation_id = "read_all_notifications",
    responses(
        (status = 200, description = "How many were unread", body = Changed),
        (status = 415, description = "Cookie-authenticated and not JSON", body = ErrorBody),
        Unauthorized,
    ),
    security(("bearer" = []))
)]
#[post("/notifications/read-all")]
pub async fn read_all_notifications(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
) -> Result<HttpResponse, ApiError> {
    let changed = chat.service().mark_all_notifications_read(&actor).await?;
    Ok(HttpResponse::Ok().json(Changed { changed }))
}

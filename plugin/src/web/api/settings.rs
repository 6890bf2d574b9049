//! The chat settings (staff) and the store's availability (everyone).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, put, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::ApiActor;
use super::error::{ApiError, ErrorBody};
use super::responses::{BodyErrors, Forbidden, Unauthorized};
use crate::Storechat;
use crate::domain::{Availability, Settings};
use crate::error::ChatError;

/// The settings in force and who changed them last.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsOut {
    /// The settings.
    pub settings: Settings,
    /// When staff last saved them; `null` while they are the defaults.
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
    /// Who saved them last.
    pub updated_by: Option<String>,
}

fn settings_out(chat: &Storechat) -> SettingsOut {
    let live = chat.service().live_settings();
    let change = live.change();
    SettingsOut {
        settings: (*live.get()).clone(),
        updated_at: change.as_ref().map(|c| {
            c.at.and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }),
        updated_by: change.map(|c| c.by),
    }
}

/// The chat settings in force (staff).
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_get_settings",
    responses(
        (status = 200, description = "The settings", body = SettingsOut),
        Unauthorized,
        Forbidden,
    ),
    security(("bearer" = []))
)]
#[get("/admin/settings")]
pub async fn get_settings(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
) -> Result<HttpResponse, ApiError> {
    if !actor.is_staff() {
        return Err(ChatError::Forbidden("Only staff can see the chat settings.").into());
    }
    Ok(HttpResponse::Ok().json(settings_out(&chat)))
}

/// Replaces the chat settings (staff); in force at once. Send every field
/// (read them, change some, send them back). The API cannot turn itself
/// off (409): that would leave no way back through it; staff turn it off
/// and on in the admin settings panel.
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_save_settings",
    request_body = Settings,
    responses(
        (status = 200, description = "Saved", body = SettingsOut),
        (status = 409, description = "`api_enabled` false: turn the API off in the admin panel", body = ErrorBody),
        BodyErrors,
        Unauthorized,
        Forbidden,
    ),
    security(("bearer" = []))
)]
#[put("/admin/settings")]
pub async fn save_settings(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    body: web::Json<Settings>,
) -> Result<HttpResponse, ApiError> {
    if !actor.is_staff() {
        return Err(ChatError::Forbidden("Only staff can change the chat settings.").into());
    }
    if !body.api_enabled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "api_cannot_disable_itself",
            "The API cannot turn itself off; turn it off in the admin settings panel.",
        )
        .with_details(serde_json::json!({ "field": "api_enabled" })));
    }
    chat.service()
        .save_settings(&actor, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(settings_out(&chat)))
}

/// Whether the store answers now; outside business hours, the away message
/// and when it is back.
#[utoipa::path(
    tag = "conversations",
    operation_id = "availability",
    responses(
        (status = 200, description = "Open or away", body = Availability),
        Unauthorized,
    ),
    security(("bearer" = []))
)]
#[get("/availability")]
pub async fn availability(
    chat: web::Data<Storechat>,
    _caller: ApiActor,
) -> Result<HttpResponse, ApiError> {
    let now = chrono::Utc::now();
    Ok(HttpResponse::Ok().json(chat.service().settings().availability(now)))
}

//! `GET /settings/` and `POST /settings/`: the chat settings for staff —
//! the widget and the API on or off, e-mail notifications and their delay,
//! the rate limit and connection cap, the WebSocket origins, business hours
//! and the away message. A refused value re-shows the form as typed, with
//! the reason next to the field, and changes nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveTime;

use super::flash::{self, Flash};
use super::form::Fields;
use super::staff_only;
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::settings::{WEEK, day_field, day_name, parse_time};
use crate::domain::{Actor, BusinessHours, DayHours, Settings, ValidationError};
use crate::error::ChatError;
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::format::exact_time;
use crate::web::page::Page;

/// One day's row of the business hours.
struct DayRow {
    field: &'static str,
    name: &'static str,
    open: bool,
    opens: String,
    closes: String,
}

/// The form's values as text, so a refused form comes back as typed.
struct Values {
    widget_enabled: bool,
    api_enabled: bool,
    email_enabled: bool,
    email_delay_minutes: String,
    messages_per_minute: String,
    max_connections_per_user: String,
    allowed_origins: String,
    hours_enabled: bool,
    timezone: String,
    days: Vec<DayRow>,
    away_message: String,
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl Values {
    fn of(s: &Settings) -> Values {
        let hours = s.business_hours.as_ref();
        Values {
            widget_enabled: s.widget_enabled,
            api_enabled: s.api_enabled,
            email_enabled: s.email_enabled,
            email_delay_minutes: s.email_delay_minutes.to_string(),
            messages_per_minute: s.messages_per_minute.to_string(),
            max_connections_per_user: s.max_connections_per_user.to_string(),
            allowed_origins: s.allowed_origins.join("\n"),
            hours_enabled: hours.is_some(),
            timezone: hours
                .map(|h| h.timezone.clone())
                .unwrap_or_else(|| "UTC".into()),
            days: WEEK
                .iter()
                .enumerate()
                .map(|(i, day)| {
                    let today = hours.and_then(|h| h.days[i]);
                    let weekday = i < 5;
                    DayRow {
                        field: day_field(*day),
                        name: day_name(*day),
                        open: today.is_some() || (hours.is_none() && weekday),
                        opens: today
                            .map(|h| hhmm(h.opens))
                            .unwrap_or_else(|| "09:00".into()),
                        closes: today
                            .map(|h| hhmm(h.closes))
                            .unwrap_or_else(|| "17:00".into()),
                    }
                })
                .collect(),
            away_message: s.away_message.clone(),
        }
    }

    fn from_fields(fields: &Fields) -> Values {
        let on = |name: &str| fields.get(name).is_some();
        let text = |name: &str| fields.get(name).unwrap_or("").to_owned();
        Values {
            widget_enabled: on("widget_enabled"),
            api_enabled: on("api_enabled"),
            email_enabled: on("email_enabled"),
            email_delay_minutes: text("email_delay_minutes"),
            messages_per_minute: text("messages_per_minute"),
            max_connections_per_user: text("max_connections_per_user"),
            allowed_origins: text("allowed_origins"),
            hours_enabled: on("hours_enabled"),
            timezone: text("timezone"),
            days: WEEK
                .iter()
                .map(|day| {
                    let field = day_field(*day);
                    DayRow {
                        field,
                        name: day_name(*day),
                        open: on(field),
                        opens: text(&format!("{field}_opens")),
                        closes: text(&format!("{field}_closes")),
                    }
                })
                .collect(),
            away_message: text("away_message"),
        }
    }

    fn to_settings(&self) -> Result<Settings, ValidationError> {
        let number = |field: &'static str, raw: &str| {
            raw.trim().parse::<u32>().map_err(|_| {
                ValidationError::new(field, format!("\"{}\" is not a whole number.", raw.trim()))
            })
        };
        let business_hours = if self.hours_enabled {
            let mut days = [None; 7];
            for (slot, row) in days.iter_mut().zip(&self.days) {
                if row.open {
                    *slot = Some(DayHours {
                        opens: parse_time(row.field, &row.opens)?,
                        closes: parse_time(row.field, &row.closes)?,
                    });
                }
            }
            Some(BusinessHours {
                timezone: self.timezone.trim().to_owned(),
                days,
            })
        } else {
            None
        };
        let settings = Settings {
            widget_enabled: self.widget_enabled,
            api_enabled: self.api_enabled,
            email_enabled: self.email_enabled,
            email_delay_minutes: number("email_delay_minutes", &self.email_delay_minutes)?,
            messages_per_minute: number("messages_per_minute", &self.messages_per_minute)?,
            max_connections_per_user: number(
                "max_connections_per_user",
                &self.max_connections_per_user,
            )?,
            allowed_origins: self
                .allowed_origins
                .lines()
                .map(|l| l.trim().trim_end_matches('/').to_owned())
                .filter(|l| !l.is_empty())
                .collect(),
            business_hours,
            away_message: self.away_message.trim().to_owned(),
        };
        settings.validate()?;
        Ok(settings)
    }
}

#[derive(Template)]
#[template(path = "conversation_settings.html")]
struct SettingsPage<'a> {
    base: &'a str,
    csrf: String,
    v: Values,
    error: Option<ValidationError>,
    flash: Option<Flash>,
    changed: Option<String>,
    customers_see: String,
    mail_configured: bool,
    api_prefix: &'a str,
}

impl SettingsPage<'_> {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn customers_see(settings: &Settings) -> String {
    match crate::web::away::away_notice(settings, chrono::Utc::now()) {
        None => "Open: customers see no away message now.".into(),
        Some(away) => match away.back {
            Some(back) => format!("Away: customers see the away message now (back {back})."),
            None => "Away: customers see the away message now.".into(),
        },
    }
}

async fn render(
    page: &Page<'_>,
    chat: &Storechat,
    actor: &Actor,
    v: Values,
    error: Option<ValidationError>,
    status: StatusCode,
) -> HttpResponse {
    let service = chat.service();
    let content = SettingsPage {
        base: &chat.config().routes.admin,
        csrf: csrf::token(&chat.config().secret, actor),
        v,
        error,
        flash: flash::take(page.req),
        changed: service
            .live_settings()
            .change()
            .map(|c| format!("Last changed by {} on {}.", c.by, exact_time(c.at))),
        customers_see: customers_see(&service.settings()),
        mail_configured: service.mail_queue().enabled,
        api_prefix: &chat.config().routes.api,
    };
    let mut response = page.render(status, "Chat settings", &content).await;
    flash::clear(&mut response);
    response
}

pub(super) async fn show(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Err(e) = staff_only(&actor) {
        return page.error(e).await;
    }
    let values = Values::of(&chat.service().settings());
    render(&page, &chat, &actor, values, None, StatusCode::OK).await
}

pub(super) async fn save(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Err(e) = staff_only(&actor) {
        return page.error(e).await;
    }
    if !csrf::verify(&chat.config().secret, &actor, fields.csrf()) {
        return page.forbidden_form().await;
    }
    let values = Values::from_fields(&fields);
    let saved = match values.to_settings() {
        Ok(settings) => chat.service().save_settings(&actor, settings).await,
        Err(invalid) => Err(ChatError::Invalid(invalid)),
    };
    match saved {
        Ok(_) => flash::redirect(
            &format!("{}/settings/", chat.config().routes.admin),
            false,
            "Settings saved. They are in force now.",
        ),
        Err(ChatError::Invalid(invalid)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&page, &chat, &actor, values, Some(invalid), status).await
        }
        Err(e) => page.error(e).await,
    }
}

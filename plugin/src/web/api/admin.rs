//! The store's side: the admin list (the panel's filters, search, sort and
//! keyset pages), opening a conversation with any customer, status,
//! assignment, priority, delete (CLOSED only), bulk operations and exports.
//! Staff do everything; vendors list the conversations about their own
//! products (and read and answer them through `/conversations/{id}`); the
//! service refuses the rest.

use actix_web::http::StatusCode;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::auth::ApiActor;
use super::conversations::{bad_cursor, client_id, opened};
use super::error::ApiError;
use super::model::{
    AdminConversationPage, AdminOpenIn, AssignIn, BulkAction, BulkIn, Changed, ConversationOut,
    ExportFormat, ExportIn, Opened, PriorityIn, StatusIn, WholeNumber,
};
use super::responses::{BodyErrors, Conflict, Forbidden, NotFound, QueryErrors, Unauthorized};
use super::schema::{ReadFilter, SortName};
use crate::Storechat;
use crate::domain::{Status, ValidationError};
use crate::error::ChatError;
use crate::service::{AdminQuery, Assignment, Handler, OpenConversation, Priority};
use crate::store::admin_list::{AdminFilter, AssigneeFilter, PageAt, SortKey};
use crate::web::admin::export as spreadsheet;
use crate::web::admin::params::{decode_cursor, encode_cursor};

/// The most conversations one bulk operation or export may name.
const MAX_BULK: usize = 1000;

/// The admin list's filters, search, sort and page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminListQuery {
    /// Words to find in the subject, the customer's name or e-mail, the
    /// order number or the product name.
    pub q: Option<String>,
    /// Only these statuses, comma-separated (`OPEN,AWAITING_ADMIN`).
    #[param(value_type = Option<Vec<Status>>, style = Form, explode = false, min_items = 1)]
    pub status: Option<String>,
    /// `read` or `unread` (by the store).
    #[param(value_type = Option<ReadFilter>)]
    pub read: Option<String>,
    /// Only this customer's (host id).
    pub customer: Option<String>,
    /// Only this vendor's (host id).
    pub vendor: Option<String>,
    /// Only those about this product (host id).
    pub product: Option<String>,
    /// `me`, `none`, or a member of staff's host id.
    pub assignee: Option<String>,
    /// Only those with unread messages on either side.
    pub has_unread: Option<bool>,
    /// Only those with a message in the last 7 days.
    pub recent: Option<bool>,
    /// The sort column, `-` first for descending: subject, customer,
    /// context, vendor, status, assignee, messages, unread, last_message,
    /// created, updated. Default `-last_message`.
    #[param(value_type = Option<SortName>)]
    pub sort: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// The `previous_cursor` of the page after (instead of `cursor`).
    pub before: Option<String>,
    /// Rows per page (1 to 200; default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl AdminListQuery {
    fn to_query(&self, actor: &crate::Actor) -> Result<AdminQuery, ApiError> {
        // These three are exactly what the document lists: no trimming, no
        // other case, no empty value.
        let (sort, descending) = match self.sort.as_deref() {
            None => (SortKey::LastMessage, true),
            Some(raw) => {
                let (descending, name) = match raw.strip_prefix('-') {
                    Some(name) => (true, name),
                    None => (false, raw),
                };
                let key = SortKey::from_name(name).ok_or_else(|| {
                    ApiError::bad_parameter(
                        "sort",
                        format!(
                            "Sort by one of: {}.",
                            SortKey::ALL.map(|k| k.name()).join(", ")
                        ),
                    )
                })?;
                (key, descending)
            }
        };
        let mut statuses = Vec::new();
        for raw in self.status.iter().flat_map(|s| s.split(',')) {
            let status = Status::ALL
                .into_iter()
                .find(|status| status.as_str() == raw)
                .ok_or_else(|| {
                    ApiError::bad_parameter(
                        "status",
                        format!(
                            "\"{}\" is not a status; use OPEN, AWAITING_ADMIN, AWAITING_USER, RESOLVED or CLOSED.",
                            raw.chars().take(40).collect::<String>()
                        ),
                    )
                })?;
            if !statuses.contains(&status) {
                statuses.push(status);
            }
        }
        let read_by_admin = match self.read.as_deref() {
            None => None,
            Some("read") => Some(true),
            Some("unread") => Some(false),
            Some(_) => {
                return Err(ApiError::bad_parameter("read", "read is read or unread."));
            }
        };
        let page = match (&self.cursor, &self.before) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_parameter(
                    "before",
                    "Give cursor or before, not both.",
                ));
            }
            (Some(raw), None) => PageAt::After(decode_cursor(raw, sort).ok_or_else(bad_cursor)?),
            (None, Some(raw)) => PageAt::Before(decode_cursor(raw, sort).ok_or_else(bad_cursor)?),
            (None, None) => PageAt::First,
        };
        let per_page = match self.limit {
            None => 50,
            Some(n) if (1..=200).contains(&n) => n,
            Some(_) => {
                return Err(ApiError::bad_parameter(
                    "limit",
                    "limit must be between 1 and 200.",
                ));
            }
        };
        let q: String = self
            .q
            .as_deref()
            .unwrap_or("")
            .trim()
            .chars()
            .take(200)
            .collect();
        Ok(AdminQuery {
            filter: AdminFilter {
                statuses,
                read_by_admin,
                customer_id: non_empty(&self.customer),
                vendor_id: non_empty(&self.vendor),
                product_id: non_empty(&self.product),
                assignee: non_empty(&self.assignee).map(|a| match a.as_str() {
                    "none" => AssigneeFilter::Unassigned,
                    "me" => AssigneeFilter::Staff(actor.id.clone()),
                    _ => AssigneeFilter::Staff(a),
                }),
                has_unread: self.has_unread.unwrap_or(false),
                active_since: self
                    .recent
                    .unwrap_or(false)
                    .then(|| crate::store::now() - chrono::TimeDelta::days(7)),
                search: (!q.is_empty()).then_some(q),
                ids: None,
            },
            sort,
            descending,
            page,
            per_page,
        })
    }
}

/// The admin list: every conversation for staff, a vendor's own for
/// vendors, with the panel's filters, search and sort, a page at a time.
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_list_conversations",
    params(AdminListQuery),
    responses(
        (status = 200, description = "A page of conversations", body = AdminConversationPage),
        QueryErrors,
        Unauthorized,
        Forbidden,
    ),
    security(("bearer" = []))
)]
#[get("/admin/conversations")]
pub async fn list(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    query: web::Query<AdminListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.to_query(&actor)?;
    let page = chat.service().admin_list(&actor, query).await?;
    Ok(HttpResponse::Ok().json(AdminConversationPage {
        items: page
            .rows
            .iter()
            .map(|c| ConversationOut::of(&actor, c))
            .collect(),
        next_cursor: page.next.as_ref().map(encode_cursor),
        previous_cursor: page.previous.as_ref().map(encode_cursor),
    }))
}

/// Opens a conversation with any customer (staff); it starts AWAITING_USER
/// and the customer is notified.
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_open_conversation",
    request_body = AdminOpenIn,
    responses(
        (status = 201, description = "Opened", body = Opened),
        (status = 200, description = "A retry with the same client_msg_id", body = Opened),
        BodyErrors,
        Unauthorized,
        Forbidden,
    ),
    security(("bearer" = []))
)]
#[post("/admin/conversations")]
pub async fn open(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    body: web::Json<AdminOpenIn>,
) -> Result<HttpResponse, ApiError> {
    if !actor.is_staff() {
        return Err(ChatError::Forbidden("Only staff open conversations with customers.").into());
    }
    let AdminOpenIn {
        customer_id,
        vendor_id,
        conversation: body,
    } = body.into_inner();
    let mut input = OpenConversation::parse(
        &body.subject,
        &body.body,
        body.order_id.as_deref(),
        body.product_id.as_deref(),
    )
    .map_err(ChatError::from)?;
    let customer = customer_id.trim();
    if customer.is_empty() {
        return Err(ChatError::from(ValidationError::new(
            "customer_id",
            "Choose the customer to write to.",
        ))
        .into());
    }
    input.customer_id = Some(customer.to_owned());
    input.handler = match vendor_id.as_deref().map(str::trim) {
        None => Handler::ProductVendor,
        Some("") => Handler::Store,
        Some(vendor) => Handler::Vendor(vendor.to_owned()),
    };
    input.client_msg_id = client_id(body.client_msg_id.as_deref())?;
    let result = chat.service().open_conversation(&actor, input).await?;
    Ok(opened(&actor, result))
}

/// Sets a conversation's status by hand (staff); recorded in its history.
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_set_status",
    params(("id" = i64, Path, description = "The conversation")),
    request_body = StatusIn,
    responses(
        (status = 200, description = "The conversation after it", body = ConversationOut),
        BodyErrors,
        Unauthorized,
        Forbidden,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[put("/admin/conversations/{id}/status")]
pub async fn set_status(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    id: web::Path<i64>,
    body: web::Json<StatusIn>,
) -> Result<HttpResponse, ApiError> {
    let (conversation, _) = chat
        .service()
        .set_status(&actor, id.into_inner(), body.status)
        .await?;
    Ok(HttpResponse::Ok().json(ConversationOut::of(&actor, &conversation)))
}

/// Assigns a conversation to the caller (`"me"`) or to nobody (`null`).
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_assign",
    params(("id" = i64, Path, description = "The conversation")),
    request_body = AssignIn,
    responses(
        (status = 200, description = "The conversation after it", body = ConversationOut),
        BodyErrors,
        Unauthorized,
        Forbidden,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[put("/admin/conversations/{id}/assignee")]
pub async fn assign(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    id: web::Path<i64>,
    body: web::Json<AssignIn>,
) -> Result<HttpResponse, ApiError> {
    let to = match body.assignee.as_deref() {
        None => Assignment::Nobody,
        Some("me") => Assignment::ToMe,
        Some(_) => {
            return Err(ChatError::from(ValidationError::new(
                "assignee",
                "Use \"me\" to take the conversation, or null to unassign it.",
            ))
            .into());
        }
    };
    let updated = chat
        .service()
        .assign(&actor, &[id.into_inner()], to)
        .await?;
    let conversation = updated.first().ok_or(ChatError::ConversationNotFound)?;
    Ok(HttpResponse::Ok().json(ConversationOut::of(&actor, conversation)))
}

/// Sets a conversation's priority (staff).
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_set_priority",
    params(("id" = i64, Path, description = "The conversation")),
    request_body = PriorityIn,
    responses(
        (status = 200, description = "The conversation after it", body = ConversationOut),
        BodyErrors,
        Unauthorized,
        Forbidden,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[put("/admin/conversations/{id}/priority")]
pub async fn set_priority(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    id: web::Path<i64>,
    body: web::Json<PriorityIn>,
) -> Result<HttpResponse, ApiError> {
    let priority = Priority::parse(&body.priority).map_err(ChatError::from)?;
    let conversation = chat
        .service()
        .set_priority(&actor, id.into_inner(), priority)
        .await?;
    Ok(HttpResponse::Ok().json(ConversationOut::of(&actor, &conversation)))
}

/// Deletes a CLOSED conversation with its messages (staff). Any other
/// status is a 409 and nothing is deleted.
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_delete_conversation",
    params(("id" = i64, Path, description = "The conversation")),
    responses(
        (status = 204, description = "Deleted"),
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
    ),
    security(("bearer" = []))
)]
#[delete("/admin/conversations/{id}")]
pub async fn delete_conversation(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    chat.service()
        .delete_conversations(&actor, &[id.into_inner()])
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The conversations a bulk operation or an export names, at most `MAX_BULK`.
fn conversation_ids(ids: &[WholeNumber]) -> Result<Vec<i64>, ApiError> {
    if ids.len() > MAX_BULK {
        return Err(ChatError::from(ValidationError::new(
            "ids",
            format!("Name at most {MAX_BULK} conversations at once."),
        ))
        .into());
    }
    Ok(ids.iter().map(|id| id.0).collect())
}

/// One operation on several conversations (staff): all of them, or none —
/// an unknown id (404) or, for delete, one not CLOSED (409) changes nothing.
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_bulk",
    request_body = BulkIn,
    responses(
        (status = 200, description = "How many changed (the others already were so)", body = Changed),
        BodyErrors,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
    ),
    security(("bearer" = []))
)]
#[post("/admin/conversations/bulk")]
pub async fn bulk(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    body: web::Json<BulkIn>,
) -> Result<HttpResponse, ApiError> {
    let ids = &conversation_ids(&body.ids)?;
    let service = chat.service();
    let changed = match body.action {
        BulkAction::MarkRead => {
            if !actor.is_staff() {
                return Err(ChatError::Forbidden("Only staff run bulk operations.").into());
            }
            service.mark_read_many(&actor, ids).await?
        }
        BulkAction::Resolve => {
            service
                .set_status_many(&actor, ids, Status::Resolved)
                .await?
        }
        BulkAction::Close => service.set_status_many(&actor, ids, Status::Closed).await?,
        BulkAction::AssignToMe => service.assign(&actor, ids, Assignment::ToMe).await?.len(),
        BulkAction::Delete => service.delete_conversations(&actor, ids).await?,
    };
    Ok(HttpResponse::Ok().json(Changed { changed }))
}

/// Conversations as a spreadsheet (staff): subject, customer, order,
/// product, vendor, status, counts and times, text never run as a formula.
#[utoipa::path(
    tag = "admin",
    operation_id = "admin_export",
    request_body = ExportIn,
    responses(
        (status = 200, description = "The file", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        BodyErrors,
        Unauthorized,
        Forbidden,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[post("/admin/conversations/export")]
pub async fn export_conversations(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    body: web::Json<ExportIn>,
) -> Result<HttpResponse, ApiError> {
    let ids = conversation_ids(&body.ids)?;
    let rows = chat.service().conversations_by_id(&actor, &ids).await?;
    let stamp = crate::store::now().format("%Y%m%d-%H%M%S");
    let (bytes, kind, name) = match body.format {
        ExportFormat::Csv => (
            spreadsheet::csv(&rows).map_err(|e| e.to_string()),
            "text/csv; charset=utf-8",
            format!("conversations-{stamp}.csv"),
        ),
        ExportFormat::Xlsx => (
            spreadsheet::xlsx(&rows).map_err(|e| e.to_string()),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("conversations-{stamp}.xlsx"),
        ),
    };
    let bytes = bytes.map_err(|e| {
        tracing::error!(error = %e, "export failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "export_failed",
            "The file could not be made; please try again.",
        )
        .with_details(json!(null))
    })?;
    Ok(HttpResponse::Ok()
        .content_type(kind)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .body(bytes))
}

//! People who can sign in: customers, staff and marketplace vendors.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use storechat::store::AnyConnection;

use super::ShopError;
use super::schema::shop_users as u;

/// What a person is to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserRole {
    /// Buys things.
    Customer,
    /// Runs the store and its admin site.
    Staff,
    /// Sells their own products through the store.
    Vendor,
}

impl UserRole {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Customer => "customer",
            UserRole::Staff => "staff",
            UserRole::Vendor => "vendor",
        }
    }

    fn parse(stored: &str) -> Result<Self, ShopError> {
        match stored {
            "customer" => Ok(UserRole::Customer),
            "staff" => Ok(UserRole::Staff),
            "vendor" => Ok(UserRole::Vendor),
            other => Err(ShopError::Corrupt(format!("unknown role {other:?}"))),
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = u)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    password_hash: String,
    role: String,
    created_at: NaiveDateTime,
}

/// A user of the store.
#[derive(Debug, Clone)]
pub struct User {
    /// Id; the chat plugin knows it as a string.
    pub id: i64,
    /// E-mail, lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// argon2 PHC string.
    pub password_hash: String,
    /// What they are to the store.
    pub role: UserRole,
    /// When they signed up.
    pub created_at: NaiveDateTime,
}

impl User {
    /// The person as the chat plugin sees them.
    pub fn actor(&self) -> storechat::Actor {
        let id = self.id.to_string();
        match self.role {
            UserRole::Customer => storechat::Actor::customer(id, &self.name),
            UserRole::Staff => storechat::Actor::staff(id, &self.name),
            UserRole::Vendor => storechat::Actor::vendor(id, &self.name),
        }
    }

    /// True for staff.
    pub fn is_staff(&self) -> bool {
        self.role == UserRole::Staff
    }
}

impl TryFrom<UserRow> for User {
    type Error = ShopError;

    fn try_from(row: UserRow) -> Result<Self, ShopError> {
        Ok(User {
            id: row.id,
            email: row.email,
            name: row.name,
            password_hash: row.password_hash,
            role: UserRole::parse(&row.role)?,
            created_at: row.created_at,
        })
    }
}

/// E-mail addresses are compared without case and surrounding spaces.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A user by id.
pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<User>, ShopError> {
    u::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

/// A user by e-mail, in any case.
pub fn find_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<User>, ShopError> {
    u::table
        .filter(u::email.eq(normalize_email(email)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

diesel::define_sql_function! {
    /// SQL `lower()`: PostgreSQL's LIKE is case-sensitive, SQLite's is not.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Users whose name or e-mail contains `query`, ignoring case, by name.
pub fn search(conn: &mut AnyConnection, query: &str, limit: usize) -> Result<Vec<User>, ShopError> {
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return Ok(Vec::new());
    }
    // The typed text is matched literally: its own % and _ are not wildcards.
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let limit = i64::try_from(limit.min(100)).unwrap_or(100);
    u::table
        .filter(
            lower(u::name)
                .like(pattern.clone())
                .escape('\\')
                .or(u::email.like(pattern).escape('\\')),
        )
        .order((u::name.asc(), u::id.asc()))
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// Every user with a role, by name.
pub fn with_role(conn: &mut AnyConnection, role: UserRole) -> Result<Vec<User>, ShopError> {
    u::table
        .filter(u::role.eq(role.as_str()))
        .order((u::name.asc(), u::id.asc()))
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// How many users have a role.
pub fn count_with_role(conn: &mut AnyConnection, role: UserRole) -> Result<i64, ShopError> {
    Ok(u::table
        .filter(u::role.eq(role.as_str()))
        .count()
        .get_result(conn)?)
}

/// How many users there are at all.
pub fn count(conn: &mut AnyConnection) -> Result<i64, ShopError> {
    Ok(u::table.count().get_result(conn)?)
}

/// A user to create.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = u)]
pub struct NewUser {
    /// E-mail; stored lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// argon2 PHC string.
    pub password_hash: String,
    /// Stored role.
    pub role: &'static str,
    /// Sign-up time.
    pub created_at: NaiveDateTime,
}

impl NewUser {
    /// A new user; the e-mail is normalized here so no caller can forget.
    pub fn new(
        email: &str,
        name: &str,
        password_hash: String,
        role: UserRole,
        created_at: NaiveDateTime,
    ) -> Self {
        NewUser {
            email: normalize_email(email),
            name: name.to_owned(),
            password_hash,
            role: role.as_str(),
            created_at,
        }
    }
}

/// Creates a user; returns its id.
pub fn insert(conn: &mut AnyConnection, new: &NewUser) -> Result<i64, ShopError> {
    Ok(diesel::insert_into(u::table)
        .values(new)
        .returning(u::id)
        .get_result(conn)?)
}

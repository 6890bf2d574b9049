//! The page routes as data. Each area declares its routes once with
//! [`page_routes!`]: the macro mounts them and lists them, so the list
//! ([`page_routes`](crate::web::page_routes)) cannot miss a mounted route.
//! The authorization matrix test walks that list.

/// A mounted page route: its method (`get`, `post`) and its path under its
/// area's prefix (`/{id}/send/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRoute {
    /// `get` or `post`.
    pub method: &'static str,
    /// The path, with `{name}` placeholders, under the area's prefix.
    pub path: &'static str,
}

/// Declares an area's routes: a `const` table and a `mount` function that
/// adds exactly those routes to a scope.
macro_rules! page_routes {
    ($table:ident, $mount:ident; $( $method:ident $path:literal => $handler:expr ),* $(,)?) => {
        pub(crate) const $table: &[$crate::web::route_table::PageRoute] = &[
            $( $crate::web::route_table::PageRoute { method: stringify!($method), path: $path } ),*
        ];

        fn $mount(scope: actix_web::Scope) -> actix_web::Scope {
            scope $( .route($path, actix_web::web::$method().to($handler)) )*
        }
    };
}

pub(crate) use page_routes;

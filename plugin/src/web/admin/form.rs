//! A posted form that may repeat a field (`ids=1&ids=2`), which the serde
//! form extractor cannot express.

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use futures_util::future::LocalBoxFuture;

/// The fields of an `application/x-www-form-urlencoded` body, in order.
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// Decodes a body.
    pub fn parse(body: &str) -> Fields {
        Fields(
            body.split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    let decode = |s: &str| {
                        urlencoding::decode(&s.replace('+', " "))
                            .map(|c| c.into_owned())
                            .unwrap_or_default()
                    };
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    /// The first value of a field.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a field.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The CSRF token.
    pub fn csrf(&self) -> &str {
        self.get("csrf_token").unwrap_or("")
    }

    /// The checked conversation ids; anything that is not an id is refused
    /// with the offending values.
    pub fn ids(&self) -> Result<Vec<i64>, String> {
        let raw = self.all("ids");
        let bad: Vec<&str> = raw
            .iter()
            .copied()
            .filter(|v| v.trim().parse::<i64>().is_err())
            .collect();
        if !bad.is_empty() {
            return Err(format!(
                "These are not conversation ids: {}. Nothing was changed.",
                bad.join(", ")
            ));
        }
        Ok(raw.iter().filter_map(|v| v.trim().parse().ok()).collect())
    }
}

impl FromRequest for Fields {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = String::from_request(req, payload);
        Box::pin(async move { Ok(Fields::parse(&body.await?)) })
    }
}

/// Where to go back to after a post: only ever a page of the admin panels.
pub fn back_to(fields: &Fields, base: &str) -> String {
    fields
        .get("next")
        .filter(|n| n.starts_with(&format!("{base}/")) && !n.starts_with("//"))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{base}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_are_kept() {
        let f = Fields::parse("ids=1&ids=22&action=close&csrf_token=ab&note=a+b%26c");
        assert_eq!(f.ids(), Ok(vec![1, 22]));
        assert_eq!(f.get("action"), Some("close"));
        assert_eq!(f.get("note"), Some("a b&c"));
        assert!(Fields::parse("ids=1&ids=x").ids().is_err());
    }

    #[test]
    fn going_back_stays_in_the_panels() {
        let base = "/admin/dashboard/conversation";
        assert_eq!(
            back_to(&Fields::parse("next=https%3A%2F%2Fevil.example%2F"), base),
            format!("{base}/")
        );
        assert_eq!(
            back_to(
                &Fields::parse("next=%2Fadmin%2Fdashboard%2Fconversation%2F%3Fq%3Dx"),
                base
            ),
            format!("{base}/?q=x")
        );
    }
}

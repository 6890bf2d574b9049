"""Schemathesis hooks of scripts/api-tests (loaded via SCHEMATHESIS_HOOKS).

One check, `accepts_valid_data`: schemathesis' own positive_data_acceptance
(a request the document allows must not be refused), less the refusals that
depend on what is stored rather than on the request's shape. No schema can
foresee those, and the document lists them (400 for a parameter, 422 for a
field):

- a `cursor` the API did not give out (cursors are opaque), or `cursor`
  and `before` together;
- an `order_id`, `product_id` or `customer_id` that names no such record;
- a `client_msg_id` already used for a message in another conversation;
- rules between fields of the settings that a schema cannot state: a day's
  closing after its opening, at least one open day (422 naming the day or
  `business_hours`), and `api_enabled: false` through the API itself (409
  naming `api_enabled`: the API may not turn itself off).

The API names the parameter or field of every refusal in `details`, so a
refusal for any other reason (a text the document allows but the API does
not, an id written as `5.0`, …) still fails the run.
"""

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

# Refusals that depend on stored data or on another parameter.
DATA_PARAMETERS = {"cursor", "before"}
DATA_FIELDS = {"order_id", "product_id", "customer_id", "client_msg_id", "vendor_id"}
# Rules between fields of the settings.
CROSS_FIELDS = {"business_hours"} | {f"hours_{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def refused_for_stored_data(response):
    """Whether the answer is a refusal of one of the kinds above."""
    if response.status_code not in (400, 409, 422):
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    details = body.get("details") if isinstance(body, dict) else None
    if not isinstance(details, dict):
        return False
    if response.status_code == 400:
        return body.get("error") == "invalid_parameter" and details.get("parameter") in DATA_PARAMETERS
    if response.status_code == 409:
        return details.get("field") == "api_enabled"
    return body.get("error") == "invalid" and details.get("field") in DATA_FIELDS | CROSS_FIELDS


@schemathesis.check
def accepts_valid_data(ctx, response, case):
    """A request the document allows is accepted, unless stored data refuses it."""
    if refused_for_stored_data(response):
        return None
    return positive_data_acceptance(ctx, response, case)

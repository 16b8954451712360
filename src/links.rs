//! OpenAPI `links` between a vendor's operations: which response value feeds which parameter of a
//! follow-up call (create → get → delete). Link-following clients and stateful contract fuzzers
//! (schemathesis) chain calls with them. Each vendor lists its links in a `Modify` impl.

use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi, RefOr, link::LinkBuilder};

/// One link: from the `status` response of `from`, call `to` with `parameters` (name → runtime
/// expression such as `$response.body#/id`) and an optional request body expression.
pub struct Link<'a> {
    pub from: &'a str,
    pub status: &'a str,
    pub name: &'a str,
    pub to: &'a str,
    pub parameters: &'a [(&'a str, &'a str)],
    pub request_body: Option<serde_json::Value>,
}

impl<'a> Link<'a> {
    /// A link that fills the target's parameters only (no request body).
    pub fn new(
        from: &'a str,
        status: &'a str,
        name: &'a str,
        to: &'a str,
        parameters: &'a [(&'a str, &'a str)],
    ) -> Self {
        Self {
            from,
            status,
            name,
            to,
            parameters,
            request_body: None,
        }
    }
}

/// Every operation of a document, of every method the documents use.
pub fn operations_mut(openapi: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ]
        .into_iter()
        .flatten()
    })
}

/// Adds the links to the document. A link naming an operation or response the document lacks is
/// a programming error: the document test catches it at once.
pub fn add(openapi: &mut OpenApi, links: &[Link]) {
    for link in links {
        let response = operations_mut(openapi)
            .find(|op| op.operation_id.as_deref() == Some(link.from))
            .and_then(|op| op.responses.responses.get_mut(link.status));
        let Some(RefOr::T(response)) = response else {
            panic!("no {} response of {} to link from", link.status, link.from);
        };
        let mut builder = LinkBuilder::new().operation_id(link.to);
        for (name, expression) in link.parameters {
            builder = builder.parameter(*name, *expression);
        }
        builder = builder.request_body(link.request_body.clone());
        response
            .links
            .insert(link.name.to_string(), RefOr::T(builder.build()));
    }
}

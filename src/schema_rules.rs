//! Field rules the `ToSchema`/`IntoParams` derives cannot state, added to a document by its
//! `Modify` impl: `additionalProperties: false` on the members of a `oneOf` (utoipa renders
//! enum variants open even when the server refuses unknown fields), JSON edits of one component
//! schema or one parameter, and `anyOf`/`oneOf`/`allOf` built from plain schemas. Each edit names what it
//! changes; one naming something the document lacks panics, so the document test catches it.

use utoipa::openapi::schema::{AdditionalProperties, Schema};
use utoipa::openapi::{OpenApi, RefOr};

fn component<'a>(openapi: &'a mut OpenApi, name: &str) -> &'a mut RefOr<Schema> {
    openapi
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut(name))
        .unwrap_or_else(|| panic!("no component schema {name}"))
}

/// Every inline object member of the `oneOf` schema `name` refuses members it does not list, as
/// the server's `deny_unknown_fields` does.
pub fn close_variants(openapi: &mut OpenApi, name: &str) {
    let RefOr::T(Schema::OneOf(one_of)) = component(openapi, name) else {
        panic!("{name} is not a oneOf");
    };
    for item in &mut one_of.items {
        if let RefOr::T(Schema::Object(object)) = item {
            object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        }
    }
}

/// Edits the component schema `name` as JSON.
pub fn edit_component(
    openapi: &mut OpenApi,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) {
    let schema = component(openapi, name);
    *schema = edited(&*schema, edit);
}

/// Edits the schema of the parameter `name` of the operation `operation_id` as JSON.
pub fn edit_parameter(
    openapi: &mut OpenApi,
    operation_id: &str,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) {
    let operation = operation(openapi, operation_id);
    let schema = operation
        .parameters
        .iter_mut()
        .flatten()
        .find_map(|p| match p {
            RefOr::T(p) if p.name == name => p.schema.as_mut(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no parameter {name} of {operation_id}"));
    *schema = edited(&*schema, edit);
}

/// The part after a JSON edit. utoipa reads every schema object as a plain object schema, so an
/// edit (or a part) with `anyOf`/`oneOf`/`allOf` inside would lose them: that panics.
fn edited<T: serde::Serialize + serde::de::DeserializeOwned>(
    value: &T,
    edit: impl FnOnce(&mut serde_json::Value),
) -> T {
    let mut json = serde_json::to_value(value).expect("a document part serializes");
    edit(&mut json);
    let part: T =
        serde_json::from_value(json.clone()).expect("the edited part is still a document part");
    assert_eq!(
        serde_json::to_value(&part).ok(),
        Some(json),
        "the edit does not survive utoipa's types (composite schemas do not): use `all_of`"
    );
    part
}

/// The JSON request body of `operation_id` becomes `allOf: [<its schema>, extra]`: `extra` adds
/// a rule such as an `anyOf` of required members (the component itself stays as it is).
pub fn all_of_body(openapi: &mut OpenApi, operation_id: &str, extra: Schema) {
    use utoipa::openapi::schema::AllOfBuilder;
    let schema = operation(openapi, operation_id)
        .request_body
        .as_mut()
        .and_then(|body| match body {
            RefOr::T(body) => body.content.get_mut("application/json"),
            RefOr::Ref(_) => None,
        })
        .and_then(|content| match content {
            RefOr::T(content) => content.schema.as_mut(),
            RefOr::Ref(_) => None,
        })
        .unwrap_or_else(|| panic!("{operation_id} has no JSON body"));
    let own = std::mem::replace(schema, RefOr::T(Schema::default()));
    *schema = RefOr::T(Schema::AllOf(
        AllOfBuilder::new().item(own).item(extra).build(),
    ));
}

fn operation<'a>(
    openapi: &'a mut OpenApi,
    operation_id: &str,
) -> &'a mut utoipa::openapi::path::Operation {
    crate::links::operations_mut(openapi)
        .find(|op| op.operation_id.as_deref() == Some(operation_id))
        .unwrap_or_else(|| panic!("no operation {operation_id}"))
}

/// A schema from its JSON; only for schemas without `anyOf`/`oneOf`/`allOf` (see [`edited`]).
pub fn plain(json: serde_json::Value) -> RefOr<Schema> {
    edited(&RefOr::T(Schema::default()), |value| *value = json)
}

/// `anyOf` of plain schemas.
pub fn any_of(items: Vec<serde_json::Value>) -> Schema {
    use utoipa::openapi::schema::AnyOfBuilder;
    let builder = items
        .into_iter()
        .fold(AnyOfBuilder::new(), |b, item| b.item(plain(item)));
    Schema::AnyOf(builder.build())
}

/// `oneOf` of plain schemas, with a description and an example.
pub fn one_of(
    description: &str,
    example: serde_json::Value,
    items: Vec<serde_json::Value>,
) -> Schema {
    use utoipa::openapi::schema::OneOfBuilder;
    // `example`, as the derives write it (OBP's resource docs read it from there).
    #[allow(deprecated)]
    let builder = items
        .into_iter()
        .fold(OneOfBuilder::new(), |b, item| b.item(plain(item)))
        .description(Some(description))
        .example(Some(example));
    Schema::OneOf(builder.build())
}

/// Sets the property `property` of the object schema `name`.
pub fn set_property(openapi: &mut OpenApi, name: &str, property: &str, schema: Schema) {
    let RefOr::T(Schema::Object(object)) = component(openapi, name) else {
        panic!("{name} is not an object schema");
    };
    let Some(slot) = object.properties.get_mut(property) else {
        panic!("{name} has no property {property}");
    };
    *slot = RefOr::T(schema);
}

//! The control plane's error body. `/__admin` operations answer with it, and so do the
//! sandbox-only helpers a vendor mounts under `/__admin` (e.g. minting Authress service clients),
//! so neither depends on the other for it.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

/// The control plane's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminError {
    /// HTTP status.
    pub status: u16,
    /// What went wrong.
    pub message: String,
}

/// A response with the control plane's error body.
pub fn error(status: StatusCode, message: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::build(status).json(AdminError {
        status: status.as_u16(),
        message: message.to_string(),
    })
}

/// JSON integers as JSON Schema counts them: `324` and `324.0` are the same integer, `324.5` is
/// none. serde's integer types refuse `324.0`, so every control-plane (and sandbox helper) field
/// the documents call `integer` reads through this instead:
/// `#[serde(deserialize_with = "crate::control::integer")]`, or
/// `#[serde(default, deserialize_with = "crate::control::optional_integer")]` for an `Option`.
pub fn integer<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i128>,
{
    let Integer(n) = serde::Deserialize::deserialize(deserializer)?;
    in_range(n)
}

/// [`integer`] for an optional field: `null` or absent is `None`.
pub fn optional_integer<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i128>,
{
    let n: Option<Integer> = serde::Deserialize::deserialize(deserializer)?;
    n.map(|Integer(n)| in_range(n)).transpose()
}

fn in_range<E: serde::de::Error, T: TryFrom<i128>>(n: i128) -> Result<T, E> {
    T::try_from(n).map_err(|_| {
        E::invalid_value(
            serde::de::Unexpected::Other(&format!("integer `{n}`")),
            &"an integer in the field's range",
        )
    })
}

/// An integral JSON number, written with or without a fraction of zero.
struct Integer(i128);

impl<'de> serde::Deserialize<'de> for Integer {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Integer;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an integer")
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Integer, E> {
                Ok(Integer(v.into()))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Integer, E> {
                Ok(Integer(v.into()))
            }

            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Integer, E> {
                // 2^100 is far outside every field's range and inside i128's, so the cast is exact.
                if v.is_finite() && v.fract() == 0.0 && v.abs() < 2f64.powi(100) {
                    Ok(Integer(v as i128))
                } else {
                    Err(E::invalid_type(serde::de::Unexpected::Float(v), &self))
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::integer")]
        seconds: i64,
        #[serde(default, deserialize_with = "super::optional_integer")]
        users: Option<usize>,
    }

    fn parse(json: &str) -> Result<Body, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn integers_written_as_floats_are_integers() {
        let body = parse(r#"{"seconds": -406064.0, "users": 324.0}"#).unwrap();
        assert_eq!((body.seconds, body.users), (-406064, Some(324)));
        let body = parse(r#"{"seconds": 7, "users": null}"#).unwrap();
        assert_eq!((body.seconds, body.users), (7, None));
        assert_eq!(parse(r#"{"seconds": 1e3}"#).unwrap().seconds, 1000);
        assert_eq!(parse(r#"{"seconds": 1}"#).unwrap().users, None);
    }

    #[test]
    fn fractions_and_out_of_range_values_are_refused() {
        assert!(
            parse(r#"{"seconds": 324.5}"#)
                .unwrap_err()
                .contains("324.5")
        );
        assert!(parse(r#"{"seconds": 1, "users": -1}"#).is_err());
        assert!(parse(r#"{"seconds": 1, "users": -1.0}"#).is_err());
        assert!(parse(r#"{"seconds": 9223372036854775808}"#).is_err());
        assert!(parse(r#"{"seconds": 1e300}"#).is_err());
        assert!(parse(r#"{"seconds": "1"}"#).is_err());
        assert!(parse(r#"{"seconds": true}"#).is_err());
    }
}

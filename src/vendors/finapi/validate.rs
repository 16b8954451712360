//! finAPI's field rules (finAPI Access spec, "Allowed characters"), written once.

use super::errors::{Error, Result};

/// Characters finAPI allows in a field without its own rule: ASCII letters and digits,
/// U+00A1–U+02AF, space and `&(){}[].:,;?!+-_$@#~`^€`.
fn general_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || ('\u{A1}'..='\u{2AF}').contains(&c)
        || " &(){}[].:,;?!+-_$@#~`^€".contains(c)
}

fn id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.+@".contains(c)
}

/// A user id: 1 to 36 of `A-Z a-z 0-9 - _ . + @`.
pub fn user_id(field: &str, value: &str) -> Result<()> {
    let len = value.chars().count();
    if len == 0 {
        return Err(Error::BadRequest(format!("'{field}' must not be empty")));
    }
    if len > 36 {
        return Err(Error::BadRequest(format!(
            "'{field}' must not be longer than 36 characters"
        )));
    }
    if !value.chars().all(id_char) {
        return Err(Error::BadRequest(format!(
            "'{field}' may only contain the symbols 0-9, A-Z, a-z, -, _, ., +, @"
        )));
    }
    Ok(())
}

/// A text field in finAPI's general character set, `min..=max` characters long.
pub fn text(field: &str, value: &str, min: usize, max: usize) -> Result<()> {
    let len = value.chars().count();
    if len < min || len > max {
        return Err(Error::BadRequest(if min > 0 {
            format!("'{field}' must be between {min} and {max} characters long")
        } else {
            format!("'{field}' must not be longer than {max} characters")
        }));
    }
    if let Some(c) = value.chars().find(|c| !general_char(*c)) {
        return Err(Error::BadRequest(format!(
            "'{field}' contains a forbidden character: {c:?}"
        )));
    }
    Ok(())
}

pub fn password(value: &str) -> Result<()> {
    text("password", value, 6, 128)
}

pub fn required<'a>(field: &str, value: &'a Option<String>) -> Result<&'a str> {
    value
        .as_deref()
        .ok_or_else(|| Error::MissingField(format!("Missing field: '{field}'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_follow_finapis_alphabet() {
        assert!(user_id("id", "Alice.Smith+test@x_y-1").is_ok());
        assert!(user_id("id", "al ice").is_err());
        assert!(user_id("id", &"a".repeat(37)).is_err());
        assert!(user_id("id", "").is_err());
    }

    #[test]
    fn text_fields_allow_latin_letters_but_not_control_characters() {
        assert!(text("email", "jan.novák@example.com", 0, 320).is_ok());
        assert!(text("phone", "+49 99 999999-999", 0, 50).is_ok());
        assert!(text("email", "a\u{0}b", 0, 320).is_err());
        assert!(text("email", "<script>", 0, 320).is_err());
        assert!(password("12345").is_err());
    }
}

//! People: the neutral records every vendor projects into its own users. Fixture people come
//! first, then fake people drawn from `fake` with a ChaCha8 generator.

use std::fmt::Write;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use fake::Fake;
use fake::faker::address::en::CountryCode;
use fake::faker::name::en::{FirstName, LastName};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::SeedPlan;

/// A person as written in `fixtures/people.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FixturePerson {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub password: String,
    pub birth_date: NaiveDate,
    pub country: String,
    /// Days before the world's start at which the person registered.
    pub registered_days_ago: i64,
}

/// One person of the population, fixture or fake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Login name, lower case, unique: `felixsmith`, `ava.hughes7`.
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub password: String,
    pub birth_date: NaiveDate,
    pub country: String,
    pub registered_at: DateTime<Utc>,
    /// Named in the fixtures (documented credentials), not generated.
    pub fixture: bool,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

const EMAIL_DOMAINS: &[&str] = &["example.com", "example.org", "example.net", "mail.example"];

/// The fixture people, then `plan.users` fake ones; the same plan gives the same people.
pub fn population(plan: &SeedPlan, now: DateTime<Utc>) -> Vec<Person> {
    let mut people: Vec<Person> = plan
        .fixtures
        .people
        .iter()
        .map(|p| Person {
            username: p.username.clone(),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            password: p.password.clone(),
            birth_date: p.birth_date,
            country: p.country.clone(),
            registered_at: now - Duration::days(p.registered_days_ago),
            fixture: true,
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    for n in 0..plan.users {
        people.push(fake_person(&mut rng, n, now));
        if (n + 1) % super::progress::STEP == 0 {
            super::progress::advance(super::progress::STEP);
        }
    }
    super::progress::people_made();
    people
}

fn fake_person(rng: &mut ChaCha8Rng, n: usize, now: DateTime<Utc>) -> Person {
    let first_name: String = FirstName().fake_with_rng(rng);
    let last_name: String = LastName().fake_with_rng(rng);
    // The index keeps usernames unique however often a name repeats: `first.last<n+1>`, the
    // names lower-cased ASCII letters and digits, written into one buffer.
    let mut username = String::with_capacity(first_name.len() + last_name.len() + 8);
    push_ascii_lower(&mut username, &first_name);
    username.push('.');
    push_ascii_lower(&mut username, &last_name);
    write!(username, "{}", n + 1).expect("a String takes any write");
    let domain = EMAIL_DOMAINS[rng.gen_range(0..EMAIL_DOMAINS.len())];
    let phone = format!(
        "+49 {} {}",
        rng.gen_range(150..180),
        rng.gen_range(1_000_000..9_999_999)
    );
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut password = String::with_capacity(14);
    for _ in 0..14 {
        password.push(CHARS[rng.gen_range(0..CHARS.len())] as char);
    }
    let birth_date = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default()
        + Duration::days(rng.gen_range(0..365 * 55));
    let country: String = CountryCode().fake_with_rng(rng);
    let registered_at = now - Duration::seconds(rng.gen_range(3600..3 * 365 * 86_400));
    Person {
        email: format!("{username}@{domain}"),
        username,
        first_name,
        last_name,
        phone,
        password,
        birth_date,
        country,
        registered_at,
        fixture: false,
    }
}

fn push_ascii_lower(out: &mut String, s: &str) {
    out.extend(
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase()),
    );
}

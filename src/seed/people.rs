//! People: the neutral records every vendor projects into its own users. Fixture people come
//! first, then fake people drawn from `fake` with a ChaCha8 generator.

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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
        let mut name = String::with_capacity(self.first_name.len() + 1 + self.last_name.len());
        name.push_str(&self.first_name);
        name.push(' ');
        name.push_str(&self.last_name);
        name
    }
}

const EMAIL_DOMAINS: &[&str] = &["example.com", "example.org", "example.net", "mail.example"];

/// The fixture people, then `plan.users` fake ones; the same plan gives the same people.
///
/// One ChaCha8 stream draws every fake person in turn, so person `n`'s draws start where person
/// `n - 1`'s ended. With more than one core one thread walks the stream without building anyone
/// (the draws alone are a small part of the work) and hands on the generator's state at the start
/// of every chunk of [`CHUNK`] people; other threads build the chunks side by side from those
/// states, each into its own places of the list. Either way each person comes from the same draws.
pub fn population(plan: &SeedPlan, now: DateTime<Utc>) -> Vec<Person> {
    population_on(plan, now, super::workers(), CHUNK)
}

/// [`population`] built by `workers` threads, `chunk` people at a time.
fn population_on(plan: &SeedPlan, now: DateTime<Utc>, workers: usize, chunk: usize) -> Vec<Person> {
    let fixtures = plan.fixtures.people.len();
    let mut people: Vec<Person> = Vec::with_capacity(fixtures + plan.users);
    people.extend(plan.fixtures.people.iter().map(|p| Person {
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
    }));
    // Places for the fake people, filled in below (an empty `Person` allocates nothing).
    people.resize_with(fixtures + plan.users, Person::default);
    let fakes = &mut people[fixtures..];
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    let progress = super::progress::ticker();
    if workers <= 1 || plan.users <= chunk {
        fill(fakes, 0, &mut rng, now, &progress);
    } else {
        // This thread walks the stream and hands each chunk's starting state to the builders
        // as soon as it has it, so they start on the first chunk at once.
        let (starts, chunk_starts) = std::sync::mpsc::channel();
        let chunks = std::sync::Mutex::new(fakes.chunks_mut(chunk).zip(chunk_starts).enumerate());
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    loop {
                        let next = chunks.lock().unwrap_or_else(|e| e.into_inner()).next();
                        let Some((c, (places, mut rng))) = next else {
                            break;
                        };
                        fill(places, c * chunk, &mut rng, now, &progress);
                    }
                });
            }
            for first in (0..plan.users).step_by(chunk) {
                if starts.send(rng.clone()).is_err() {
                    break;
                }
                let len = chunk.min(plan.users - first);
                for _ in 0..len {
                    Draws::take(&mut rng);
                }
            }
            drop(starts);
        });
    }
    super::progress::people_made();
    people
}

/// Fake people built by one thread of [`population`] at a time.
const CHUNK: usize = 1 << 16;

/// Fills `places` with fake people `first..`, drawn from `rng` (positioned at person `first`).
fn fill(
    places: &mut [Person],
    first: usize,
    rng: &mut ChaCha8Rng,
    now: DateTime<Utc>,
    progress: &super::progress::Ticker,
) {
    for (i, place) in places.iter_mut().enumerate() {
        *place = fake_person(Draws::take(rng), first + i, now);
        if (i + 1) % super::progress::STEP == 0 {
            progress.advance(super::progress::STEP);
        }
    }
}

/// Everything random about one fake person, in the order it is drawn.
struct Draws {
    first_name: &'static str,
    last_name: &'static str,
    domain: &'static str,
    phone: (i32, i32),
    password: [u8; 14],
    birth_days: i64,
    country: &'static str,
    registered_seconds_ago: i64,
}

const PASSWORD_CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

impl Draws {
    fn take(rng: &mut ChaCha8Rng) -> Self {
        let first_name: &'static str = FirstName().fake_with_rng(rng);
        let last_name: &'static str = LastName().fake_with_rng(rng);
        let domain = EMAIL_DOMAINS[rng.gen_range(0..EMAIL_DOMAINS.len())];
        let phone = (rng.gen_range(150..180), rng.gen_range(1_000_000..9_999_999));
        let password =
            std::array::from_fn(|_| PASSWORD_CHARS[rng.gen_range(0..PASSWORD_CHARS.len())]);
        let birth_days = rng.gen_range(0..365 * 55);
        let country: &'static str = CountryCode().fake_with_rng(rng);
        let registered_seconds_ago = rng.gen_range(3600..3 * 365 * 86_400);
        Self {
            first_name,
            last_name,
            domain,
            phone,
            password,
            birth_days,
            country,
            registered_seconds_ago,
        }
    }
}

fn fake_person(d: Draws, n: usize, now: DateTime<Utc>) -> Person {
    // The index keeps usernames unique however often a name repeats: `first.last<n+1>`, the
    // names lower-cased ASCII letters and digits, written into one buffer.
    let mut username = String::with_capacity(d.first_name.len() + d.last_name.len() + 8);
    push_ascii_lower(&mut username, d.first_name);
    username.push('.');
    push_ascii_lower(&mut username, d.last_name);
    push_decimal(&mut username, (n + 1) as u64);
    let mut email = String::with_capacity(username.len() + 1 + d.domain.len());
    email.push_str(&username);
    email.push('@');
    email.push_str(d.domain);
    let mut phone = String::with_capacity(16);
    phone.push_str("+49 ");
    push_decimal(&mut phone, u64::from(d.phone.0.unsigned_abs()));
    phone.push(' ');
    push_decimal(&mut phone, u64::from(d.phone.1.unsigned_abs()));
    let birth_date =
        NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default() + Duration::days(d.birth_days);
    Person {
        email,
        username,
        first_name: d.first_name.to_string(),
        last_name: d.last_name.to_string(),
        phone,
        password: std::str::from_utf8(&d.password)
            .unwrap_or_default()
            .to_owned(),
        birth_date,
        country: d.country.to_string(),
        registered_at: now - Duration::seconds(d.registered_seconds_ago),
        fixture: false,
    }
}

/// `n` in decimal, as `{n}` writes it, without the formatting machinery (a million people).
fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let (mut n, mut at) = (n, digits.len());
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

fn push_ascii_lower(out: &mut String, s: &str) {
    out.extend(
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::clock::ClockMode;

    /// Chunks built side by side from the states the first walk kept are the people one thread
    /// draws one after the other, whatever the number of threads and chunks.
    #[test]
    fn people_built_in_parallel_chunks_are_the_people_built_in_one_go() {
        let plan =
            SeedPlan::embedded(7, 1_000, ClockMode::System, crate::vendors::kinds()).unwrap();
        let now = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap();
        let one = population_on(&plan, now, 1, CHUNK);
        assert_eq!(one.len(), plan.fixtures.people.len() + 1_000);
        assert_eq!(one, population(&plan, now));
        for n in [0u64, 7, 10, 99, 1_000_000, u64::MAX] {
            let mut text = String::new();
            push_decimal(&mut text, n);
            assert_eq!(text, n.to_string());
        }
        for (workers, chunk) in [(2, 64), (3, 100), (4, 999), (2, 1_000), (8, 1)] {
            assert!(
                population_on(&plan, now, workers, chunk) == one,
                "{workers} threads, chunks of {chunk}"
            );
        }
    }
}

//! User auth contexts, banks and customers, and auth context update requests (SCA OTPs).

use super::*;

impl State {
    pub fn auth_contexts(&self, user_id: &str) -> Vec<AuthContextRecord> {
        self.auth_contexts
            .get(user_id)
            .map(|c| c.value().clone())
            .unwrap_or_default()
    }

    pub fn add_auth_context(&self, record: AuthContextRecord) {
        self.auth_context_owners
            .insert(record.user_auth_context_id.clone(), record.user_id.clone());
        self.auth_contexts
            .entry(record.user_id.clone())
            .or_default()
            .push(record);
    }

    /// Deletes a context by its id, whoever owns it (OBP does not check the USER_ID).
    pub fn delete_auth_context(&self, context_id: &str) -> bool {
        let Some((_, owner)) = self.auth_context_owners.remove(context_id) else {
            return false;
        };
        if let Some(mut list) = self.auth_contexts.get_mut(&owner) {
            list.retain(|c| c.user_auth_context_id != context_id);
        }
        true
    }

    pub fn delete_auth_contexts(&self, user_id: &str) {
        if let Some((_, list)) = self.auth_contexts.remove(user_id) {
            for context in list {
                self.auth_context_owners
                    .remove(&context.user_auth_context_id);
            }
        }
    }

    pub fn bank(&self, bank_id: &str) -> Option<&BankRecord> {
        self.banks.iter().find(|b| b.bank_id == bank_id)
    }

    pub fn customer_by_number(&self, bank_id: &str, number: &str) -> Option<&CustomerRecord> {
        self.customers
            .iter()
            .find(|c| c.bank_id == bank_id && c.customer_number == number)
    }

    /// OBP's challenge: `SecureRandom.nextInt(99999999)`, not zero-padded.
    pub fn new_challenge(ids: &Ids) -> String {
        ids.rng(Purpose::Otp)
            .gen_range(0..99_999_999u32)
            .to_string()
    }

    pub fn add_auth_context_update(&self, record: AuthContextUpdateRecord) {
        self.auth_context_updates
            .insert(record.user_auth_context_update_id.clone(), record);
    }

    /// OBP's `checkAnswer`: unknown or expired requests fail; an `INITIATED` one becomes
    /// `ACCEPTED` or `REJECTED` (one attempt); any other is returned unchanged.
    pub fn answer_auth_context_update(
        &self,
        id: &str,
        answer: &str,
        now: DateTime<Utc>,
    ) -> Result<(AuthContextUpdateRecord, bool)> {
        let mut row = self.auth_context_updates.get_mut(id).ok_or_else(|| {
            Error::connector(
                "OBP-30057: User Auth Context Update not found by AUTH_CONTEXT_UPDATE_ID.",
            )
        })?;
        let ttl = self.config.challenge_ttl_seconds;
        if now > row.created_at + Duration::seconds(ttl) {
            return Err(Error::connector(&format!(
                "OBP-20211: The One Time Password (OTP) has expired.  Current expiration time is {ttl} seconds"
            )));
        }
        let mut accepted_now = false;
        if row.status == "INITIATED" {
            // A challenge left out of a secret-free export can no longer be answered.
            accepted_now = row.challenge != OMITTED && row.challenge == answer;
            row.status = if accepted_now { "ACCEPTED" } else { "REJECTED" }.into();
        }
        Ok((row.value().clone(), accepted_now))
    }

    /// Links a user to a customer, once.
    pub fn link_customer(
        &self,
        user_id: &str,
        customer_id: &str,
        link_id: impl FnOnce() -> String,
        now: DateTime<Utc>,
    ) {
        let exists = self
            .customer_links
            .iter()
            .any(|l| l.user_id == user_id && l.customer_id == customer_id);
        if !exists {
            let id = link_id();
            self.customer_links.insert(
                id.clone(),
                CustomerLinkRecord {
                    user_customer_link_id: id,
                    user_id: user_id.to_string(),
                    customer_id: customer_id.to_string(),
                    date_inserted: now,
                },
            );
        }
    }
}

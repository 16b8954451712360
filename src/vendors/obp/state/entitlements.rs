//! Roles: granting, listing and revoking entitlements, and the role checks.

use super::*;

impl State {
    pub fn entitlements(&self, user_id: &str) -> Vec<EntitlementRecord> {
        self.entitlements
            .get(user_id)
            .map(|e| e.value().clone())
            .unwrap_or_default()
    }

    /// `f` of a user's entitlements, read in place (no copy of the list).
    pub fn with_entitlements<R>(
        &self,
        user_id: &str,
        f: impl FnOnce(&[EntitlementRecord]) -> R,
    ) -> R {
        match self.entitlements.get(user_id) {
            Some(list) => f(list.value()),
            None => f(&[]),
        }
    }

    pub fn has_role(&self, user_id: &str, role: &str, bank_id: &str) -> bool {
        self.entitlements.get(user_id).is_some_and(|list| {
            list.iter()
                .any(|e| e.role_name == role && e.bank_id == bank_id)
        })
    }

    pub fn is_super_admin(&self, user_id: &str) -> bool {
        self.super_admins.iter().any(|id| id == user_id)
    }

    /// Grants a role; the same role at the same bank twice is `OBP-30216`.
    pub fn add_entitlement(
        &self,
        user_id: &str,
        record: EntitlementRecord,
    ) -> Result<EntitlementRecord> {
        let mut list = self.entitlements.entry(user_id.to_string()).or_default();
        if list
            .iter()
            .any(|e| e.role_name == record.role_name && e.bank_id == record.bank_id)
        {
            return Err(Error::EntitlementAlreadyExists);
        }
        list.push(record.clone());
        Ok(record)
    }

    /// `deleteEntitlement`: OBP finds the entitlement by its id alone (`OBP-30212` when no user
    /// holds it), and only then checks that `user_id` is its holder (`OBP-30213`).
    pub fn delete_entitlement(&self, user_id: &str, entitlement_id: &str) -> Result<()> {
        if let Some(mut list) = self.entitlements.get_mut(user_id)
            && let Some(i) = list.iter().position(|e| e.entitlement_id == entitlement_id)
        {
            list.remove(i);
            return Ok(());
        }
        // Not the given user's: only the error path looks through every holder.
        let held_elsewhere = self
            .entitlements
            .iter()
            .any(|entry| entry.iter().any(|e| e.entitlement_id == entitlement_id));
        Err(if held_elsewhere {
            Error::UserDoesNotHaveEntitlement
        } else {
            Error::EntitlementNotFound
        })
    }

    /// `getAllEntitlements`: every entitlement of every user, holders in creation order and each
    /// holder's roles in the order they were granted.
    pub fn all_entitlements(&self) -> Vec<EntitlementRecord> {
        // A holder whose user is unknown (None) sorts first, as its empty key did.
        let mut holders: Vec<(Option<u64>, Vec<EntitlementRecord>)> = self
            .entitlements
            .iter()
            .map(|entry| {
                let key = self.user_keys.get(entry.key().as_str()).map(|k| *k.value());
                (key, entry.value().clone())
            })
            .collect();
        holders.sort_by_key(|a| a.0);
        holders.into_iter().flat_map(|(_, list)| list).collect()
    }

    pub fn views(&self, user_id: &str) -> Vec<ViewJson> {
        self.views
            .get(user_id)
            .map(|v| v.value().clone())
            .unwrap_or_default()
    }
}

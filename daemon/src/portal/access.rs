//! Which sections an account sees: the domain's access set, changed by the account's overrides.
//! The navigation and the server read the same set, so a hidden section's pages answer 404.

use portico_protocol::{Access, Customer, Domain, Section};

/// The sections one account sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sections(Vec<Section>);

impl Sections {
    /// `domain`'s access set with `customer`'s overrides applied.
    pub fn of(domain: &Domain, customer: &Customer) -> Self {
        let visible = Section::ALL
            .iter()
            .copied()
            .filter(|s| match customer.overrides.get(s) {
                Some(Access::Show) => true,
                Some(Access::Hide) => false,
                Some(Access::Default) | None => domain.access.contains(s),
            })
            .collect();
        Sections(visible)
    }

    /// Whether `section` is visible.
    pub fn shows(&self, section: Section) -> bool {
        self.0.contains(&section)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use portico_protocol::{CustomerKind, CustomerStatus, Micros, SignupStatus};

    use super::*;

    #[test]
    fn overrides_show_and_hide_over_the_domain() {
        let domain = Domain {
            fqdn: "a.example".into(),
            brand_name: "A".into(),
            customer_signup: false,
            carrier_signup: false,
            signup_status: SignupStatus::Active,
            currencies: vec!["USD".into()],
            template_customer: None,
            access: vec![Section::Balance, Section::Cdr],
            cdr_columns: vec![],
            carrier_cdr_columns: vec![],
            breakout_columns: vec![],
            carrier_breakout_columns: vec![],
            custom_js: String::new(),
            custom_css: String::new(),
            logo: None,
            footer: String::new(),
            smtp: None,
            created_at: 0,
            updated_at: 0,
        };
        let mut customer = Customer {
            id: 1,
            name: "C".into(),
            kind: CustomerKind::Customer,
            currency: "USD".into(),
            status: CustomerStatus::Active,
            debit_limit: Micros(0),
            account_codes: vec![],
            overrides: BTreeMap::new(),
            created_at: 0,
            domain: None,
        };
        let plain = Sections::of(&domain, &customer);
        assert!(plain.shows(Section::Cdr) && plain.shows(Section::Balance));
        assert!(!plain.shows(Section::Breakout));
        customer.overrides.insert(Section::Cdr, Access::Hide);
        customer.overrides.insert(Section::Breakout, Access::Show);
        customer.overrides.insert(Section::Balance, Access::Default);
        let changed = Sections::of(&domain, &customer);
        assert!(!changed.shows(Section::Cdr));
        assert!(changed.shows(Section::Breakout));
        assert!(changed.shows(Section::Balance));
    }
}

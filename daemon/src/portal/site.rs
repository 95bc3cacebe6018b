//! Each portal domain as the portal serves it: the stored record, decoded once, with what its
//! custom CSS and JS make of its pages. Every request starts by finding its domain; decoding
//! the record (JSON, with every setting of the brand) on each one cost more than the rest of
//! serving a brand file.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use portico_protocol::Domain;

use super::brand::BrandPage;
use crate::store::{Store, StoreError};

/// A domain and what its pages are made with.
#[derive(Debug)]
pub struct Site {
    pub domain: Domain,
    pub brand: BrandPage,
    /// The store's domain generation this was read at.
    generation: u64,
}

impl Site {
    fn new(domain: Domain, generation: u64) -> Self {
        Site {
            brand: BrandPage::of(&domain),
            domain,
            generation,
        }
    }
}

/// The sites read so far, by FQDN. An entry is used only while no domain has been written
/// since it was read ([`Store::domains_generation`]), so an admin's change shows on the next
/// request and a removed domain answers as unknown at once. Hosts that name no domain are not
/// remembered: a client sending random names cannot grow this.
#[derive(Debug, Default)]
pub struct Sites(RwLock<HashMap<String, Arc<Site>>>);

impl Sites {
    /// The site of `fqdn` (normalized), or `None` when no such domain is configured.
    pub fn get(&self, store: &Store, fqdn: &str) -> Result<Option<Arc<Site>>, StoreError> {
        // Taken before the read: a write that lands after it moves the generation on, so
        // what is read here is never kept past that write.
        let generation = store.domains_generation();
        if let Ok(sites) = self.0.read()
            && let Some(site) = sites.get(fqdn).filter(|s| s.generation == generation)
        {
            return Ok(Some(site.clone()));
        }
        let found = store.read(|tx| tx.domain(fqdn))?;
        let Ok(mut sites) = self.0.write() else {
            return Ok(found.map(|r| Arc::new(Site::new(r.domain, generation))));
        };
        match found {
            Some(record) => {
                let site = Arc::new(Site::new(record.domain, generation));
                sites.insert(fqdn.to_owned(), site.clone());
                Ok(Some(site))
            }
            None => {
                sites.remove(fqdn);
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::store::DomainRecord;

    fn put(store: &Store, fqdn: &str, css: &str) {
        let domain = crate::portal::tests::domain(fqdn, "Brand", "", css, "");
        store
            .write(|tx| {
                tx.put_domain(&DomainRecord {
                    domain,
                    smtp_password: None,
                })
            })
            .unwrap();
    }

    #[test]
    fn a_site_is_read_once_and_again_after_any_domain_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("portico.redb")).unwrap();
        let sites = Sites::default();
        assert!(sites.get(&store, "a.example").unwrap().is_none());
        put(&store, "a.example", "body{color:red}");
        put(&store, "b.example", "");

        let first = sites.get(&store, "a.example").unwrap().unwrap();
        assert_eq!(first.domain.custom_css, "body{color:red}");
        let again = sites.get(&store, "a.example").unwrap().unwrap();
        assert!(Arc::ptr_eq(&first, &again), "unchanged: read once");

        // A write through another handle of the same store is seen at the next request.
        put(&store.clone(), "a.example", "body{color:blue}");
        let changed = sites.get(&store, "a.example").unwrap().unwrap();
        assert_eq!(changed.domain.custom_css, "body{color:blue}");
        assert_ne!(first.brand.css_href, changed.brand.css_href);
        let b = sites.get(&store, "b.example").unwrap().unwrap();
        assert!(b.brand.css.is_none(), "b never gets a's CSS");

        // A write that fails keeps what was there.
        let refused: Result<(), StoreError> = store.write(|tx| {
            tx.put_domain(&DomainRecord {
                domain: crate::portal::tests::domain("a.example", "B", "", "p{}", ""),
                smtp_password: None,
            })?;
            Err(StoreError::Corrupt("refused".into()))
        });
        assert!(refused.is_err());
        let kept = sites.get(&store, "a.example").unwrap().unwrap();
        assert_eq!(kept.domain.custom_css, "body{color:blue}");

        store.write(|tx| tx.remove_domain("a.example")).unwrap();
        assert!(sites.get(&store, "a.example").unwrap().is_none());
        assert!(sites.get(&store, "b.example").unwrap().is_some());
    }
}

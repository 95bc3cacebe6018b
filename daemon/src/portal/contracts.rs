//! `/contracts`: the account's contracts; `/contracts/{id}` shows one, and a required contract
//! not yet approved is approved there by typing one's name and ticking "I agree". The approval
//! is stored with the time, the contact and the typed name.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use portico_protocol::{Contract, ContractApproval, Section};
use serde::Deserialize;

use super::format;
use super::pages::{Chrome, html, internal_error, not_found_for};
use super::session::Account;
use super::store_calls::{audited_write, contact_target, read};
use super::tenant::{Portal, blocking};
use crate::store::{StoreError, Tx};

/// A required contract the account has not approved yet.
#[derive(Debug, Clone)]
pub struct ContractDue {
    pub id: u64,
    pub name: String,
}

/// The first required contract of `customer` without an approval.
pub fn first_due(tx: &Tx, customer: u64) -> Result<Option<ContractDue>, StoreError> {
    for contract in tx.children::<Contract>(customer)? {
        if contract.required && tx.contract_approval(customer, contract.id)?.is_none() {
            return Ok(Some(ContractDue {
                id: contract.id,
                name: contract.name,
            }));
        }
    }
    Ok(None)
}

/// One contract in the list.
#[derive(Debug)]
pub struct ContractRow {
    pub id: u64,
    pub name: String,
    pub required: bool,
    /// "Approved 2026-11-27 14:05 by Pat Example", when approved.
    pub approved: Option<String>,
}

/// The contracts list.
#[derive(Template)]
#[template(path = "portal/contracts.html")]
pub struct ContractsPage {
    pub chrome: Chrome,
    pub rows: Vec<ContractRow>,
}

/// The approval form's values and what was wrong with them.
#[derive(Debug, Default)]
pub struct ApprovalForm {
    pub name: String,
    pub name_error: Option<String>,
    pub agree_error: Option<String>,
}

/// One contract.
#[derive(Template)]
#[template(path = "portal/contract.html")]
pub struct ContractPage {
    pub chrome: Chrome,
    pub id: u64,
    pub name: String,
    pub text: String,
    pub required: bool,
    pub approved: Option<String>,
    /// The approval form, while a required contract waits for approval.
    pub form: Option<ApprovalForm>,
    pub csrf: String,
}

/// The posted approval.
#[derive(Debug, Deserialize)]
pub struct ApprovalPost {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) agree: Option<String>,
    #[serde(default)]
    pub(super) csrf: String,
}

fn approved_text(approval: &ContractApproval, zone: &jiff::tz::TimeZone) -> String {
    format!(
        "Approved {} by {}",
        format::time(approval.approved_at, zone),
        approval.typed_name
    )
}

/// `GET /contracts`.
pub async fn list(State(portal): State<Portal>, account: Account) -> Response {
    if let Err(response) = account.require(Section::Contracts) {
        return response;
    }
    let customer = account.login.customer.id;
    let found = read(&portal, "contracts", move |tx| {
        Ok((
            tx.children::<Contract>(customer)?,
            tx.contract_approvals(customer)?,
        ))
    })
    .await;
    let (contracts, approvals) = match found {
        Ok(v) => v,
        Err(response) => return response,
    };
    let zone = format::zone(&account.login.contact.time_zone);
    let rows = contracts
        .into_iter()
        .filter(|c| c.customer_id == customer)
        .map(|c| ContractRow {
            approved: approvals
                .iter()
                .find(|a| a.contract_id == c.id)
                .map(|a| approved_text(a, &zone)),
            id: c.id,
            name: c.name,
            required: c.required,
        })
        .collect();
    let (chrome, csp) = Chrome::for_account(&account, "/contracts");
    html(StatusCode::OK, &csp, &ContractsPage { chrome, rows })
}

/// The contract `id` of this account with its approval; `None` when the id is not a number
/// or names no contract of this account.
async fn load(
    portal: &Portal,
    account: &Account,
    id: &str,
) -> Result<Option<(Contract, Option<ContractApproval>)>, Response> {
    let Ok(id) = id.parse::<u64>() else {
        return Ok(None);
    };
    let customer = account.login.customer.id;
    read(portal, "contract", move |tx| {
        let Some(contract) = tx.child::<Contract>(id)? else {
            return Ok(None);
        };
        if contract.customer_id != customer {
            return Ok(None);
        }
        let approval = tx.contract_approval(customer, id)?;
        Ok(Some((contract, approval)))
    })
    .await
}

fn contract_page(
    account: &Account,
    contract: Contract,
    approval: Option<&ContractApproval>,
    form: Option<ApprovalForm>,
) -> (ContractPage, String) {
    let zone = format::zone(&account.login.contact.time_zone);
    let waiting = contract.required && approval.is_none();
    let (chrome, csp) = Chrome::for_account(account, "/contracts");
    let page = ContractPage {
        chrome,
        id: contract.id,
        name: contract.name,
        text: contract.text,
        required: contract.required,
        approved: approval.map(|a| approved_text(a, &zone)),
        form: waiting.then(|| form.unwrap_or_default()),
        csrf: account.login.session.csrf.clone(),
    };
    (page, csp)
}

/// `GET /contracts/{id}`.
pub async fn show(
    State(portal): State<Portal>,
    account: Account,
    Path(id): Path<String>,
) -> Response {
    if let Err(response) = account.require(Section::Contracts) {
        return response;
    }
    match load(&portal, &account, &id).await {
        Ok(Some((contract, approval))) => {
            let (page, csp) = contract_page(&account, contract, approval.as_ref(), None);
            html(StatusCode::OK, &csp, &page)
        }
        Ok(None) => not_found_for(&account),
        Err(response) => response,
    }
}

/// Whether the typed name is the contact's own: trimmed, letter case ignored.
pub(super) fn same_name(typed: &str, name: &str) -> bool {
    let typed = typed.trim().to_lowercase();
    !typed.is_empty() && typed == name.trim().to_lowercase()
}

/// `POST /contracts/{id}`: approves a required contract.
pub async fn approve(
    State(portal): State<Portal>,
    account: Account,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(post): Form<ApprovalPost>,
) -> Response {
    if let Err(response) = account.require(Section::Contracts) {
        return response;
    }
    if let Err(response) = account.check_form(&headers, &post.csrf) {
        return response;
    }
    let (contract, approval) = match load(&portal, &account, &id).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found_for(&account),
        Err(response) => return response,
    };
    let back = format!("/contracts/{}", contract.id);
    if !contract.required || approval.is_some() {
        // Nothing to approve (or approved meanwhile): show the contract as it is.
        return Redirect::to(&back).into_response();
    }
    let name_error = if post.name.trim().is_empty() {
        Some("Type your name to approve the contract.".to_owned())
    } else if !same_name(&post.name, &account.login.contact.name) {
        Some(format!(
            "Type your name exactly as your profile has it ({}).",
            account.login.contact.name
        ))
    } else {
        None
    };
    let agree_error = post
        .agree
        .is_none()
        .then(|| "Tick \"I agree\" to approve the contract.".to_owned());
    if name_error.is_some() || agree_error.is_some() {
        let form = ApprovalForm {
            name: post.name,
            name_error,
            agree_error,
        };
        let (page, csp) = contract_page(&account, contract, None, Some(form));
        return html(StatusCode::UNPROCESSABLE_ENTITY, &csp, &page);
    }
    let store = portal.store.clone();
    let contact = account.login.contact.clone();
    let typed = post.name.trim().to_owned();
    let contract_id = contract.id;
    let detail = serde_json::json!({ "contract_id": contract_id, "typed_name": typed });
    let written = blocking(move || {
        Ok(audited_write(
            &store,
            "portal_contract_approve",
            detail,
            |tx, now| {
                let approval = ContractApproval {
                    contract_id,
                    customer_id: contact.customer_id,
                    contact_id: contact.id,
                    typed_name: typed,
                    approved_at: now,
                };
                // A second tab may have approved it already: the first approval stands.
                if tx
                    .contract_approval(contact.customer_id, contract_id)?
                    .is_none()
                {
                    tx.put_contract_approval(&approval)?;
                }
                let target = format!("{} contract #{contract_id}", contact_target(&contact));
                Ok::<_, StoreError>(((), target))
            },
        )?)
    })
    .await;
    match written {
        Ok(()) => Redirect::to(&back).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "portal: recording an approval failed");
            internal_error()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::same_name;

    #[test]
    fn names_match_trimmed_and_ignoring_case() {
        assert!(same_name("  pat EXAMPLE ", "Pat Example"));
        assert!(same_name("Zoë Ünal", "zoë ünal"));
        assert!(!same_name("Pat", "Pat Example"));
        assert!(!same_name("  ", " "));
    }
}

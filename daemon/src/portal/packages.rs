//! `/packages`: the packages the account has, with their monthly price.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use portico_protocol::{Package, Section};

use super::format;
use super::pages::{Chrome, html};
use super::session::Account;
use super::store_calls::read;
use super::tenant::Portal;

/// One package as the customer sees it.
#[derive(Debug)]
pub struct PackageRow {
    pub name: String,
    pub price: String,
    pub description: String,
}

/// The packages page.
#[derive(Template)]
#[template(path = "portal/packages.html")]
pub struct PackagesPage {
    pub chrome: Chrome,
    pub rows: Vec<PackageRow>,
}

/// `GET /packages`.
pub async fn show(State(portal): State<Portal>, account: Account) -> Response {
    if let Err(response) = account.require(Section::Packages) {
        return response;
    }
    let customer = account.login.customer.id;
    let packages = match read(&portal, "packages", move |tx| {
        tx.children::<Package>(customer)
    })
    .await
    {
        Ok(p) => p,
        Err(response) => return response,
    };
    let currency = &account.login.customer.currency;
    let rows = packages
        .into_iter()
        .filter(|p| p.customer_id == customer)
        .map(|p| PackageRow {
            price: format::amount(p.price, currency),
            name: p.name,
            description: p.description,
        })
        .collect();
    let (chrome, csp) = Chrome::for_account(&account, "/packages");
    html(StatusCode::OK, &csp, &PackagesPage { chrome, rows })
}

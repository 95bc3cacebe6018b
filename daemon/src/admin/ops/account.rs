//! What else a customer owns: payments, alerts, packages and contracts.

use portico_protocol::{
    AdminError, AdminResult, Alert, AlertSpec, Contract, ContractSpec, Package, PackageSpec,
    Payment, PaymentSpec, PaymentStatus,
};

use super::customer_exists;
use crate::admin::service::Changed;
use crate::model::{contact, money, text};
use crate::store::Child;
use crate::store::Tx;

/// Records a payment (completed unless said otherwise).
pub fn payment_add(
    tx: &mut Tx,
    now: i64,
    customer_id: u64,
    spec: PaymentSpec,
) -> AdminResult<Changed<Payment>> {
    customer_exists(tx, customer_id)?;
    let amount = money::parse_money("amount", &spec.amount)?;
    if amount.0 == 0 {
        return Err(AdminError::invalid(
            "amount",
            "a payment of 0 changes nothing; give the amount paid",
        ));
    }
    let payment = Payment {
        id: tx.next_id("payment")?,
        customer_id,
        amount,
        status: spec.status.unwrap_or(PaymentStatus::Completed),
        description: text::check_text("description", &spec.description, 500, false)?,
        created_at: now,
    };
    tx.put_child(&payment)?;
    let target = format!("customer #{customer_id} payment #{}", payment.id);
    Ok((payment, target))
}

/// A customer's payments, newest first.
pub fn payment_list(tx: &Tx, customer_id: u64) -> AdminResult<Vec<Payment>> {
    customer_exists(tx, customer_id)?;
    let mut payments = tx.children::<Payment>(customer_id)?;
    payments.reverse();
    Ok(payments)
}

/// Changes a payment's status.
pub fn payment_set_status(
    tx: &mut Tx,
    id: u64,
    status: PaymentStatus,
) -> AdminResult<Changed<Payment>> {
    let mut payment: Payment = tx
        .child(id)?
        .ok_or_else(|| AdminError::not_found(format!("payment #{id}")))?;
    payment.status = status;
    tx.put_child(&payment)?;
    let target = format!("customer #{} payment #{id}", payment.customer_id);
    Ok((payment, target))
}

/// Adds a low-balance alert.
pub fn alert_add(tx: &mut Tx, customer_id: u64, spec: AlertSpec) -> AdminResult<Changed<Alert>> {
    customer_exists(tx, customer_id)?;
    let alert = Alert {
        id: 0,
        customer_id,
        threshold: money::parse_money("threshold", &spec.threshold)?,
        email: contact::normalize_email("email", &spec.email)?,
    };
    let alert = Alert {
        id: tx.next_id("alert")?,
        ..alert
    };
    tx.put_child(&alert)?;
    let target = format!("customer #{customer_id} alert #{}", alert.id);
    Ok((alert, target))
}

/// Adds a package.
pub fn package_add(
    tx: &mut Tx,
    customer_id: u64,
    spec: PackageSpec,
) -> AdminResult<Changed<Package>> {
    customer_exists(tx, customer_id)?;
    let package = Package {
        id: 0,
        customer_id,
        name: text::check_required("name", &spec.name, 200)?,
        description: text::check_text("description", &spec.description, 2_000, true)?,
        price: money::parse_non_negative("price", &spec.price)?,
    };
    let package = Package {
        id: tx.next_id("package")?,
        ..package
    };
    tx.put_child(&package)?;
    let target = format!("customer #{customer_id} package #{}", package.id);
    Ok((package, target))
}

/// Adds a contract.
pub fn contract_add(
    tx: &mut Tx,
    customer_id: u64,
    spec: ContractSpec,
) -> AdminResult<Changed<Contract>> {
    customer_exists(tx, customer_id)?;
    let contract = Contract {
        id: 0,
        customer_id,
        name: text::check_required("name", &spec.name, 200)?,
        text: contract_text(&spec.text)?,
        required: spec.required,
    };
    let contract = Contract {
        id: tx.next_id("contract")?,
        ..contract
    };
    tx.put_child(&contract)?;
    let target = format!("customer #{customer_id} contract #{}", contract.id);
    Ok((contract, target))
}

/// Removes a payment, alert, package or contract by id.
pub fn remove_child<T: Child>(tx: &mut Tx, id: u64) -> AdminResult<Changed<()>> {
    let kind = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or("object")
        .to_lowercase();
    if !tx.remove_child::<T>(id)? {
        return Err(AdminError::not_found(format!("{kind} #{id}")));
    }
    Ok(((), format!("{kind} #{id}")))
}

fn contract_text(given: &str) -> AdminResult<String> {
    let body = text::check_text("text", given, 200_000, true)?;
    if body.trim().is_empty() {
        return Err(AdminError::invalid(
            "text",
            "a contract needs its text; pass --text or --text-file PATH",
        ));
    }
    Ok(body)
}

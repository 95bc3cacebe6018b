//! The pipeline and the reports together, on a real store, with hand-made CDRs.

use portico_protocol::*;

use super::pipeline::{Batch, Ingest, Rejected, assign};
use super::{Leg, RawCdr};
use crate::admin::ops;
use crate::reports;
use crate::store::Store;

const T0: i64 = 1_795_737_600; // 2026-11-27T00:00:00Z

fn setup() -> (tempfile::TempDir, Store, Ingest, u64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("portico.redb")).unwrap();
    let csv = "prefix,name,rate,connect_fee,first_increment,next_increment\n\
               44,United Kingdom,0.0120,0,1,1\n\
               447,United Kingdom - Mobile,0.0600,0.0100,30,6\n";
    let id = store
        .write(|tx| {
            let (c, _) = ops::customer::add(
                tx,
                T0,
                CustomerPatch {
                    name: Some("Acme".into()),
                    currency: Some("GBP".into()),
                    account_codes: Some(vec!["1001".into()]),
                    debit_limit: Some("5".into()),
                    ..Default::default()
                },
            )?;
            ops::ratecard::import(tx, T0, "UK", "GBP", csv, false)?;
            ops::ratecard::route_add(tx, c.id, "UK", "")?;
            ops::account::payment_add(
                tx,
                T0,
                c.id,
                PaymentSpec {
                    amount: "10.00".into(),
                    status: None,
                    description: String::new(),
                },
            )?;
            ops::account::alert_add(
                tx,
                c.id,
                AlertSpec {
                    threshold: "9.99".into(),
                    email: "ops@acme.test".into(),
                },
            )?;
            Ok::<_, AdminError>(c.id)
        })
        .unwrap();
    let ingest = Ingest::new(store.clone());
    (dir, store, ingest, id)
}

fn call(id: &str, code: &str, dst: &str, start: i64, billsec: u32) -> RawCdr {
    RawCdr {
        call_id: id.into(),
        leg: Leg::A,
        account_code: code.into(),
        source_number: "1001".into(),
        destination: dst.into(),
        start,
        answer: (billsec > 0).then_some(start + 5),
        end: Some(start + 5 + i64::from(billsec)),
        duration: 5 + billsec,
        billsec,
        answered: billsec > 0,
        release_reason: if billsec > 0 { "ANSWERED" } else { "NO ANSWER" }.into(),
        ..Default::default()
    }
}

fn batch(cdrs: Vec<RawCdr>) -> Batch {
    Batch {
        source: "test".into(),
        lines: cdrs.len() as u64,
        cdrs: cdrs
            .into_iter()
            .enumerate()
            .map(|(i, c)| (i as u64 + 1, c))
            .collect(),
        rejected: Vec::new(),
    }
}

#[test]
fn a_batch_is_priced_rolled_up_and_stored_once() {
    let (_dir, store, ingest, id) = setup();
    let cdrs = vec![
        call("c1", "1001", "447700900123", T0 + 3_600, 61), // 30 + 6*6 = 66 s at 0.06 + 0.01
        call("c2", "1001", "+442071234567", T0 + 7_200, 10), // 10 s at 0.012
        call("c3", "1001", "447700900999", T0 + 9_000, 0),  // not answered: free
        call("c4", "1001", "33123456", T0 + 9_500, 20),     // no rate
        call("c1", "1001", "447700900123", T0 + 3_600, 61), // the same CDR again in the batch
    ];
    let report = ingest.ingest(batch(cdrs.clone()), |_| Ok(())).unwrap();
    assert_eq!(
        (report.imported, report.duplicates, report.unrated),
        (4, 1, 1)
    );
    let again = ingest.ingest(batch(cdrs), |_| Ok(())).unwrap();
    assert_eq!((again.imported, again.duplicates), (0, 5));

    let page = store
        .read(|tx| {
            reports::cdr_page(
                tx,
                &CdrQuery {
                    customer_id: Some(id),
                    limit: 10,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let ids: Vec<&str> = page.cdrs.iter().map(|c| c.call_id.as_str()).collect();
    assert_eq!(ids, vec!["c4", "c3", "c2", "c1"], "newest first");
    let c1 = &page.cdrs[3];
    assert_eq!(c1.billed_duration, 66);
    assert_eq!(c1.charge, Micros(10_000 + 66_000)); // 0.01 + 0.06 * 66/60
    assert_eq!(c1.destination_name, "United Kingdom - Mobile");
    assert_eq!(page.cdrs[1].charge, Micros(0));
    assert_eq!(
        page.cdrs[1].connect_cost,
        Micros(0),
        "no connect fee unless connected"
    );
    assert!(!page.cdrs[0].rated);

    let breakout = store
        .read(|tx| {
            reports::breakout(
                tx,
                &ReportQuery {
                    customer_id: id,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let mobile = breakout
        .iter()
        .find(|r| r.destination_name == "United Kingdom - Mobile")
        .unwrap();
    assert_eq!((mobile.traffic.attempts, mobile.traffic.connected), (2, 1));
    assert_eq!(mobile.traffic.asr, "50.0");
    assert_eq!(mobile.traffic.acd, 61);
    let total: i64 = breakout.iter().map(|r| r.traffic.charge.0).sum();
    assert_eq!(total, 76_000 + 2_000);

    let balance = store.read(|tx| reports::balance(tx, id)).unwrap();
    assert_eq!(balance.charges, Micros(78_000));
    assert_eq!(balance.balance, Micros(10_000_000 - 78_000));
    assert_eq!(balance.available, Micros(15_000_000 - 78_000));
    assert!(balance.low_balance, "below the 9.99 alert");
    assert!(!balance.exhausted);

    let summary = store
        .read(|tx| {
            reports::summary(
                tx,
                &ReportQuery {
                    customer_id: id,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(summary.days.len(), 1);
    assert_eq!(summary.days[0].period, T0);
    assert_eq!(summary.days[0].traffic.attempts, 4);
    assert_eq!(summary.months[0].traffic.charge, Micros(78_000));
}

#[test]
fn keyset_pages_filters_and_ranges() {
    let (_dir, store, ingest, id) = setup();
    let cdrs: Vec<RawCdr> = (0..25)
        .map(|i| {
            call(
                &format!("k{i}"),
                "1001",
                if i % 2 == 0 { "4420" } else { "4477" },
                T0 + i * 60,
                (i % 3) as u32,
            )
        })
        .collect();
    ingest.ingest(batch(cdrs), |_| Ok(())).unwrap();
    let mut q = CdrQuery {
        customer_id: Some(id),
        limit: 10,
        ..Default::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = store.read(|tx| reports::cdr_page(tx, &q)).unwrap();
        seen.extend(page.cdrs.iter().map(|c| c.call_time));
        match page.next {
            Some(next) => q.after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert!(seen.windows(2).all(|w| w[0] > w[1]));
    let connected = store
        .read(|tx| {
            reports::cdr_page(
                tx,
                &CdrQuery {
                    customer_id: Some(id),
                    connected_only: true,
                    limit: 100,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert!(connected.cdrs.iter().all(|c| c.connected));
    assert_eq!(connected.cdrs.len(), 16);
    let searched = store
        .read(|tx| {
            reports::cdr_page(
                tx,
                &CdrQuery {
                    customer_id: Some(id),
                    search: Some("4477".into()),
                    limit: 100,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(searched.cdrs.len(), 12);
    let window = store
        .read(|tx| {
            reports::cdr_page(
                tx,
                &CdrQuery {
                    customer_id: Some(id),
                    from: Some(T0 + 600),
                    to: Some(T0 + 1_200),
                    limit: 100,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(window.cdrs.len(), 10);
}

#[test]
fn unassigned_cdrs_are_kept_then_assigned_and_priced() {
    let (_dir, store, ingest, id) = setup();
    let report = ingest
        .ingest(
            batch(vec![
                call("u1", "2002", "447700900123", T0, 30),
                call("u2", "2002", "4420", T0 + 1, 0),
            ]),
            |_| Ok(()),
        )
        .unwrap();
    assert_eq!(report.unassigned, 2);
    let groups = store.read(reports::unassigned_groups).unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        (groups[0].account_code.as_str(), groups[0].cdrs),
        ("2002", 2)
    );
    let moved = store.write(|tx| assign(tx, "2002", id)).unwrap();
    assert_eq!(moved, 2);
    assert!(store.read(reports::unassigned_groups).unwrap().is_empty());
    let balance = store.read(|tx| reports::balance(tx, id)).unwrap();
    assert_eq!(balance.charges, Micros(10_000 + 30_000));
    let customer = store.read(|tx| tx.customer(id)).unwrap().unwrap();
    assert!(customer.account_codes.contains(&"2002".to_string()));
    // Later CDRs with that code match at once.
    let later = ingest
        .ingest(batch(vec![call("u3", "2002", "4420", T0 + 5, 60)]), |_| {
            Ok(())
        })
        .unwrap();
    assert_eq!(later.unassigned, 0);
    let status = store
        .read(|tx| {
            Ok::<_, crate::store::StoreError>((
                tx.counter("cdrs")?,
                tx.counter("cdrs_unassigned")?,
                tx.counter("cdrs_unrated")?,
            ))
        })
        .unwrap();
    assert_eq!(status, (3, 0, 0));
}

#[test]
fn rejected_lines_are_quarantined_and_a_rate_change_applies_to_later_cdrs() {
    let (_dir, store, ingest, id) = setup();
    let mut b = batch(vec![call("q1", "1001", "4420", T0, 60)]);
    b.rejected.push(Rejected {
        line: 7,
        reason: "line 7: bad start".into(),
        excerpt: "x,y".into(),
    });
    let report = ingest.ingest(b, |_| Ok(())).unwrap();
    assert_eq!(report.quarantined.len(), 1);
    assert_eq!(report.quarantined[0].line, 7);
    assert_eq!(
        store.read(|tx| tx.quarantined(10)).unwrap()[0].reason,
        "line 7: bad start"
    );
    // An admin change (a new rate) is seen by the next batch.
    store
        .write(|tx| {
            ops::ratecard::import(
                tx,
                T0,
                "UK",
                "GBP",
                "prefix,name,rate\n44,United Kingdom,0.0600\n",
                false,
            )?;
            tx.bump_counter(super::pipeline::GENERATION, 1)?;
            Ok::<_, AdminError>(())
        })
        .unwrap();
    ingest
        .ingest(batch(vec![call("q2", "1001", "4420", T0 + 10, 60)]), |_| {
            Ok(())
        })
        .unwrap();
    let page = store
        .read(|tx| {
            reports::cdr_page(
                tx,
                &CdrQuery {
                    customer_id: Some(id),
                    limit: 10,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(page.cdrs[0].charge, Micros(60_000));
    assert_eq!(page.cdrs[1].charge, Micros(12_000));
}

#[test]
fn csv_exports_stream_every_page_with_the_chosen_columns() {
    let (_dir, store, ingest, id) = setup();
    let cdrs: Vec<RawCdr> = (0..2_500)
        .map(|i| call(&format!("e{i}"), "1001", "447700900123", T0 + i, 61))
        .collect();
    ingest.ingest(batch(cdrs), |_| Ok(())).unwrap();
    let mut out = Vec::new();
    let columns = [
        CdrColumn::CallTime,
        CdrColumn::Destination,
        CdrColumn::Charge,
        CdrColumn::Currency,
    ];
    let rows = store
        .read(|tx| {
            reports::csv::write_cdrs(
                tx,
                &CdrQuery {
                    customer_id: Some(id),
                    ..Default::default()
                },
                &columns,
                &mut out,
            )
        })
        .unwrap();
    assert_eq!(rows, 2_500);
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("call_time,destination,charge,currency"));
    assert_eq!(
        lines.next(),
        Some("2026-11-27T00:41:39Z,447700900123,0.076,GBP")
    );
    assert_eq!(text.lines().count(), 2_501);

    let breakout = store
        .read(|tx| {
            reports::breakout(
                tx,
                &ReportQuery {
                    customer_id: id,
                    per_day: true,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let mut out = Vec::new();
    reports::csv::write_breakout(
        &breakout,
        &[
            BreakoutColumn::CallTime,
            BreakoutColumn::DestinationName,
            BreakoutColumn::Duration,
            BreakoutColumn::Charge,
        ],
        "GBP",
        &mut out,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "call_time,destination_name,duration,charge\n2026-11-27,United Kingdom - Mobile,2541.67,190.00\n"
    );
}

#[test]
fn breakouts_read_from_day_blocks_equal_the_sum_of_days() {
    let (_dir, store, ingest, id) = setup();
    let dsts = ["4420", "447700", "4479"];
    let cdrs: Vec<RawCdr> = (0..3_000)
        .map(|i| {
            call(
                &format!("b{i}"),
                "1001",
                dsts[i % 3],
                T0 - 40 * 86_400 + (i as i64) * 1_500,
                (i % 97) as u32,
            )
        })
        .collect();
    ingest.ingest(batch(cdrs), |_| Ok(())).unwrap();
    let day = 86_400;
    for (from, to) in [
        (None, None),
        (Some(T0 - 40 * day), Some(T0 + 20 * day)),
        (Some(T0 - 37 * day + 5), Some(T0 - 3 * day)),
        (Some(T0 - 20 * day), Some(T0 - 19 * day)),
        (Some(T0 - 31 * day), Some(T0 - day - 1)),
    ] {
        let q = ReportQuery {
            customer_id: id,
            from,
            to,
            per_day: false,
        };
        let blocks = store.read(|tx| reports::breakout(tx, &q)).unwrap();
        let days = store
            .read(|tx| {
                reports::breakout(
                    tx,
                    &ReportQuery {
                        per_day: true,
                        ..q.clone()
                    },
                )
            })
            .unwrap();
        let mut summed: std::collections::BTreeMap<String, (u64, u64, u64, i64)> =
            Default::default();
        for r in &days {
            let e = summed.entry(r.destination_name.clone()).or_default();
            e.0 += r.traffic.attempts;
            e.1 += r.traffic.connected;
            e.2 += r.traffic.billed_duration;
            e.3 += r.traffic.charge.0;
        }
        let got: std::collections::BTreeMap<String, (u64, u64, u64, i64)> = blocks
            .iter()
            .map(|r| {
                (
                    r.destination_name.clone(),
                    (
                        r.traffic.attempts,
                        r.traffic.connected,
                        r.traffic.billed_duration,
                        r.traffic.charge.0,
                    ),
                )
            })
            .collect();
        assert_eq!(got, summed, "range {from:?}..{to:?}");
        assert!(!got.is_empty() || from == Some(T0 - 20 * day));
    }
}

#[test]
fn sequence_numbers_never_repeat_across_batches() {
    // Ids are claimed in id order, not file order; the next batch must still start after the
    // highest sequence number, or a CDR with the same customer and start would be overwritten.
    let (_dir, store, ingest, id) = setup();
    ingest
        .ingest(
            batch(vec![
                call("z1", "1001", "4420", T0, 5),
                call("a1", "1001", "4420", T0, 5),
            ]),
            |_| Ok(()),
        )
        .unwrap();
    ingest
        .ingest(batch(vec![call("m1", "1001", "4420", T0, 5)]), |_| Ok(()))
        .unwrap();
    let page = store
        .read(|tx| {
            reports::cdr_page(
                tx,
                &CdrQuery {
                    customer_id: Some(id),
                    limit: 10,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let mut ids: Vec<&str> = page.cdrs.iter().map(|c| c.call_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, vec!["a1", "m1", "z1"]);
}

#[test]
fn every_imported_cdr_is_a_stored_row() {
    let (_dir, store, ingest, _) = setup();
    let mut total = 0;
    for b in 0..5 {
        let cdrs: Vec<RawCdr> = (0..500)
            .map(|i| {
                call(
                    &format!("r{}", (i * 7919 + b * 13) % 2_000),
                    "1001",
                    "4420",
                    T0 + i64::from(i % 3),
                    5,
                )
            })
            .collect();
        total += ingest.ingest(batch(cdrs), |_| Ok(())).unwrap().imported;
    }
    assert_eq!(store.read(|tx| tx.cdr_rows()).unwrap(), total);
    assert_eq!(store.read(|tx| tx.counter("cdrs")).unwrap(), total);
}

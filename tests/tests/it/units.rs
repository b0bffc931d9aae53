//! Checks of single pieces of the server that need no running Parley: its settings, the
//! schema's registry and limits, and the job kinds' handlers. They live in this one test
//! binary rather than in each crate, so the server's crates are compiled once for tests.

use std::collections::HashMap;

use api::config::{Config, ConfigError};
use api::graphql::{NODE_TYPES, nesting};
use domain::jobs;
use workers::handlers::{HANDLED, recurring};

mod settings {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_env_fn(|k| map.get(k).cloned())
    }

    fn scratch_dir() -> String {
        let dir = std::env::temp_dir().join(format!("parley-config-{}", uuid::Uuid::now_v7().simple()));
        dir.display().to_string()
    }

    #[test]
    fn no_configuration_means_sqlite_in_the_data_directory_on_port_8080() {
        let dir = scratch_dir();
        let Ok(c) = with(&[("PARLEY_DATA_DIR", &dir)]) else { unreachable!() };
        assert_eq!(c.http_addr, "127.0.0.1:8080");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.database_url, format!("sqlite://{dir}/parley.db?mode=rwc"));
        assert!(c.smtp_url.starts_with("file://") && c.smtp_url.ends_with("/outbox"), "{}", c.smtp_url);
        assert!(!c.production);
        // The development signing key is made once and kept.
        let Ok(again) = with(&[("PARLEY_DATA_DIR", &dir)]) else { unreachable!() };
        assert_eq!(c.jwt_secret.expose(), again.jwt_secret.expose());
        assert!(c.jwt_secret.expose().len() >= 32);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn postgres_is_a_url_away() {
        let dir = scratch_dir();
        let Ok(c) = with(&[("PARLEY_DATA_DIR", &dir), ("PARLEY_DATABASE_URL", "postgres://owner@db/parley")]) else {
            unreachable!()
        };
        assert_eq!(c.db().url, "postgres://owner@db/parley");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn bad_settings_are_named() {
        let dir = scratch_dir();
        let cases: [(&[(&str, &str)], &str); 20] = [
            (&[("PARLEY_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local")], "PARLEY_TRUSTED_PROXIES"),
            (&[("PARLEY_GRAPHQL_MAX_BATCH", "0")], "PARLEY_GRAPHQL_MAX_BATCH"),
            (&[("PARLEY_REFRESH_LEEWAY_MS", "86400000")], "PARLEY_REFRESH_LEEWAY_MS"),
            (
                &[("PARLEY_ENV", "production"), ("PARLEY_JWT_SECRET", "a-production-signing-key-of-32-chars!")],
                "PARLEY_SECRETS_KEY",
            ),
            (&[("PARLEY_SECRETS_KEY", "k1:not-32-bytes")], "PARLEY_SECRETS_KEY"),
            (&[("PARLEY_HTTP_ADDR", "localhost")], "PARLEY_HTTP_ADDR"),
            (&[("PARLEY_PUBLIC_URL", "parley.example")], "PARLEY_PUBLIC_URL"),
            (&[("PARLEY_DATABASE_URL", "mysql://x")], "PARLEY_DATABASE_URL"),
            (&[("PARLEY_JWT_SECRET", "short")], "PARLEY_JWT_SECRET"),
            (&[("PARLEY_ENV", "production")], "PARLEY_JWT_SECRET"),
            (&[("PARLEY_JOB_LEASE_MS", "a minute")], "PARLEY_JOB_LEASE_MS"),
            // Out of range: refused when loaded, never an overflow when a lease is set.
            (&[("PARLEY_JOB_LEASE_MS", "315360000000")], "PARLEY_JOB_LEASE_MS"),
            (&[("PARLEY_JOB_LEASE_MS", "18446744073709551615")], "PARLEY_JOB_LEASE_MS"),
            (&[("PARLEY_JOB_LEASE_MS", "99999999999999999999999")], "PARLEY_JOB_LEASE_MS"),
            (&[("PARLEY_JOB_LEASE_MS", "10")], "PARLEY_JOB_LEASE_MS"),
            (&[("PARLEY_JOB_BACKOFF_MS", "0")], "PARLEY_JOB_BACKOFF_MS"),
            (&[("PARLEY_JOB_BACKOFF_MS", "315360000000")], "PARLEY_JOB_BACKOFF_MS"),
            (&[("PARLEY_SIGNUPS_PER_IP", "-1")], "PARLEY_SIGNUPS_PER_IP"),
            (&[("PARLEY_SIGNUPS_PER_IP", "0")], "PARLEY_SIGNUPS_PER_IP"),
            (&[("PARLEY_INVITATIONS_PER_HOUR", "0")], "PARLEY_INVITATIONS_PER_HOUR"),
        ];
        for (pairs, setting) in cases {
            let mut all = vec![("PARLEY_DATA_DIR", dir.as_str())];
            all.extend_from_slice(pairs);
            match with(&all) {
                Err(e) => assert_eq!(e.setting, setting, "{e}"),
                Ok(_) => unreachable!("{pairs:?} was accepted"),
            }
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn numbers_inside_their_bounds_are_taken() {
        let dir = scratch_dir();
        let Ok(c) = with(&[
            ("PARLEY_DATA_DIR", &dir),
            ("PARLEY_JOB_LEASE_MS", "86400000"),
            ("PARLEY_JOB_BACKOFF_MS", "1"),
            ("PARLEY_INVITATIONS_PER_HOUR", "3"),
        ]) else {
            unreachable!()
        };
        let s = c.settings();
        assert_eq!(s.job_lease, std::time::Duration::from_secs(86_400));
        assert_eq!(s.invitations_per_hour, 3);
        let Ok(d) = with(&[("PARLEY_DATA_DIR", &dir)]) else { unreachable!() };
        assert_eq!(d.settings().invitations_per_hour, 50);
        let _ = std::fs::remove_dir_all(dir);
    }
}

mod schema {
    use super::*;

    #[test]
    fn nesting_counts_brackets_outside_strings_and_comments() {
        assert_eq!(nesting("{ a { b(x: [1, {y: 2}]) } }"), 5);
        assert_eq!(nesting("{ a(s: \"{{{{[[[\", t: \"\\\"{{\") }"), 2);
        assert_eq!(nesting("{ a(s: \"\"\"{{ \" {{ \"\"\") # {{{{\n }"), 2);
        assert_eq!(nesting(&format!("{{ a(r: {}1{}) }}", "[".repeat(1000), "]".repeat(1000))), 1002);
        assert_eq!(nesting("}}} {"), 1);
        assert_eq!(nesting("{ a(s: \"\", t: [1]) }"), 3);
    }

    /// Every type the published schema declares as a `Node` is served by `node(id:)`,
    /// and the registry holds nothing else.
    #[test]
    fn every_node_type_in_the_schema_is_registered() {
        let sdl = api::graphql::sdl();
        let mut in_schema: Vec<&str> = sdl
            .lines()
            .filter_map(|l| l.strip_prefix("type ")?.split_once(" implements "))
            .filter(|(_, interfaces)| interfaces.split(['&', '{']).any(|i| i.trim() == "Node"))
            .map(|(name, _)| name)
            .collect();
        let mut registered = NODE_TYPES.to_vec();
        in_schema.sort_unstable();
        registered.sort_unstable();
        assert!(!in_schema.is_empty());
        assert_eq!(in_schema, registered);
    }
}

mod job_kinds {
    use super::*;

    #[test]
    fn every_declared_kind_has_one_handler_and_every_handler_a_declared_kind() {
        let mut declared = jobs::KINDS.to_vec();
        let mut handled = HANDLED.to_vec();
        declared.sort_unstable();
        handled.sort_unstable();
        assert_eq!(declared, handled);
        handled.dedup();
        assert_eq!(handled.len(), HANDLED.len(), "a kind is registered twice");
    }

    #[test]
    fn recurring_work_is_of_declared_kinds() {
        for r in recurring() {
            assert!(jobs::KINDS.contains(&r.kind), "{}", r.kind);
        }
    }
}

mod campaigns {
    use chrono::{NaiveTime, TimeZone, Utc};
    use domain::campaigns::inbound::{Report, read};
    use domain::campaigns::run::{in_control, local_send_time};
    use domain::{CampaignId, ContactId, InboundKind};

    #[test]
    fn a_delivery_status_notification_is_read() {
        let raw =
            crate::campaigns::dsn("bounces+abc@news.example.com", "Ok1@Rcpt.example.org", "failed", "5.1.1", "m1@x");
        let r = read(raw.as_bytes());
        assert_eq!(r.kind, InboundKind::Dsn);
        match r.report {
            Report::HardBounce { recipient, status, .. } => {
                assert_eq!((recipient.as_str(), status.as_str()), ("ok1@rcpt.example.org", "5.1.1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(r.addresses.contains(&"bounces+abc@news.example.com".to_owned()), "{:?}", r.addresses);
        assert_eq!(r.message_ids, ["<m1@x>"]);
        let soft = read(crate::campaigns::dsn("b@x.example", "a@b.example", "delayed", "4.2.2", "m@x").as_bytes());
        assert!(matches!(soft.report, Report::SoftBounce { .. }), "{:?}", soft.report);
        let delivered =
            read(crate::campaigns::dsn("b@x.example", "a@b.example", "delivered", "2.0.0", "m@x").as_bytes());
        assert!(matches!(delivered.report, Report::Nothing(_)));
    }

    #[test]
    fn a_feedback_report_and_junk_are_read() {
        let r = read(crate::campaigns::arf("Someone@Example.org", "m2@news.example.com").as_bytes());
        assert_eq!(r.kind, InboundKind::Feedback);
        assert_eq!(r.report, Report::Complaint { recipient: "someone@example.org".into(), feedback: "abuse".into() });
        assert_eq!(r.message_ids, ["<m2@news.example.com>"]);
        for junk in [&b""[..], b"\0\x01\xff", b"Subject: hi\r\n\r\nplain mail, no report"] {
            let r = read(junk);
            assert!(matches!(r.report, Report::Nothing(_)), "{:?}", r.report);
        }
    }

    #[test]
    fn quiet_hours_end_in_the_contacts_zone() {
        use domain::campaigns::policies::quiet_until;
        let (nine_pm, eight_am) =
            (NaiveTime::from_hms_opt(21, 0, 0).unwrap(), NaiveTime::from_hms_opt(8, 0, 0).unwrap());
        // 23:00 in Paris (22:00 UTC, winter): quiet until 08:00 Paris tomorrow.
        let late = Utc.with_ymd_and_hms(2027, 1, 10, 22, 0, 0).unwrap();
        assert_eq!(
            quiet_until(Some("Europe/Paris"), nine_pm, eight_am, late),
            Some(Utc.with_ymd_and_hms(2027, 1, 11, 7, 0, 0).unwrap())
        );
        // 06:00 in Paris: quiet until 08:00 the same day.
        let early = Utc.with_ymd_and_hms(2027, 1, 10, 5, 0, 0).unwrap();
        assert_eq!(
            quiet_until(Some("Europe/Paris"), nine_pm, eight_am, early),
            Some(Utc.with_ymd_and_hms(2027, 1, 10, 7, 0, 0).unwrap())
        );
        // Noon is not quiet; a window inside one day works too.
        let noon = Utc.with_ymd_and_hms(2027, 1, 10, 11, 0, 0).unwrap();
        assert_eq!(quiet_until(Some("Europe/Paris"), nine_pm, eight_am, noon), None);
        let (one, two) = (NaiveTime::from_hms_opt(13, 0, 0).unwrap(), NaiveTime::from_hms_opt(14, 0, 0).unwrap());
        let lunch = Utc.with_ymd_and_hms(2027, 1, 10, 13, 30, 0).unwrap();
        assert_eq!(quiet_until(None, one, two, lunch), Some(Utc.with_ymd_and_hms(2027, 1, 10, 14, 0, 0).unwrap()));
    }

    #[test]
    fn lift_statistics_match_the_textbook() {
        // 60/100 against 40/100: difference 0.2, pooled z = 2.828, p = 0.00468; Wald
        // interval 0.2 ± 1.96 × 0.06928.
        let l = domain::campaigns::results::proportion_lift(60, 100, 40, 100);
        assert!((l.absolute - 0.2).abs() < 1e-12);
        assert!((l.relative.unwrap() - 0.5).abs() < 1e-12);
        assert!((l.p_value.unwrap() - 0.004_678).abs() < 1e-5, "{l:?}");
        assert!((l.low - 0.064_21).abs() < 1e-4 && (l.high - 0.335_79).abs() < 1e-4, "{l:?}");
        assert!(l.significant);
        let same = domain::campaigns::results::proportion_lift(10, 100, 10, 100);
        assert!(!same.significant && (same.p_value.unwrap() - 1.0).abs() < 1e-9);
        let empty = domain::campaigns::results::proportion_lift(3, 10, 0, 0);
        assert_eq!((empty.p_value, empty.relative, empty.significant), (None, None, false));
    }

    #[test]
    fn the_control_group_follows_the_split() {
        let c: CampaignId = uuid::Uuid::from_u128(7).into();
        let held = (0..20_000u128).filter(|i| in_control(c, uuid::Uuid::from_u128(i * 7919 + 1).into(), 1_000)).count();
        assert!((1_800..=2_200).contains(&held), "10% of 20,000 held out: {held}");
        let none = (0..1_000u128).filter(|i| in_control(c, ContactId::from(uuid::Uuid::from_u128(*i)), 0)).count();
        assert_eq!(none, 0);
        let one: ContactId = uuid::Uuid::from_u128(42).into();
        assert_eq!(in_control(c, one, 5_000), in_control(c, one, 5_000), "the same draw every time");
    }

    #[test]
    fn each_contact_gets_the_local_time_of_their_zone() {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let at = Utc.with_ymd_and_hms(2027, 3, 10, 12, 0, 0).unwrap();
        // Paris is at 13:00: tomorrow 09:00 there (08:00 UTC).
        assert_eq!(
            local_send_time(Some("Europe/Paris"), nine, at),
            Utc.with_ymd_and_hms(2027, 3, 11, 8, 0, 0).unwrap()
        );
        // New York is at 07:00 (EST): today 09:00 there (14:00 UTC).
        assert_eq!(
            local_send_time(Some("America/New_York"), nine, at),
            Utc.with_ymd_and_hms(2027, 3, 10, 14, 0, 0).unwrap()
        );
        // No zone, or an unknown one: UTC.
        assert_eq!(local_send_time(None, nine, at), Utc.with_ymd_and_hms(2027, 3, 11, 9, 0, 0).unwrap());
        assert_eq!(local_send_time(Some("Mars/Base"), nine, at), Utc.with_ymd_and_hms(2027, 3, 11, 9, 0, 0).unwrap());
        // 02:30 does not exist in New York on 14 March 2027 (clocks go forward): 03:30.
        let night = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let before = Utc.with_ymd_and_hms(2027, 3, 14, 5, 0, 0).unwrap();
        assert_eq!(
            local_send_time(Some("America/New_York"), night, before),
            Utc.with_ymd_and_hms(2027, 3, 14, 7, 30, 0).unwrap()
        );
    }
}

mod decisions {
    use domain::decisions::eligibility::{self, ContextTest, Eligibility};
    use domain::decisions::points::{iso_duration, response_window};
    use serde_json::json;

    #[test]
    fn response_windows_read_and_print_as_iso_8601() {
        for (raw, secs, shown) in [
            ("PT24H", 86_400, "PT24H"),
            ("P1D", 86_400, "PT24H"),
            ("P7D", 7 * 86_400, "P7D"),
            ("P2W", 14 * 86_400, "P14D"),
            ("PT1H30M", 5_400, "PT1H30M"),
            ("PT1M", 60, "PT1M"),
            ("P1DT12H", 129_600, "PT36H"),
        ] {
            assert_eq!(response_window("w", raw).unwrap(), secs, "{raw}");
            assert_eq!(iso_duration(secs), shown, "{raw}");
        }
        for raw in ["", "24h", "P1M", "P1Y", "PT59S", "P91D", "PT1.5S"] {
            assert!(response_window("w", raw).is_err(), "{raw} refused");
        }
    }

    #[test]
    fn context_tests_compare_like_values() {
        let ctx = json!({ "page": "/Cart", "basket": 42.5, "tags": ["new", "vip"], "member": true, "empty": null });
        let holds = |v: serde_json::Value| {
            let e = eligibility::parse(&v, &[], "e").unwrap();
            e.holds(&ctx, &mut |_| panic!("no contact test here"))
        };
        assert!(holds(json!({ "attribute": "context.page", "op": "eq", "value": "/Cart" })));
        assert!(!holds(json!({ "attribute": "context.page", "op": "eq", "value": "/cart" })));
        assert!(holds(json!({ "attribute": "context.page", "op": "contains", "value": "CART" })));
        assert!(holds(json!({ "attribute": "context.basket", "op": "gte", "value": 42.5 })));
        assert!(!holds(json!({ "attribute": "context.basket", "op": "gt", "value": 42.5 })));
        assert!(!holds(json!({ "attribute": "context.basket", "op": "lt", "value": "50" })), "text is not a number");
        assert!(holds(json!({ "attribute": "context.tags", "op": "contains", "value": "VIP" })));
        assert!(holds(json!({ "attribute": "context.member", "op": "in", "value": [true] })));
        assert!(!holds(json!({ "attribute": "context.empty", "op": "exists" })), "null is no value");
        assert!(holds(json!({ "attribute": "context.missing", "op": "exists", "value": false })));
        assert!(holds(json!({ "attribute": "context.missing", "op": "ne", "value": 1 })));
        assert!(!holds(json!({ "attribute": "context.missing", "op": "eq", "value": 1 })));
        assert!(holds(json!({ "any": [
            { "attribute": "context.page", "op": "eq", "value": "/home" },
            { "not": { "attribute": "context.basket", "op": "lt", "value": 10 } },
        ] })));
    }

    #[test]
    fn contact_tests_are_left_to_the_contact() {
        let fields = [];
        let e = eligibility::parse(
            &json!({ "all": [{ "attribute": "email", "op": "contains", "value": "@example.com" },
                             { "attribute": "context.page", "op": "eq", "value": "/" }] }),
            &fields,
            "eligibility",
        )
        .unwrap();
        assert_eq!(e.contact_rules().len(), 1);
        let ctx = json!({ "page": "/" });
        assert!(e.holds(&ctx, &mut |_| true));
        assert!(!e.holds(&ctx, &mut |_| false), "an anonymous visitor fails the contact's tests");
        match &e {
            Eligibility::All(parts) => {
                assert!(matches!(&parts[1], Eligibility::Context { name, test: ContextTest::Eq(_) } if name == "page"))
            }
            other => panic!("{other:?}"),
        }
        let err = eligibility::parse(
            &json!({ "all": [{ "attribute": "nope", "op": "eq", "value": 1 }] }),
            &fields,
            "eligibility",
        );
        match err {
            Err(domain::Error::Invalid { field, .. }) => assert_eq!(field, "eligibility.all[0].attribute"),
            other => panic!("{other:?}"),
        }
    }
}

mod arbitration {
    use domain::decisions::arbitrate::{Candidate, Mode, Stats, arbitrate, merge, mode_for};
    use domain::{OfferId, TypedId};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn offer(n: u128) -> OfferId {
        OfferId::from(uuid::Uuid::from_u128(n))
    }

    fn candidate(n: u128, weight: f64, margin: f64, trials: u64, successes: u64) -> Candidate {
        Candidate { offer: offer(n), rule: None, weight, margin, stats: Stats { trials, successes } }
    }

    #[test]
    fn the_interval_narrows_with_evidence_around_the_rate() {
        let few = Stats { trials: 10, successes: 1 }.interval();
        let many = Stats { trials: 10_000, successes: 1_000 }.interval();
        assert!(few.0 < 0.1 && few.1 > 0.1 && many.0 < 0.1 && many.1 > 0.1);
        assert!(many.1 - many.0 < (few.1 - few.0) / 10.0, "{few:?} {many:?}");
        assert!((many.1 - many.0 - 0.0118).abs() < 0.001, "a textbook width: {many:?}");
        assert_eq!(Stats::default().interval(), (0.0, 1.0));
        assert!((Stats { trials: 8, successes: 2 }.mean() - 0.3).abs() < 1e-12);
    }

    #[test]
    fn weight_value_and_evidence_make_the_score() {
        let mut rng = StdRng::seed_from_u64(7);
        // Certain rates (huge evidence): the draws sit on the means.
        let a = candidate(1, 1.0, 10.0, 1_000_000, 100_000); // 0.1 × 10 = 1.0
        let b = candidate(2, 3.0, 10.0, 1_000_000, 50_000); // 3 × 0.05 × 10 = 1.5
        let c = candidate(3, 1.0, 50.0, 1_000_000, 10_000); // 0.01 × 50 = 0.5
        let arb = arbitrate(vec![a, b, c], 2, Mode::Learned, &mut rng);
        let order: Vec<OfferId> = arb.ranked.iter().map(|s| s.offer).collect();
        assert_eq!(order, [offer(2), offer(1), offer(3)]);
        assert_eq!(arb.chosen().count(), 2);
        assert!((arb.ranked[0].score - 1.5).abs() < 0.05, "a draw near 3 × 0.05 × 10: {:?}", arb.ranked[0]);
        assert!(arb.ranked[2].reason.contains("below the 2 shown"), "{}", arb.ranked[2].reason);
        // No candidate has a value: the value term is 1 for all.
        let arb = arbitrate(vec![candidate(4, 1.0, 0.0, 100, 10)], 1, Mode::Learned, &mut rng);
        assert_eq!(arb.ranked[0].value, 1.0);
        assert!(!arb.ranked[0].reason.contains("still learning"), "100 trials are evidence enough");
        // A cost above the value ranks last.
        let loss = candidate(5, 1.0, -5.0, 1_000_000, 500_000);
        let gain = candidate(6, 1.0, 1.0, 1_000_000, 1_000);
        let arb = arbitrate(vec![loss, gain], 1, Mode::Learned, &mut rng);
        assert_eq!(arb.ranked[0].offer, offer(6));
    }

    #[test]
    fn one_offer_named_by_two_rules_counts_once_at_its_higher_weight() {
        let merged =
            merge(vec![candidate(1, 1.0, 1.0, 0, 0), candidate(1, 4.0, 1.0, 0, 0), candidate(2, 2.0, 1.0, 0, 0)]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged.iter().find(|c| c.offer == offer(1)).unwrap().weight, 4.0);
    }

    #[test]
    fn the_mode_follows_the_points_shares() {
        let counts = (0..10_000u32).fold([0; 3], |mut n, roll| {
            n[match mode_for(roll, 1_000, 500) {
                Mode::Holdout => 0,
                Mode::Explore => 1,
                Mode::Learned => 2,
            }] += 1;
            n
        });
        assert_eq!(counts, [1_000, 500, 8_500]);
        assert_eq!(mode_for(12, 0, 0), Mode::Learned);
    }

    /// A simulated shop: offers with known click rates; the learner, a uniform-random
    /// policy, each decision one presentation. The learner's regret (clicks lost against
    /// always showing the best) is a small part of random's, and it ends up showing the
    /// best offer most of the time.
    #[test]
    fn the_learner_finds_the_best_offer() {
        let rates = [0.02, 0.03, 0.05, 0.08, 0.04];
        let best = rates.iter().cloned().fold(0.0, f64::max);
        let mut rng = StdRng::seed_from_u64(42);
        let mut stats = [Stats::default(); 5];
        let (mut regret, mut random_regret, mut best_late) = (0.0, 0.0, 0);
        let rounds = 20_000;
        for round in 0..rounds {
            let cands: Vec<Candidate> = (0..5)
                .map(|i| Candidate { offer: offer(i as u128), rule: None, weight: 1.0, margin: 0.0, stats: stats[i] })
                .collect();
            let arb = arbitrate(cands, 1, Mode::Learned, &mut rng);
            let shown = arb.ranked[0].offer.uuid().as_u128() as usize;
            regret += best - rates[shown];
            random_regret += best - rates[rng.random_range(0..5)];
            stats[shown].trials += 1;
            if rng.random::<f64>() < rates[shown] {
                stats[shown].successes += 1;
            }
            if round >= rounds - 2_000 && shown == 3 {
                best_late += 1;
            }
        }
        assert!(regret < random_regret / 4.0, "learner {regret:.1} against random {random_regret:.1}");
        assert!(best_late > 1_400, "the best offer in {best_late} of the last 2,000");
    }
}

mod optimization {
    use std::collections::HashMap;

    use domain::decisions::optimize::{Constraints, Proposal, Refusal, optimize};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn p(contact: u32, offer: u32, channel: u16, value: f64, cost: f64) -> Proposal {
        Proposal { contact, offer, channel, value, cost }
    }

    /// Every constraint holds for the chosen set.
    fn holds(ps: &[Proposal], c: &Constraints, chosen: &[bool]) -> bool {
        let mut per_contact: HashMap<u32, u32> = c.shown.clone();
        let mut per_pair: HashMap<(u32, u32), u32> = c.shown_offer.clone();
        let mut per_offer: HashMap<u32, u64> = HashMap::new();
        let mut per_channel: HashMap<u16, u64> = HashMap::new();
        let mut cost = 0.0;
        let mut offers_of: HashMap<u32, Vec<u32>> = HashMap::new();
        for (p, _) in ps.iter().zip(chosen).filter(|(_, c)| **c) {
            *per_contact.entry(p.contact).or_default() += 1;
            *per_pair.entry((p.contact, p.offer)).or_default() += 1;
            *per_offer.entry(p.offer).or_default() += 1;
            *per_channel.entry(p.channel).or_default() += 1;
            cost += p.cost;
            offers_of.entry(p.contact).or_default().push(p.offer);
        }
        // What was shown before only has to leave room for what is chosen now.
        let chosen_to = |contact: u32| ps.iter().zip(chosen).filter(|(p, c)| **c && p.contact == contact).count();
        let contacts_ok =
            c.max_per_contact.is_none_or(|m| per_contact.iter().all(|(k, n)| *n <= m || chosen_to(*k) == 0));
        let pairs_ok = per_pair.iter().all(|((k, o), n)| {
            let now = ps.iter().zip(chosen).filter(|(p, c)| **c && p.contact == *k && p.offer == *o).count();
            c.offer_max_per_contact.get(o).is_none_or(|m| *n <= *m || now == 0)
        });
        let capacity_ok = c.offer_capacity.iter().all(|(o, m)| per_offer.get(o).copied().unwrap_or(0) <= *m);
        let contacts_ok = contacts_ok && pairs_ok && capacity_ok;
        let channels_ok = c.channel_capacity.iter().all(|(ch, m)| per_channel.get(ch).copied().unwrap_or(0) <= *m);
        let budget_ok = c.budget.is_none_or(|b| cost <= b + 1e-9);
        let exclusions_ok = offers_of
            .values()
            .all(|offers| c.exclusions.iter().all(|g| offers.iter().filter(|o| g.contains(o)).count() <= 1));
        contacts_ok && channels_ok && budget_ok && exclusions_ok
    }

    /// The best total value any subset reaches, by trying them all (small inputs only).
    fn best_by_hand(ps: &[Proposal], c: &Constraints) -> f64 {
        let mut best = 0.0f64;
        for mask in 0u32..(1 << ps.len()) {
            let chosen: Vec<bool> = (0..ps.len()).map(|i| mask & (1 << i) != 0).collect();
            if holds(ps, c, &chosen) {
                let v: f64 = ps.iter().zip(&chosen).filter(|(_, c)| **c).map(|(p, _)| p.value.max(0.0)).sum();
                best = best.max(v);
            }
        }
        best
    }

    #[test]
    fn each_contact_keeps_its_best_compatible_proposals() {
        let ps = [
            p(1, 10, 0, 5.0, 0.1),
            p(1, 11, 0, 9.0, 0.1),
            p(1, 12, 0, 7.0, 0.1),
            p(2, 10, 0, 1.0, 0.1),
            p(2, 11, 0, 2.0, 0.1),
            p(2, 13, 0, 0.0, 0.1),
        ];
        let c = Constraints { max_per_contact: Some(2), exclusions: vec![vec![11, 12]], ..Default::default() };
        let out = optimize(&ps, &c, |_| {});
        // Contact 1: 11 (9.0) excludes 12 (7.0); then 10 (5.0). Contact 2: both with value.
        assert_eq!(out.chosen, [true, true, false, true, true, false]);
        assert_eq!(out.total_value, 17.0);
        assert_eq!(out.refused.get(&Refusal::Exclusion), Some(&1));
        assert_eq!(out.refused.get(&Refusal::NoValue), Some(&1));
    }

    #[test]
    fn what_was_shown_before_counts_and_offers_keep_their_own_limits() {
        let ps = [
            p(1, 10, 0, 9.0, 0.0),
            p(1, 11, 0, 8.0, 0.0),
            p(2, 10, 0, 7.0, 0.0),
            p(2, 11, 0, 6.0, 0.0),
            p(3, 11, 0, 5.0, 0.0),
        ];
        let c = Constraints {
            max_per_contact: Some(2),
            // Contact 1 was shown one offer in the period: one place is left.
            shown: HashMap::from([(1, 1)]),
            // Offer 10 at most once per contact, and contact 2 has had it.
            offer_max_per_contact: HashMap::from([(10, 1)]),
            shown_offer: HashMap::from([((2, 10), 1)]),
            // Offer 11 has two presentations left.
            offer_capacity: HashMap::from([(11, 2)]),
            ..Default::default()
        };
        let out = optimize(&ps, &c, |_| {});
        // 9.0 (1/10) takes contact 1's last place; 8.0 (1/11) refused per contact; 7.0
        // (2/10) over the offer's limit; 6.0 and 5.0 take offer 11's capacity.
        assert_eq!(out.chosen, [true, false, false, true, true]);
        assert_eq!(out.refused.get(&Refusal::PerContact), Some(&1));
        assert_eq!(out.refused.get(&Refusal::OfferLimit), Some(&1));
        let full = Constraints { offer_capacity: HashMap::from([(11, 1)]), ..c };
        let out = optimize(&ps, &full, |_| {});
        assert_eq!(out.chosen, [true, false, false, true, false]);
        assert_eq!(out.refused.get(&Refusal::OfferCapacity), Some(&1));
    }

    #[test]
    fn capacity_and_budget_are_never_exceeded() {
        let ps = [p(1, 1, 0, 10.0, 5.0), p(2, 1, 0, 9.0, 1.0), p(3, 1, 1, 8.0, 1.0), p(4, 1, 1, 3.0, 1.0)];
        let c =
            Constraints { channel_capacity: HashMap::from([(1u16, 1u64)]), budget: Some(2.5), ..Default::default() };
        let out = optimize(&ps, &c, |_| {});
        // By value per cost: 9.0/1, 8.0/1 (channel 1 then full), 3.0/1 refused by capacity,
        // 10.0/5 refused by the budget.
        assert_eq!(out.chosen, [false, true, true, false]);
        assert_eq!(out.refused.get(&Refusal::ChannelCapacity), Some(&1));
        assert_eq!(out.refused.get(&Refusal::Budget), Some(&1));
        assert!(out.total_cost <= 2.5);
    }

    #[test]
    fn random_instances_hold_every_constraint_and_come_near_the_optimum() {
        let mut rng = StdRng::seed_from_u64(9);
        let mut ratio_sum = 0.0;
        let runs = 200;
        for _ in 0..runs {
            let n = rng.random_range(1..=12);
            let ps: Vec<Proposal> = (0..n)
                .map(|_| {
                    p(
                        rng.random_range(0..4),
                        rng.random_range(0..5),
                        rng.random_range(0..2),
                        rng.random_range(0.0..10.0),
                        rng.random_range(0.1..3.0),
                    )
                })
                .collect();
            let c = Constraints {
                max_per_contact: Some(rng.random_range(1..=3)),
                channel_capacity: HashMap::from([(0u16, rng.random_range(1..=6))]),
                budget: rng.random_bool(0.5).then(|| rng.random_range(2.0..12.0)),
                exclusions: vec![vec![0, 1], vec![2, 3, 4]],
                offer_max_per_contact: HashMap::from([(1, 1)]),
                offer_capacity: HashMap::from([(2, rng.random_range(0..=3))]),
                shown: HashMap::from([(0, rng.random_range(0..=2))]),
                shown_offer: HashMap::from([((1, 1), rng.random_range(0..=1))]),
            };
            let out = optimize(&ps, &c, |_| {});
            assert!(holds(&ps, &c, &out.chosen), "{ps:?} {c:?} {:?}", out.chosen);
            let best = best_by_hand(&ps, &c);
            assert!(out.total_value <= best + 1e-9);
            ratio_sum += if best > 0.0 { out.total_value / best } else { 1.0 };
            // Per-contact limits alone: the greedy order is optimal.
            let simple = Constraints { max_per_contact: c.max_per_contact, ..Default::default() };
            let greedy = optimize(&ps, &simple, |_| {}).total_value;
            assert!((greedy - best_by_hand(&ps, &simple)).abs() < 1e-9, "{ps:?}");
        }
        let mean = ratio_sum / f64::from(runs);
        assert!(mean > 0.9, "the heuristic's mean share of the optimum: {mean:.3}");
    }
}

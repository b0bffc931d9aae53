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

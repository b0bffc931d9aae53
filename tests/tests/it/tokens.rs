//! Access tokens that must be refused: expired, tampered, `alg: none`, wrong audience.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;

use crate::on_both;
use crate::support::*;

fn claims(acc: &Account, aud: &str, exp_offset: i64) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    let payload = URL_SAFE_NO_PAD.decode(acc.token.split('.').nth(1).unwrap()).unwrap();
    let mut c: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    c["aud"] = json!(aud);
    c["iat"] = json!(now - 3600);
    c["exp"] = json!(now + exp_offset);
    c
}

async fn forged_and_stale_tokens_are_unauthenticated(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    ok(app.gql(&acc.auth(), "{ me { id } }", json!({})).await);
    let key = EncodingKey::from_secret(JWT_SECRET.as_bytes());

    let expired = encode(&Header::new(Algorithm::HS256), &claims(&acc, "parley-api", -600), &key).unwrap();
    let wrong_aud = encode(&Header::new(Algorithm::HS256), &claims(&acc, "someone-else", 600), &key).unwrap();
    let other_key = encode(
        &Header::new(Algorithm::HS256),
        &claims(&acc, "parley-api", 600),
        &EncodingKey::from_secret(b"another-secret-another-secret-1234"),
    )
    .unwrap();
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims(&acc, "parley-api", 600).to_string())
    );
    let mut tampered = acc.token.clone();
    // Change one character of the payload: the signature no longer matches.
    let dot = tampered.find('.').unwrap() + 5;
    let c = tampered.as_bytes()[dot];
    tampered.replace_range(dot..dot + 1, if c == b'A' { "B" } else { "A" });

    for (name, token) in [
        ("expired", expired),
        ("wrong audience", wrong_aud),
        ("other key", other_key),
        ("alg none", none),
        ("tampered", tampered),
        ("garbage", "abc".into()),
    ] {
        let res = app.gql(&As::token(&token), "{ me { id } }", json!({})).await;
        assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"), "{name}: {res}");
        assert!(res["data"].is_null(), "{name}");
    }
    let none = app.gql(&As::anon(), "{ me { id } }", json!({})).await;
    assert_eq!(code(&none).as_deref(), Some("UNAUTHENTICATED"));
    // A malformed Authorization header is refused, not ignored.
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("Authorization", "Token abc")
        .json(&json!({ "query": "{ me { id } }" }))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"));
}

on_both!(forged_and_stale_tokens_are_unauthenticated);

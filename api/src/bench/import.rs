//! `parley bench --only import`: a generated CSV file of contacts (an email and ten
//! attributes of every kind) uploaded through `startContactImport` (GraphQL multipart)
//! and imported by the server's worker, timed until the import is `COMPLETED`; then
//! the same file again (every row unchanged). Beside it, in the same run, PostgreSQL's
//! own `COPY` of the same file into a plain table of text columns.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::{BenchArgs, Target, gql, peak_rss_mib};

/// The file's header: the identity and ten attributes.
const HEADER: &str = "email,visits,score,joined,last_order,plan,region,newsletter,vip,city,note";
const PLANS: [&str; 4] = ["Free", "Pro", "Team", "Enterprise"];
const REGIONS: [&str; 5] = ["North", "South", "East", "West", "Central"];
const CITIES: [&str; 6] = ["Lyon", "Porto", "Leeds", "Graz", "Turku", "Ghent"];
/// How often the import is looked at while it runs.
const POLL: Duration = Duration::from_millis(200);

/// What one import took.
struct Timed {
    upload: Duration,
    total: Duration,
    counts: [i64; 5],
}

/// Runs the import part against `t`.
pub(crate) async fn run(args: &BenchArgs, t: &Target<'_>, http: &reqwest::Client, token: &str) -> anyhow::Result<()> {
    let file = std::env::temp_dir().join(format!("parley-bench-import-{}.csv", uuid::Uuid::now_v7().simple()));
    let started = Instant::now();
    let bytes = write_file(&file, args.rows)?;
    println!(
        "file: {} rows, {:.0} MiB, written in {:.1} s",
        args.rows,
        bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );
    let res = measure(args, t, http, token, &file).await;
    let _ = std::fs::remove_file(&file);
    res
}

async fn measure(
    args: &BenchArgs,
    t: &Target<'_>,
    http: &reqwest::Client,
    token: &str,
    file: &Path,
) -> anyhow::Result<()> {
    define_fields(http, t.base, token).await?;
    let copy = copy_rows_per_s(args, t, file).await?;
    // Peak resident memory from here on (Linux: writing 5 to clear_refs resets VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let first = import(t, http, token, file).await?;
    let rss = peak_rss_mib();
    let second = import(t, http, token, file).await?;
    let rate = |d: Duration| args.rows as f64 / d.as_secs_f64().max(1e-9);
    println!("COPY … FROM STDIN (csv) into 11 text columns (PostgreSQL, psql \\copy): {:>9.0} rows/s", copy);
    println!(
        "import:       {:>9.0} rows/s  ({:.1} s in all; upload and store {:.1} s)  \
         read/imported/updated/unchanged/rejected {:?}  peak RSS {:.0} MiB (server and load generator)",
        rate(first.total),
        first.total.as_secs_f64(),
        first.upload.as_secs_f64(),
        first.counts,
        rss
    );
    println!(
        "import again: {:>9.0} rows/s  ({:.1} s in all; upload and store {:.1} s)  \
         read/imported/updated/unchanged/rejected {:?}",
        rate(second.total),
        second.total.as_secs_f64(),
        second.upload.as_secs_f64(),
        second.counts
    );
    println!(
        "ratio import / COPY: {:.3}  (aim: 0.5); again / COPY: {:.3}",
        rate(first.total) / copy.max(1.0),
        rate(second.total) / copy.max(1.0)
    );
    Ok(())
}

/// Writes `rows` contacts as CSV to `path`; answers the file's size.
fn write_file(path: &Path, rows: u64) -> anyhow::Result<u64> {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(w, "{HEADER}")?;
    for n in 0..rows {
        let pick = |options: &[&'static str], salt: u64| {
            let i = usize::try_from((n / 3 + salt) % options.len() as u64).unwrap_or(0);
            options.get(i).copied().unwrap_or_default()
        };
        let day = |from_year: u64, spread: u64| {
            let d = (n * 7 + spread) % 365;
            let (month, day) = (1 + d / 31 % 12, 1 + d % 28);
            format!("{}-{month:02}-{day:02}", from_year + n % 5)
        };
        writeln!(
            w,
            "contact{n}@example.com,{},{:.2},{},{},{},{},{},{},{},\"Note {n}, with a comma\"",
            n % 50,
            (n % 1000) as f64 / 7.0,
            day(2019, 0),
            day(2024, 3),
            pick(&PLANS, 0),
            pick(&REGIONS, 1),
            n % 2 == 0,
            if n % 10 == 0 { "yes" } else { "no" },
            pick(&CITIES, 2),
        )?;
    }
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// The import's mapping: every column to its attribute, with consent to email.
fn options() -> Value {
    let columns: Vec<Value> = [
        ("visits", "NUMBER"),
        ("score", "NUMBER"),
        ("joined", "DATE"),
        ("last_order", "DATE"),
        ("plan", "ENUM"),
        ("region", "ENUM"),
        ("newsletter", "BOOLEAN"),
        ("vip", "BOOLEAN"),
        ("city", "STRING"),
        ("note", "STRING"),
    ]
    .iter()
    .map(|(c, kind)| json!({ "column": c, "attribute": c, "type": kind }))
    .collect();
    json!({ "identityColumn": "email", "identityKind": "EMAIL", "columns": columns,
            "consents": [{ "channel": "EMAIL", "status": "GRANTED" }] })
}

/// Defines the enum fields (an import defines the others from its mapping).
async fn define_fields(http: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<()> {
    let define = "mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { id } }";
    for (key, options) in [("plan", &PLANS[..]), ("region", &REGIONS[..])] {
        let input = json!({ "key": key, "label": key, "kind": "ENUM", "options": options });
        gql(http, base, token, define, json!({ "i": input })).await?;
    }
    Ok(())
}

/// Uploads `file`, follows the import every [`POLL`] until it completes.
async fn import(t: &Target<'_>, http: &reqwest::Client, token: &str, file: &Path) -> anyhow::Result<Timed> {
    let started = Instant::now();
    let res = upload(t.addr, token, file).await?;
    let upload = started.elapsed();
    let id = res["data"]["startContactImport"]["id"]
        .as_str()
        .with_context(|| format!("the import did not start: {res}"))?
        .to_owned();
    let q = "query($id: ID!) { contactImport(id: $id) { status error \
             rowsRead rowsImported rowsUpdated rowsUnchanged rowsRejected } }";
    loop {
        tokio::time::sleep(POLL).await;
        let imp = gql(http, t.base, token, q, json!({ "id": id })).await?["contactImport"].clone();
        match imp["status"].as_str() {
            Some("COMPLETED") => {
                let counts = ["rowsRead", "rowsImported", "rowsUpdated", "rowsUnchanged", "rowsRejected"]
                    .map(|k| imp[k].as_i64().unwrap_or(-1));
                return Ok(Timed { upload, total: started.elapsed(), counts });
            }
            Some("FAILED") => anyhow::bail!("the import failed: {imp}"),
            _ => {}
        }
    }
}

/// Posts `startContactImport` as a GraphQL multipart request whose file part streams
/// from disk (the file is never held in memory here); answers the response's JSON.
async fn upload(addr: std::net::SocketAddr, token: &str, file: &Path) -> anyhow::Result<Value> {
    let boundary = format!("parley{}", uuid::Uuid::now_v7().simple());
    let query =
        "mutation($file: Upload!, $o: ContactImportOptions!) { startContactImport(file: $file, options: $o) { id } }";
    let ops = json!({ "query": query, "variables": { "file": null, "o": options() } });
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{ops}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\": [\"variables.file\"]}}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"contacts.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let length = head.len() as u64 + std::fs::metadata(file)?.len() + tail.len() as u64;
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\
         Connection: close\r\n\r\n{head}"
    );
    s.write_all(request.as_bytes()).await?;
    let mut f = tokio::fs::File::open(file).await?;
    tokio::io::copy(&mut f, &mut s).await?;
    s.write_all(tail.as_bytes()).await?;
    let mut response = Vec::new();
    s.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response);
    // The JSON body, whether sent whole or in one chunk.
    let body = match (text.find("\r\n\r\n{"), text.rfind('}')) {
        (Some(a), Some(b)) if b > a => text.get(a + 4..=b).unwrap_or_default(),
        _ => anyhow::bail!("no JSON in the response: {text}"),
    };
    Ok(serde_json::from_str(body)?)
}

/// Loads `file` with `COPY … FROM STDIN (FORMAT csv, HEADER)` into a plain table of 11
/// text columns in a PostgreSQL database (the server's own on PostgreSQL, a scratch one
/// beside it on SQLite); answers rows per second.
async fn copy_rows_per_s(args: &BenchArgs, t: &Target<'_>, file: &Path) -> anyhow::Result<f64> {
    let url = if t.backend == "postgres" {
        t.url.to_owned()
    } else {
        domain::db::scratch_database(&args.postgres_url, "parley_bench_copy")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
    };
    let url = without_tls(&url);
    let columns: Vec<String> = HEADER.split(',').map(|c| format!("{c} text")).collect();
    psql(&url, &format!("CREATE TABLE copy_bench ({})", columns.join(", "))).await?;
    let started = Instant::now();
    psql(&url, &format!("\\copy copy_bench FROM '{}' WITH (FORMAT csv, HEADER)", file.display())).await?;
    let took = started.elapsed();
    psql(&url, "DROP TABLE copy_bench").await?;
    if t.backend != "postgres" {
        domain::db::drop_scratch_database(&args.postgres_url, &url, "parley_bench_copy")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(args.rows as f64 / took.as_secs_f64().max(1e-9))
}

/// `url` with TLS off, as the server's own pool connects to a local database.
pub(crate) fn without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// Runs one command with `psql` (installed beside PostgreSQL).
pub(crate) async fn psql(url: &str, command: &str) -> anyhow::Result<()> {
    let out = tokio::process::Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-q", "-c", command])
        .output()
        .await
        .context("running psql")?;
    if !out.status.success() {
        anyhow::bail!("psql {command}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

//! A small SMTP server the tests start: it speaks enough of RFC 5321 for a real client
//! (lettre) to deliver to it, and keeps what it receives. Written here because the
//! crates that embed an SMTP server are thread-based or far larger than this need;
//! it can be stopped and restarted on the same port to play an outage.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// One received message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// The decoded text of the message (quoted-printable soft breaks undone).
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }
    /// The first link in the message that contains `path`.
    pub fn link(&self, path: &str) -> Option<String> {
        let text = self.text();
        let start = text.find("http")?;
        let rest = &text[start..];
        rest.split(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .find(|s| s.contains(path))
            .map(|s| s.trim_end_matches(['.', ')']).to_owned())
            .or_else(|| {
                text.split(|c: char| c.is_whitespace() || c == '"' || c == '<')
                    .find(|s| s.starts_with("http") && s.contains(path))
                    .map(str::to_owned)
            })
    }
}

/// How the server answers: recipients it refuses, and a pause before each acceptance.
#[derive(Default)]
struct Rules {
    /// Address (lower case) → the reply line to a `RCPT TO` for it (`550 5.1.1 …`).
    refusals: Mutex<HashMap<String, String>>,
    /// Milliseconds to wait before accepting each message (a slow server).
    delay_ms: AtomicU64,
}

/// The test SMTP server.
pub struct SmtpServer {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
    rules: Arc<Rules>,
    task: Mutex<Option<JoinHandle<()>>>,
    sessions: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl SmtpServer {
    /// Starts on a free port.
    pub async fn start() -> Arc<SmtpServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let s = Arc::new(SmtpServer {
            addr,
            inbox: Arc::default(),
            arrived: Arc::default(),
            rules: Arc::default(),
            task: Mutex::new(None),
            sessions: Arc::default(),
        });
        s.serve(listener);
        s
    }

    fn serve(&self, listener: TcpListener) {
        let inbox = self.inbox.clone();
        let arrived = self.arrived.clone();
        let rules = self.rules.clone();
        let sessions = self.sessions.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let inbox = inbox.clone();
                let arrived = arrived.clone();
                let rules = rules.clone();
                let s = tokio::spawn(async move {
                    let _ = session(sock, inbox, arrived, rules).await;
                });
                sessions.lock().unwrap().push(s);
            }
        });
        *self.task.lock().unwrap() = Some(task);
    }

    /// Goes down: open connections drop and new ones are refused.
    pub fn stop(&self) {
        if let Some(t) = self.task.lock().unwrap().take() {
            t.abort();
        }
        for s in self.sessions.lock().unwrap().drain(..) {
            s.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }

    /// `smtp://` URL for Parley's configuration.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Answers `RCPT TO:<addr>` with `reply` (like `550 5.1.1 no such user`) from now on.
    pub fn refuse(&self, addr: &str, reply: &str) {
        self.rules.refusals.lock().unwrap().insert(addr.to_lowercase(), reply.to_owned());
    }

    /// Waits `ms` before accepting each message from now on.
    pub fn slow_down(&self, ms: u64) {
        self.rules.delay_ms.store(ms, Ordering::Relaxed);
    }

    /// Everything received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Messages to `to`.
    pub fn to(&self, to: &str) -> Vec<Received> {
        self.messages().into_iter().filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to))).collect()
    }
}

async fn session(
    sock: TcpStream,
    inbox: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
    rules: Arc<Rules>,
) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 test-smtp ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        let upper = cmd.to_uppercase();
        if upper.starts_with("EHLO") {
            w.write_all(b"250-test-smtp\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await?;
        } else if upper.starts_with("HELO") {
            w.write_all(b"250 test-smtp\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = addr(&cmd[10..]);
            to.clear();
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = addr(&cmd[8..]);
            let refusal = rules.refusals.lock().unwrap().get(&rcpt.to_lowercase()).cloned();
            match refusal {
                Some(reply) => w.write_all(format!("{reply}\r\n").as_bytes()).await?,
                None => {
                    to.push(rcpt);
                    w.write_all(b"250 OK\r\n").await?;
                }
            }
        } else if upper == "DATA" {
            w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
            }
            let delay = rules.delay_ms.load(Ordering::Relaxed);
            if delay > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
            }
            inbox.lock().unwrap().push(Received { from: from.clone(), to: to.clone(), data });
            arrived.notify_waiters();
            w.write_all(b"250 OK queued\r\n").await?;
        } else if upper == "QUIT" {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            w.write_all(b"250 OK\r\n").await?;
        } else {
            w.write_all(b"502 not implemented\r\n").await?;
        }
    }
}

fn addr(s: &str) -> String {
    s.trim().trim_start_matches('<').split('>').next().unwrap_or("").to_owned()
}

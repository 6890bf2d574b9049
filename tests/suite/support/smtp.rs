//! A real SMTP server on loopback for the e-mail tests: `tests/smtp/server.py`
//! (Python's aiosmtpd) in a child process, one per test.
//!
//! ```ignore
//! let smtp = SmtpServer::start(SmtpOptions::default());
//! config.email.transport = MailTransport::Smtp(smtp.url());
//! // … make the plugin send …
//! let mails = smtp.wait_for(1, Duration::from_secs(10)).await;
//! assert_eq!(mails[0].subject, "…");
//! ```
//!
//! Each accepted message is a JSON file in the server's own temporary
//! folder; [`SmtpServer::received`] reads them back in arrival order and
//! parses the MIME with `mail-parser`. The process stops when the
//! [`SmtpServer`] is dropped (or when the test binary dies: it also exits
//! when its stdin closes).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use mail_parser::{HeaderName, MessageParser, PartType};

/// How long the server may take to print `READY <port>`.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a stopped server may take to exit before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(3);
/// How long [`SmtpServer::start_on`] retries a port that is still held.
const BIND_RETRY: Duration = Duration::from_secs(1);

const INSTALL_HINT: &str = "The e-mail tests need python3 with aiosmtpd: \
     from the repository root run `pip install -r tests/smtp/requirements.txt` \
     (Debian: `apt-get install python3 python3-pip` first)";

/// How the server misbehaves, if at all.
#[derive(Debug, Clone, Default)]
pub struct SmtpOptions {
    /// Answer the first N messages with `451 4.3.0 Try again later`.
    pub fail_4xx: u32,
    /// Answer every message with `550 5.1.1 Mailbox unavailable`.
    pub fail_5xx: bool,
    /// Answer `RCPT TO` for these addresses with 550; accept the others.
    pub fail_5xx_rcpt: Vec<String>,
}

impl SmtpOptions {
    /// A server that refuses the first `n` messages with a transient 451.
    pub fn fail_4xx(n: u32) -> Self {
        SmtpOptions {
            fail_4xx: n,
            ..SmtpOptions::default()
        }
    }

    /// A server that refuses every message with a permanent 550.
    pub fn fail_5xx() -> Self {
        SmtpOptions {
            fail_5xx: true,
            ..SmtpOptions::default()
        }
    }

    /// A server that refuses this one recipient with a permanent 550.
    pub fn fail_5xx_rcpt(address: &str) -> Self {
        SmtpOptions {
            fail_5xx_rcpt: vec![address.to_owned()],
            ..SmtpOptions::default()
        }
    }
}

/// One message the server accepted.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients the server accepted (`RCPT TO`).
    pub to: Vec<String>,
    /// The decoded Subject header ("" when there is none).
    pub subject: String,
    /// Every header of the message, in order, RFC 2047 words decoded and
    /// folded lines joined.
    pub headers: Vec<(String, String)>,
    /// The `text/plain` body, if the message has one (decoded, `\n` line
    /// ends).
    pub text: Option<String>,
    /// The `text/html` body, if the message has one (decoded, `\n` line
    /// ends).
    pub html: Option<String>,
    /// The message exactly as it came over `DATA`.
    pub raw: String,
    /// When the server accepted it (UTC, ISO 8601).
    pub received_at: String,
}

impl ReceivedMail {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header called `name` (any case), in order.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn parse(file: &Path) -> ReceivedMail {
        #[derive(serde::Deserialize)]
        struct Stored {
            mail_from: String,
            rcpt_tos: Vec<String>,
            raw: String,
            received_at: String,
        }
        let json = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let stored: Stored = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("{} is not a stored message: {e}", file.display()));

        let message = MessageParser::default()
            .parse(stored.raw.as_bytes())
            .unwrap_or_else(|| panic!("{} holds no parsable message", file.display()));
        // A second pass reads every header as text, whatever its kind.
        let as_text = MessageParser::new()
            .header_text(HeaderName::Subject)
            .default_header_text()
            .parse(stored.raw.as_bytes())
            .unwrap_or_else(|| panic!("{} holds no parsable message", file.display()));
        let headers = as_text
            .headers()
            .iter()
            .map(|h| {
                let value = h.value().as_text().unwrap_or_default();
                (h.name().to_owned(), value.trim().to_owned())
            })
            .collect();
        let text = message
            .text_bodies()
            .find(|part| matches!(part.body, PartType::Text(_)))
            .and_then(|part| part.text_contents())
            .map(unix_lines);
        let html = message
            .html_bodies()
            .find(|part| matches!(part.body, PartType::Html(_)))
            .and_then(|part| part.text_contents())
            .map(unix_lines);

        ReceivedMail {
            from: stored.mail_from,
            to: stored.rcpt_tos,
            subject: message.subject().unwrap_or_default().to_owned(),
            headers,
            text,
            html,
            raw: stored.raw,
            received_at: stored.received_at,
        }
    }
}

/// Bodies travel with CRLF line ends; tests compare them with `\n`.
fn unix_lines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// `tests/smtp/server.py` running on 127.0.0.1; stopped on drop.
pub struct SmtpServer {
    child: Option<Child>,
    port: u16,
    options: SmtpOptions,
    out: tempfile::TempDir,
    stderr: Arc<Mutex<String>>,
}

impl SmtpServer {
    /// Starts a server on a free port. Panics, saying how to install what is
    /// missing, when python3 or aiosmtpd is not there.
    pub fn start(options: SmtpOptions) -> SmtpServer {
        SmtpServer::start_on(0, options)
    }

    /// Starts a server on `port` (0: any free port), e.g. the port of a
    /// server stopped earlier or one from [`free_port`] that the code under
    /// test was already told about.
    pub fn start_on(port: u16, options: SmtpOptions) -> SmtpServer {
        let out = tempfile::Builder::new()
            .prefix("storechat-smtp-")
            .tempdir()
            .expect("a temporary folder for received mail");
        let mut server = SmtpServer {
            child: None,
            port,
            options,
            out,
            stderr: Arc::default(),
        };
        server.launch();
        server
    }

    /// The port it listens on (also after [`SmtpServer::stop`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:PORT`: plain SMTP, no TLS, no credentials.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The folder the received messages are written to.
    pub fn out_dir(&self) -> &Path {
        self.out.path()
    }

    /// True while the server process runs.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Stops the server (its port then refuses connections); what it
    /// received stays readable. Does nothing when it is not running.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // Closing stdin makes the server stop cleanly (`--exit-on-stdin-eof`).
        drop(child.stdin.take());
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            match child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(_) => break,
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts it again after [`SmtpServer::stop`]: same port, same options,
    /// same folder (earlier messages stay in [`SmtpServer::received`]).
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// Every message received so far, in arrival order.
    pub fn received(&self) -> Vec<ReceivedMail> {
        let entries = std::fs::read_dir(self.out.path()).unwrap_or_else(|e| {
            panic!(
                "cannot list the SMTP server's folder {}: {e}",
                self.out.path().display()
            )
        });
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                // Temporary files start with a dot until they are renamed.
                !name.starts_with('.') && name.ends_with(".json")
            })
            .collect();
        files.sort();
        files.iter().map(|file| ReceivedMail::parse(file)).collect()
    }

    /// Waits until at least `n` messages have arrived and returns all of
    /// them; panics after `timeout` naming what did arrive.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let mails = self.received();
            if mails.len() >= n {
                return mails;
            }
            if Instant::now() >= deadline {
                let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
                panic!(
                    "expected {n} e-mail(s) at {} within {timeout:?}, got {}: {subjects:?}{}",
                    self.url(),
                    mails.len(),
                    self.stderr_note()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn launch(&mut self) {
        let deadline = Instant::now() + BIND_RETRY;
        loop {
            match self.try_launch() {
                Ok(()) => return,
                // A port just released may still be held for a moment.
                Err(Launch::PortBusy(_)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(Launch::PortBusy(why) | Launch::Failed(why)) => panic!("{why}"),
            }
        }
    }

    fn try_launch(&mut self) -> Result<(), Launch> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp/server.py");
        let python = std::env::var("STORECHAT_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut command = Command::new(&python);
        command
            .arg(&script)
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--out")
            .arg(self.out.path())
            .arg("--exit-on-stdin-eof")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.options.fail_4xx > 0 {
            command
                .arg("--fail-4xx")
                .arg(self.options.fail_4xx.to_string());
        }
        if self.options.fail_5xx {
            command.arg("--fail-5xx");
        }
        for address in &self.options.fail_5xx_rcpt {
            command.arg("--fail-5xx-rcpt").arg(address);
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Launch::Failed(format!(
                    "cannot start the SMTP test server: `{python}` was not found. {INSTALL_HINT}"
                )));
            }
            Err(e) => {
                return Err(Launch::Failed(format!(
                    "cannot start the SMTP test server ({python} {}): {e}",
                    script.display()
                )));
            }
        };

        let stderr = Arc::new(Mutex::new(String::new()));
        self.stderr = stderr.clone();
        if let Some(pipe) = child.stderr.take() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(pipe);
                let mut line = String::new();
                while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
                    stderr
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push_str(&line);
                    line.clear();
                }
            });
        }
        let (ready_tx, ready_rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("the server's stdout is piped");
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let ready = match reader.read_line(&mut line) {
                Ok(n) if n > 0 => line
                    .trim()
                    .strip_prefix("READY ")
                    .and_then(|port| port.parse::<u16>().ok()),
                _ => None,
            };
            let _ = ready_tx.send(ready);
            // Keep draining so the server never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });

        let outcome = ready_rx.recv_timeout(START_TIMEOUT);
        if let Ok(Some(port)) = outcome {
            self.port = port;
            self.child = Some(child);
            return Ok(());
        }
        // It did not come up: stop it and say why.
        let _ = child.kill();
        let status = child.wait().ok().and_then(|s| s.code());
        // Give the stderr reader a moment to collect the last lines.
        std::thread::sleep(Duration::from_millis(50));
        let log = self.stderr_note();
        match (outcome, status) {
            (Err(_), _) => Err(Launch::Failed(format!(
                "the SMTP test server did not print READY within {START_TIMEOUT:?}{log}"
            ))),
            (_, Some(3)) => Err(Launch::Failed(format!(
                "the SMTP test server cannot import aiosmtpd. {INSTALL_HINT}{log}"
            ))),
            (_, Some(4)) => Err(Launch::PortBusy(format!(
                "the SMTP test server cannot listen on 127.0.0.1:{}{log}",
                self.port
            ))),
            (_, status) => Err(Launch::Failed(format!(
                "the SMTP test server exited before it was ready (exit code {status:?}). {INSTALL_HINT}{log}"
            ))),
        }
    }

    fn stderr_note(&self) -> String {
        let log = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        if log.trim().is_empty() {
            String::new()
        } else {
            format!("\n--- server stderr ---\n{}", log.trim_end())
        }
    }
}

enum Launch {
    PortBusy(String),
    Failed(String),
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port nothing listens on right now (the OS picks it; another process
/// could take it before it is used, which on loopback in a test is rare).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

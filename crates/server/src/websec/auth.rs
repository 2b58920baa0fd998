//! The layer every request passes through when `--web.config.file` is given: the rate limit,
//! HTTP basic authentication against bcrypt hashes, and the configured response headers.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::WebSecurity;

/// The axum middleware: answers 429 past the rate limit and 401 (with `WWW-Authenticate:
/// Basic`) without valid credentials, and adds the configured headers to every response.
pub async fn middleware(State(sec): State<Arc<WebSecurity>>, req: Request, next: Next) -> Response {
    let active = sec.active();
    let mut resp = if active.limiter.as_ref().is_some_and(|l| !l.allow()) {
        (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests\n").into_response()
    } else if active.users.is_empty() || authorized(&sec.passwords, &active.users, req.headers()).await {
        next.run(req).await
    } else {
        let mut r = (StatusCode::UNAUTHORIZED, "Unauthorized\n").into_response();
        r.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic"));
        r
    };
    for (name, value) in &active.headers {
        if !resp.headers().contains_key(name) {
            resp.headers_mut().insert(name.clone(), value.clone());
        }
    }
    resp
}

async fn authorized(check: &PasswordCheck, users: &BTreeMap<String, String>, headers: &HeaderMap) -> bool {
    match basic_credentials(headers) {
        Some((user, password)) => check.verify(users, &user, &password).await,
        None => false,
    }
}

/// `Authorization: Basic base64(user:password)`, as Go's `Request.BasicAuth` reads it (the
/// scheme is case-insensitive; the password may contain colons).
pub fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case("basic ") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// A bcrypt hash (cost 10, the usual) of a password nobody knows, made once: checked for
/// unknown users so that the answer takes as long as for known ones and does not reveal
/// which users exist.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let secret = format!("{:?}{:?}", Instant::now(), std::thread::current().id());
        bcrypt::hash(secret, bcrypt::DEFAULT_COST).unwrap_or_default()
    })
}

/// How long a checked (user, hash, password) outcome is remembered.
const CACHE_TTL: Duration = Duration::from_secs(300);
const CACHE_MAX: usize = 1024;

/// Checks passwords against bcrypt hashes. bcrypt is slow on purpose (tens of milliseconds at
/// cost 10), so outcomes are cached briefly under a SHA-256 of user, hash and password (never
/// the password itself); a changed hash or a removed user misses the cache. One bcrypt runs at
/// a time, on a blocking thread, as exporter-toolkit serialises them.
pub struct PasswordCheck {
    cache: Mutex<HashMap<[u8; 32], (bool, Instant)>>,
    bcrypt: tokio::sync::Semaphore,
}

impl Default for PasswordCheck {
    fn default() -> Self {
        PasswordCheck { cache: Mutex::new(HashMap::new()), bcrypt: tokio::sync::Semaphore::new(1) }
    }
}

impl PasswordCheck {
    pub async fn verify(&self, users: &BTreeMap<String, String>, user: &str, password: &str) -> bool {
        let (hash, known) = match users.get(user) {
            Some(h) => (Some(h.as_str()), true),
            None => (None, false),
        };
        let key = cache_key(user, hash.unwrap_or(""), password);
        if let Some(ok) = self.cached(&key) {
            return ok && known;
        }
        let ok = {
            let _permit = self.bcrypt.acquire().await;
            // Go's bcrypt refuses passwords over 72 bytes instead of truncating them.
            if password.len() > 72 {
                false
            } else {
                let (password, hash) = (password.to_string(), hash.map(str::to_string));
                tokio::task::spawn_blocking(move || {
                    let hash = match &hash {
                        Some(h) => h.as_str(),
                        None => dummy_hash(),
                    };
                    bcrypt::verify(password, hash).unwrap_or(false)
                })
                .await
                .unwrap_or(false)
            }
        };
        self.remember(key, ok);
        ok && known
    }

    fn cached(&self, key: &[u8; 32]) -> Option<bool> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.get(key).filter(|(_, at)| at.elapsed() < CACHE_TTL).map(|(ok, _)| *ok)
    }

    fn remember(&self, key: [u8; 32], ok: bool) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_MAX {
            cache.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(key, (ok, Instant::now()));
    }

    #[cfg(test)]
    pub fn cache_len(&self) -> usize {
        self.cache.lock().unwrap().len()
    }
}

fn cache_key(user: &str, hash: &str, password: &str) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for part in [user, hash, password] {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// `rate_limit`: a token bucket of `burst` tokens, one added every `interval`, shared by all
/// clients (as in exporter-toolkit); requests without a token get 429.
pub struct RateLimiter {
    burst: f64,
    interval: Duration,
    state: Mutex<(f64, Instant)>,
}

impl RateLimiter {
    pub fn new(burst: u32, interval: Duration) -> Self {
        RateLimiter { burst: f64::from(burst), interval, state: Mutex::new((f64::from(burst), Instant::now())) }
    }

    pub fn allow(&self) -> bool {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let refill = now.duration_since(s.1).as_secs_f64() / self.interval.as_secs_f64();
        s.0 = (s.0 + refill).min(self.burst);
        s.1 = now;
        if s.0 >= 1.0 {
            s.0 -= 1.0;
            true
        } else {
            false
        }
    }
}

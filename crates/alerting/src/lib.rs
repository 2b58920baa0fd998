//! Vigil's built-in Alertmanager with Alertmanager 0.25's semantics: alertmanager.yml
//! ([`config`]), the route tree ([`route`]), aggregation groups and their timers ([`dispatch`]),
//! the notification pipeline ([`notify`]), silences ([`silence`]), inhibition ([`inhibit`]),
//! time intervals ([`timeinterval`]), the notification log ([`nflog`]) and the alert store
//! ([`store`]), tied together by [`Alertmanager`]. HTTP, JSON shaping and the integrations
//! themselves live elsewhere (`server`, `receivers`).
//!
//! # Beyond Alertmanager
//!
//! Three features Alertmanager lacks, each in a module of its own whose documentation gives
//! the semantics chosen:
//!
//! - [`ack`]: acknowledging an alert group ([`Alertmanager::acknowledge`]) stops its repeat
//!   notifications and its escalation until it resolves, the ack expires or is withdrawn;
//!   changes (a new alert) are still notified.
//! - [`escalation`]: policies of receivers notified after delays while a group fires
//!   unacknowledged (seed 002's on-call → team lead after 15 min → manager after 30 min).
//! - [`recurring`]: silences that come back with every window of their time intervals, each
//!   window materialized as an ordinary silence amtool can see.
//!
//! The last two are configured under a top-level `vigil:` key of alertmanager.yml
//! ([`config::vigil`]), which `/api/v2/status` does not show ([`config::strip`]) because
//! Alertmanager's own loader, which `amtool config routes` uses on it, would reject it.
//!
//! # Modules
//!
//! - State and API: [`manager`] (the [`Alertmanager`]), [`views`] (what the API reads),
//!   [`clock`] (wall clock or [`ManualClock`] for tests).
//! - Configuration: [`config`] (with [`config::vigil`] and [`config::strip`]), [`duration`],
//!   [`matchers`], [`timeinterval`], [`tz`], [`civil`].
//! - Alerts and routing: [`alert`], [`labels`], [`store`], [`route`], [`dispatch`],
//!   [`inhibit`], [`silence`], [`recurring`].
//! - Notifying: [`notify`], [`nflog`], [`ack`], [`escalation`].
//! - On disk: [`persist`] (atomic snapshots: `alerts.json`, `silences.json`, `nflog.json`,
//!   `acks.json`, `escalations.json`), [`uuid`].

pub mod ack;
pub mod alert;
pub mod civil;
pub mod clock;
pub mod config;
pub mod dispatch;
pub mod duration;
pub mod escalation;
pub mod inhibit;
pub mod labels;
pub mod manager;
pub mod matchers;
pub mod nflog;
pub mod notify;
pub mod persist;
pub mod recurring;
pub mod route;
pub mod silence;
pub mod store;
pub mod timeinterval;
pub mod tz;
pub mod uuid;
pub mod views;

pub use ack::{AckError, AckView, GroupRef};
pub use alert::{Alert, InvalidAlert, PostableAlert, RejectedAlerts};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, ConfigError, VigilConfig, load_file, load_str};
pub use escalation::EscalationView;
pub use manager::{Alertmanager, FlushReport, Options, StartError};
pub use matchers::{MatchOp, Matcher, parse_matcher, parse_matchers};
pub use notify::{Notification, NotificationAlert, Notify, NotifyFailure, NotifyFuture};
pub use persist::PersistError;
pub use silence::{PostableSilence, SilenceError, SilenceState};
pub use views::{AlertFilter, AlertState, AlertView, GroupView, SilenceView, StatusView};

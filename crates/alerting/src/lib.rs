//! Vigil's built-in Alertmanager with Alertmanager 0.25's semantics: alertmanager.yml
//! ([`config`]), the route tree ([`route`]), aggregation groups and their timers ([`dispatch`]),
//! the notification pipeline ([`notify`]), silences ([`silence`]), inhibition ([`inhibit`]),
//! time intervals ([`timeinterval`]), the notification log ([`nflog`]) and the alert store
//! ([`store`]), tied together by [`Alertmanager`]. HTTP, JSON shaping and the integrations
//! themselves live elsewhere (`server`, `receivers`).

pub mod alert;
pub mod civil;
pub mod clock;
pub mod config;
pub mod dispatch;
pub mod duration;
pub mod inhibit;
pub mod labels;
pub mod manager;
pub mod matchers;
pub mod nflog;
pub mod notify;
pub mod persist;
pub mod route;
pub mod silence;
pub mod store;
pub mod timeinterval;
pub mod tz;
pub mod uuid;
pub mod views;

pub use alert::{Alert, PostableAlert};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, ConfigError, load_file, load_str};
pub use manager::{Alertmanager, FlushReport, Options, StartError};
pub use matchers::{MatchOp, Matcher, parse_matcher, parse_matchers};
pub use notify::{Notification, NotificationAlert, Notify, NotifyFuture};
pub use silence::{PostableSilence, SilenceError, SilenceState};
pub use views::{AlertFilter, AlertState, AlertView, GroupView, SilenceView, StatusView};

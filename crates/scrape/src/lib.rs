//! Scraping like Prometheus.
//!
//! [`config`] reads the scrape part of prometheus.yml; [`discovery`] turns static and file
//! service discovery into target groups; [`target`] applies `relabel_configs` ([`relabel`]) to
//! make targets; the [`manager`] runs one scrape loop per target, which fetches with
//! [`client`], parses with the `exposition` crate and appends to the TSDB, writing staleness
//! markers and the synthetic `up`/`scrape_*` series. The crate never serves HTTP: the server
//! crate reads [`manager::ScrapeManager`]'s status for the targets and metadata APIs.

pub mod client;
pub mod config;
pub mod discovery;
pub mod duration;
pub mod ingest;
pub mod manager;
pub mod relabel;
pub mod target;

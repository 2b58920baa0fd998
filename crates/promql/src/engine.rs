//! The evaluator: walks the expression tree once for the whole query range.
//!
//! Every sub-expression evaluates to a value per step ([`Ev`]): scalars as one number per
//! step, instant vectors as series whose points sit on the step timestamps. Functions,
//! operators and aggregations then work step by step on the vectors of their arguments
//! ([`Evaluator::range_eval`]), exactly as Prometheus defines them. Instant queries are
//! range queries with one step. Metric names are dropped lazily (Prometheus 3's delayed name
//! removal): operators mark samples, and names are removed when the result is returned.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use promql_parser::label::MatchOp as ParserMatchOp;
use promql_parser::parser::{AtModifier, Expr, Offset, SubqueryExpr, VectorSelector};
use tsdb::{Labels, MatchOp, Matcher, Sample, is_stale_nan};

use crate::error::QueryError;
use crate::labels::without_name;
use crate::storage::Storage;
use crate::value::{InstantSample, RangeSeries, Value};

/// Bounds on one query's cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall-clock time a query may take (Prometheus's `--query.timeout`, default 2 m).
    pub timeout: Duration,
    /// Samples a query may load and produce (Prometheus's `--query.max-samples`, 50 M).
    pub max_samples: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { timeout: Duration::from_secs(120), max_samples: 50_000_000 }
    }
}

/// Engine-wide settings.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// How far back an instant selector looks for a sample (default 5 m).
    pub lookback_delta_ms: i64,
    /// Step of subqueries written without one (`x[1h:]`): the global evaluation interval.
    pub default_subquery_step_ms: i64,
    /// Enables experimental functions and aggregations (limitk, limit_ratio,
    /// double_exponential_smoothing, …) as Prometheus's `promql-experimental-functions`.
    pub enable_experimental_functions: bool,
    pub limits: Limits,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            lookback_delta_ms: 5 * 60 * 1000,
            default_subquery_step_ms: 60 * 1000,
            enable_experimental_functions: false,
            limits: Limits::default(),
        }
    }
}

/// What a successful query returns.
#[derive(Debug, Clone)]
pub struct QueryResult {
    pub value: Value,
    /// Annotations that may make the result wrong (Prometheus's "warnings").
    pub warnings: Vec<String>,
    /// Annotations that hint at a likely mistake (Prometheus's "infos").
    pub infos: Vec<String>,
    /// Samples read from storage.
    pub samples_loaded: usize,
}

/// Evaluates PromQL queries. Stateless between queries, so one engine serves all callers.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    opts: EngineOptions,
}

impl Engine {
    pub fn new(opts: EngineOptions) -> Self {
        Engine { opts }
    }

    pub fn options(&self) -> &EngineOptions {
        &self.opts
    }

    /// Evaluates `query` at one instant (`t` in milliseconds).
    pub fn instant(&self, storage: &dyn Storage, query: &str, t: i64) -> Result<QueryResult, QueryError> {
        let expr = crate::parse::parse(query, self.opts.enable_experimental_functions)?;
        self.instant_expr(storage, &expr, t)
    }

    /// Evaluates an already parsed expression at one instant (the rule engine's entry).
    pub fn instant_expr(&self, storage: &dyn Storage, expr: &Expr, t: i64) -> Result<QueryResult, QueryError> {
        self.run(storage, expr, t, t, 0, false)
    }

    /// Evaluates `query` at every step from `start` to `end` (milliseconds, inclusive).
    pub fn range(
        &self,
        storage: &dyn Storage,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<QueryResult, QueryError> {
        let expr = crate::parse::parse(query, self.opts.enable_experimental_functions)?;
        self.range_expr(storage, &expr, start, end, step)
    }

    /// Range evaluation of a parsed expression.
    pub fn range_expr(
        &self,
        storage: &dyn Storage,
        expr: &Expr,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<QueryResult, QueryError> {
        if step <= 0 {
            return Err(QueryError::Parse(
                "zero or negative query resolution step widths are not accepted. Try a positive integer".into(),
            ));
        }
        if end < start {
            return Err(QueryError::Parse("end timestamp must not be before start time".into()));
        }
        use promql_parser::parser::value::ValueType;
        match expr.value_type() {
            ValueType::Vector | ValueType::Scalar => {}
            other => {
                let name = if other == ValueType::Matrix { "range vector" } else { "string" };
                return Err(QueryError::Parse(format!(
                    "invalid expression type \"{name}\" for range query, must be Scalar or instant Vector"
                )));
            }
        }
        self.run(storage, expr, start, end, step, true)
    }

    fn run(
        &self,
        storage: &dyn Storage,
        expr: &Expr,
        start: i64,
        end: i64,
        interval: i64,
        is_range: bool,
    ) -> Result<QueryResult, QueryError> {
        let started = Instant::now();
        let mut ev = Evaluator {
            storage,
            opts: &self.opts,
            start,
            end,
            interval,
            query_start: start,
            query_end: end,
            range_query: is_range,
            started,
            samples: 0,
            loaded: 0,
            notes: Annotations::default(),
        };
        let result = ev.eval(expr)?;
        let value = finish(result, start, end, interval, is_range)?;
        Ok(QueryResult {
            value,
            warnings: ev.notes.warnings.into_iter().collect(),
            infos: ev.notes.infos.into_iter().collect(),
            samples_loaded: ev.loaded,
        })
    }
}

/// Converts the evaluator's per-step value into the API's value, removing metric names that
/// operators marked for removal and rejecting label sets that then collide.
fn finish(ev: Ev, start: i64, end: i64, interval: i64, is_range: bool) -> Result<Value, QueryError> {
    match ev {
        Ev::Scalar(v) if !is_range => Ok(Value::Scalar { t: start, v: v.first().copied().unwrap_or(f64::NAN) }),
        Ev::Scalar(v) => {
            let points = steps(start, end, interval).zip(v).map(|(t, v)| Sample { t, v }).collect();
            Ok(Value::Matrix(vec![RangeSeries { labels: Labels::default(), points }]))
        }
        Ev::String(s) => Ok(Value::String { t: start, s }),
        Ev::Vector(series) if !is_range => {
            let series = drop_marked_names(series)?;
            Ok(Value::Vector(
                series
                    .into_iter()
                    .filter_map(|s| s.points.first().map(|p| InstantSample { labels: s.labels, t: start, v: p.v }))
                    .collect(),
            ))
        }
        Ev::Vector(series) | Ev::Matrix(series) => {
            let mut series = drop_marked_names(series)?;
            series.retain(|s| !s.points.is_empty());
            if is_range {
                series.sort_by(|a, b| a.labels.cmp(&b.labels));
            }
            Ok(Value::Matrix(series.into_iter().map(|s| RangeSeries { labels: s.labels, points: s.points }).collect()))
        }
    }
}

/// Removes `__name__` where it was marked for removal; two series that then share a label
/// set are an error, as in Prometheus.
pub(crate) fn drop_marked_names(mut series: Vec<StepSeries>) -> Result<Vec<StepSeries>, QueryError> {
    if !series.iter().any(|s| s.drop_name) {
        return Ok(series);
    }
    for s in &mut series {
        if s.drop_name {
            s.labels = without_name(&s.labels);
            s.drop_name = false;
        }
    }
    merge_same_labels(series)
}

/// Merges series that share a label set (after relabelling or name removal); they may not
/// share a timestamp.
pub(crate) fn merge_same_labels(series: Vec<StepSeries>) -> Result<Vec<StepSeries>, QueryError> {
    let mut out: Vec<StepSeries> = Vec::with_capacity(series.len());
    let mut seen: HashMap<Labels, usize> = HashMap::new();
    for s in series {
        match seen.get(&s.labels) {
            Some(&i) => {
                let existing = &mut out[i];
                existing.points.extend(s.points);
                existing.points.sort_by_key(|p| p.t);
                if existing.points.windows(2).any(|w| w[0].t == w[1].t) {
                    return Err(duplicate_labelset());
                }
            }
            None => {
                seen.insert(s.labels.clone(), out.len());
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// Longest time span one storage read of an instant selector covers (see
/// [`Evaluator::select_vector`]).
const SELECT_SPAN_MS: i64 = 2 * 3_600_000;

pub(crate) fn duplicate_labelset() -> QueryError {
    QueryError::Execution("vector cannot contain metrics with the same labelset".into())
}

fn steps(start: i64, end: i64, interval: i64) -> impl Iterator<Item = i64> {
    let n = step_count(start, end, interval);
    (0..n).map(move |i| start + i as i64 * interval)
}

fn step_count(start: i64, end: i64, interval: i64) -> usize {
    if end < start {
        0
    } else if interval <= 0 {
        1
    } else {
        ((end - start) / interval + 1) as usize
    }
}

/// Annotations collected during evaluation (a set: each message once).
#[derive(Debug, Default)]
pub(crate) struct Annotations {
    pub warnings: BTreeSet<String>,
    pub infos: BTreeSet<String>,
}

impl Annotations {
    pub fn warn(&mut self, msg: String) {
        self.warnings.insert(format!("PromQL warning: {msg}"));
    }
    pub fn info(&mut self, msg: String) {
        self.infos.insert(format!("PromQL info: {msg}"));
    }
}

/// A series of an evaluated instant vector (points on step timestamps) or of a range vector
/// (raw sample timestamps).
#[derive(Debug, Clone)]
pub(crate) struct StepSeries {
    pub labels: Labels,
    /// `__name__` is to be removed when the result is returned.
    pub drop_name: bool,
    pub points: Vec<Sample>,
}

/// An evaluated sub-expression.
#[derive(Debug)]
pub(crate) enum Ev {
    /// One value per step.
    Scalar(Vec<f64>),
    String(String),
    /// Instant vector over all steps.
    Vector(Vec<StepSeries>),
    /// Range vector (raw samples); only an instant query's result or a function argument.
    Matrix(Vec<StepSeries>),
}

/// One element of an instant vector at one step.
#[derive(Debug, Clone)]
pub(crate) struct StepSample {
    pub labels: Labels,
    pub v: f64,
    pub drop_name: bool,
}

/// An argument of a per-step operation.
#[derive(Debug)]
pub(crate) enum StepArg<'a> {
    Vector(Vec<StepSample>),
    Scalar(f64),
    String(&'a str),
}

/// A range vector argument: raw series plus, per step, the right edge of its window.
pub(crate) struct Windowed {
    pub series: Vec<StepSeries>,
    pub range_ms: i64,
    /// Per step: the inclusive right edge of the window; the window is `(ref - range, ref]`.
    pub refs: Vec<i64>,
    /// Per step: the step's own time (`predict_linear` extrapolates from it, even with `@`).
    pub eval_ts: Vec<i64>,
}

impl Windowed {
    /// The samples of `series` inside step `i`'s window.
    pub fn window<'s>(&self, series: &'s StepSeries, i: usize) -> &'s [Sample] {
        let r = self.refs[i];
        let lo = series.points.partition_point(|p| p.t <= r - self.range_ms);
        let hi = series.points.partition_point(|p| p.t <= r);
        &series.points[lo..hi.max(lo)]
    }
}

pub(crate) struct Evaluator<'a> {
    storage: &'a dyn Storage,
    pub opts: &'a EngineOptions,
    pub start: i64,
    pub end: i64,
    pub interval: i64,
    pub query_start: i64,
    pub query_end: i64,
    /// The outer query is a range query (not a subquery's inner evaluation).
    range_query: bool,
    started: Instant,
    /// Samples this query holds (raw reads not yet released plus everything it produced),
    /// checked against `max_samples`.
    samples: usize,
    /// Samples read from storage.
    loaded: usize,
    pub notes: Annotations,
}

impl Evaluator<'_> {
    pub fn is_range_query(&self) -> bool {
        self.range_query
    }

    pub fn nsteps(&self) -> usize {
        step_count(self.start, self.end, self.interval)
    }

    pub fn step_ts(&self, i: usize) -> i64 {
        self.start + i as i64 * self.interval
    }

    pub fn check_deadline(&self) -> Result<(), QueryError> {
        let elapsed = self.started.elapsed();
        if elapsed > self.opts.limits.timeout {
            return Err(QueryError::Timeout { phase: "query execution", elapsed, limit: self.opts.limits.timeout });
        }
        Ok(())
    }

    /// Returns samples to the budget once the query no longer holds them.
    pub fn release_samples(&mut self, n: usize) {
        self.samples = self.samples.saturating_sub(n);
    }

    pub fn count_samples(&mut self, n: usize) -> Result<(), QueryError> {
        self.samples = self.samples.saturating_add(n);
        if self.samples > self.opts.limits.max_samples {
            return Err(QueryError::TooManySamples { phase: "query execution", limit: self.opts.limits.max_samples });
        }
        Ok(())
    }

    pub fn eval(&mut self, e: &Expr) -> Result<Ev, QueryError> {
        self.check_deadline()?;
        match e {
            Expr::NumberLiteral(n) => Ok(Ev::Scalar(vec![n.val; self.nsteps()])),
            Expr::StringLiteral(s) => Ok(Ev::String(s.val.clone())),
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Unary(u) => match self.eval(&u.expr)? {
                Ev::Scalar(v) => Ok(Ev::Scalar(v.into_iter().map(|x| -x).collect())),
                Ev::Vector(mut series) => {
                    for s in &mut series {
                        s.drop_name = true;
                        for p in &mut s.points {
                            p.v = -p.v;
                        }
                    }
                    Ok(Ev::Vector(series))
                }
                _ => Err(QueryError::Execution("unary minus needs a scalar or an instant vector".into())),
            },
            Expr::Binary(b) => crate::binary::eval(self, b),
            Expr::Aggregate(a) => crate::aggregate::eval(self, a),
            Expr::Call(c) => crate::functions::eval_call(self, c),
            Expr::VectorSelector(vs) => Ok(Ev::Vector(self.select_vector(vs, false)?)),
            Expr::MatrixSelector(_) | Expr::Subquery(_) => {
                let w = self.eval_windowed(e)?;
                // Only reachable for an instant query's top level: return the raw window.
                let series = w
                    .series
                    .iter()
                    .map(|s| StepSeries {
                        labels: s.labels.clone(),
                        drop_name: s.drop_name,
                        points: w.window(s, 0).to_vec(),
                    })
                    .filter(|s| !s.points.is_empty())
                    .collect();
                Ok(Ev::Matrix(series))
            }
            Expr::Extension(_) => Err(QueryError::Unsupported("extension expressions".into())),
        }
    }

    /// Resolves `@` to milliseconds (`start()`/`end()` are the outer query's bounds).
    fn at_ms(&self, at: &Option<AtModifier>) -> Option<i64> {
        at.as_ref().map(|a| match a {
            AtModifier::Start => self.query_start,
            AtModifier::End => self.query_end,
            AtModifier::At(t) => system_time_ms(*t),
        })
    }

    /// Per step: the time a selector with this `@`/`offset` reads at, and the evaluation time.
    fn refs(&self, at: &Option<AtModifier>, offset: &Option<Offset>) -> (Vec<i64>, Vec<i64>) {
        let at = self.at_ms(at);
        let off = offset_ms(offset);
        let refs = (0..self.nsteps()).map(|i| at.unwrap_or(self.step_ts(i)) - off).collect();
        let eval_ts = (0..self.nsteps()).map(|i| self.step_ts(i)).collect();
        (refs, eval_ts)
    }

    fn select(&mut self, vs: &VectorSelector, mint: i64, maxt: i64) -> Result<Vec<tsdb::Series>, QueryError> {
        let matchers = selector_matchers(vs)?;
        self.select_matchers(&matchers, mint, maxt)
    }

    fn select_matchers(&mut self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<tsdb::Series>, QueryError> {
        let series = self.storage.select(matchers, mint, maxt).map_err(QueryError::Storage)?;
        let n: usize = series.iter().map(|s| s.samples.len()).sum();
        self.loaded += n;
        self.count_samples(n)?;
        self.check_deadline()?;
        Ok(series)
    }

    /// An instant vector selector at every step: the newest sample within the lookback
    /// window `(t - lookback, t]`, unless it is a staleness marker. With `timestamps`, the
    /// value is the sample's own timestamp in seconds (for `timestamp()`).
    ///
    /// Long ranges are read from storage in spans of [`SELECT_SPAN_MS`]: only one span's raw
    /// samples are held at a time, so a 24 h range query over many series needs the memory of
    /// its result plus one span, not of every raw sample in the day.
    pub fn select_vector(&mut self, vs: &VectorSelector, timestamps: bool) -> Result<Vec<StepSeries>, QueryError> {
        let matchers = selector_matchers(vs)?;
        let (refs, _) = self.refs(&vs.at, &vs.offset);
        self.select_vector_at(&matchers, &refs, timestamps)
    }

    /// [`Evaluator::select_vector`] for explicit matchers, read at `refs` (one per step).
    pub fn select_vector_at(
        &mut self,
        matchers: &[Matcher],
        refs: &[i64],
        timestamps: bool,
    ) -> Result<Vec<StepSeries>, QueryError> {
        let lookback = self.opts.lookback_delta_ms;
        let mut out: Vec<StepSeries> = Vec::new();
        let mut index: HashMap<Labels, usize> = HashMap::new();
        let mut first = 0;
        while first < refs.len() {
            // `refs` never decreases, so a span is a run of consecutive steps.
            let mut last = first;
            while last + 1 < refs.len() && refs[last + 1] - refs[first] <= SELECT_SPAN_MS {
                last += 1;
            }
            let raw = self.select_matchers(matchers, refs[first] - lookback + 1, refs[last])?;
            let raw_samples: usize = raw.iter().map(|s| s.samples.len()).sum();
            for s in raw {
                let mut points = Vec::new();
                for (i, &r) in refs.iter().enumerate().take(last + 1).skip(first) {
                    let idx = s.samples.partition_point(|p| p.t <= r);
                    if idx == 0 {
                        continue;
                    }
                    let latest = s.samples[idx - 1];
                    if latest.t <= r - lookback || is_stale_nan(latest.v) {
                        continue;
                    }
                    let v = if timestamps { latest.t as f64 / 1000.0 } else { latest.v };
                    points.push(Sample { t: self.step_ts(i), v });
                }
                if points.is_empty() {
                    continue;
                }
                self.count_samples(points.len())?;
                match index.get(&s.labels) {
                    Some(&k) => out[k].points.extend(points),
                    None => {
                        index.insert(s.labels.clone(), out.len());
                        out.push(StepSeries { labels: s.labels, drop_name: false, points });
                    }
                }
            }
            self.release_samples(raw_samples);
            first = last + 1;
        }
        Ok(out)
    }

    /// Evaluates a range-vector expression (matrix selector or subquery) for windowing.
    pub fn eval_windowed(&mut self, e: &Expr) -> Result<Windowed, QueryError> {
        match e {
            Expr::Paren(p) => self.eval_windowed(&p.expr),
            Expr::MatrixSelector(ms) => {
                let (refs, eval_ts) = self.refs(&ms.vs.at, &ms.vs.offset);
                let range = duration_ms(ms.range);
                let (Some(&lo), Some(&hi)) = (refs.iter().min(), refs.iter().max()) else {
                    return Ok(Windowed { series: vec![], range_ms: range, refs, eval_ts });
                };
                let raw = self.select(&ms.vs, lo - range + 1, hi)?;
                let series = raw
                    .into_iter()
                    .map(|s| StepSeries {
                        labels: s.labels,
                        drop_name: false,
                        points: s.samples.into_iter().filter(|p| !is_stale_nan(p.v)).collect(),
                    })
                    .collect();
                Ok(Windowed { series, range_ms: range, refs, eval_ts })
            }
            Expr::Subquery(sq) => self.eval_subquery(sq),
            _ => Err(QueryError::Execution(format!("expected a range vector, got {e}"))),
        }
    }

    fn eval_subquery(&mut self, sq: &SubqueryExpr) -> Result<Windowed, QueryError> {
        let (refs, eval_ts) = self.refs(&sq.at, &sq.offset);
        let range = duration_ms(sq.range);
        let step = sq.step.map(duration_ms).filter(|s| *s > 0).unwrap_or(self.opts.default_subquery_step_ms);
        let (Some(&lo), Some(&hi)) = (refs.iter().min(), refs.iter().max()) else {
            return Ok(Windowed { series: vec![], range_ms: range, refs, eval_ts });
        };
        // The first step-aligned timestamp at or after the earliest window start.
        let first = lo - range;
        let mut inner_start = step * (first / step);
        if inner_start < first {
            inner_start += step;
        }
        // Bound the inner evaluation before allocating per-step values for it.
        let inner_steps = if hi < inner_start { 0 } else { (hi - inner_start) / step + 1 };
        if usize::try_from(inner_steps).map_or(true, |n| n > self.opts.limits.max_samples) {
            return Err(QueryError::TooManySamples {
                phase: "subquery evaluation",
                limit: self.opts.limits.max_samples,
            });
        }
        let saved = (self.start, self.end, self.interval);
        (self.start, self.end, self.interval) = (inner_start, hi, step);
        let inner = self.eval(&sq.expr);
        (self.start, self.end, self.interval) = saved;
        let series = match inner? {
            Ev::Vector(series) => series,
            Ev::Scalar(values) => {
                let points = (0..values.len())
                    .map(|i| Sample { t: inner_start + i as i64 * step, v: values[i] })
                    .collect::<Vec<_>>();
                vec![StepSeries { labels: Labels::default(), drop_name: false, points }]
            }
            _ => return Err(QueryError::Execution("subquery needs a scalar or an instant vector inside".into())),
        };
        Ok(Windowed { series, range_ms: range, refs, eval_ts })
    }

    /// Runs `f` at every step with the step's values of `args`, collecting the samples it
    /// returns into series. Two samples with one label set at the same step are an error.
    pub fn range_eval<F>(&mut self, args: &[&Ev], mut f: F) -> Result<Vec<StepSeries>, QueryError>
    where
        F: FnMut(&mut Self, usize, &[StepArg<'_>]) -> Result<Vec<StepSample>, QueryError>,
    {
        let n = self.nsteps();
        let mut cursors: Vec<Vec<usize>> = args
            .iter()
            .map(|a| match a {
                Ev::Vector(s) => vec![0; s.len()],
                _ => vec![],
            })
            .collect();
        let mut out: Vec<StepSeries> = Vec::new();
        let mut index: HashMap<Labels, usize> = HashMap::new();
        for i in 0..n {
            if i % 64 == 0 {
                self.check_deadline()?;
            }
            let ts = self.step_ts(i);
            let mut step_args = Vec::with_capacity(args.len());
            for (k, a) in args.iter().enumerate() {
                step_args.push(match a {
                    Ev::Scalar(v) => StepArg::Scalar(v.get(i).copied().unwrap_or(f64::NAN)),
                    Ev::String(s) => StepArg::String(s),
                    Ev::Vector(series) => {
                        let mut vec = Vec::new();
                        for (j, s) in series.iter().enumerate() {
                            let c = &mut cursors[k][j];
                            while *c < s.points.len() && s.points[*c].t < ts {
                                *c += 1;
                            }
                            if let Some(p) = s.points.get(*c).filter(|p| p.t == ts) {
                                vec.push(StepSample { labels: s.labels.clone(), v: p.v, drop_name: s.drop_name });
                            }
                        }
                        StepArg::Vector(vec)
                    }
                    Ev::Matrix(_) => return Err(QueryError::Execution("unexpected range vector argument".into())),
                });
            }
            let result = f(self, i, &step_args)?;
            self.count_samples(result.len())?;
            for s in result {
                let idx = match index.get(&s.labels) {
                    Some(&idx) => idx,
                    None => {
                        index.insert(s.labels.clone(), out.len());
                        out.push(StepSeries { labels: s.labels, drop_name: s.drop_name, points: Vec::new() });
                        out.len() - 1
                    }
                };
                let series = &mut out[idx];
                if series.points.last().is_some_and(|p| p.t == ts) {
                    return Err(duplicate_labelset());
                }
                series.drop_name |= s.drop_name;
                series.points.push(Sample { t: ts, v: s.v });
            }
        }
        Ok(out)
    }
}

pub(crate) fn system_time_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

pub(crate) fn duration_ms(d: Duration) -> i64 {
    d.as_millis() as i64
}

fn offset_ms(o: &Option<Offset>) -> i64 {
    match o {
        Some(Offset::Pos(d)) => duration_ms(*d),
        Some(Offset::Neg(d)) => -duration_ms(*d),
        None => 0,
    }
}

/// The storage matchers of a selector, with the metric name as an equality matcher.
pub(crate) fn selector_matchers(vs: &VectorSelector) -> Result<Vec<Matcher>, QueryError> {
    if !vs.matchers.or_matchers.is_empty() {
        return Err(QueryError::Unsupported("'or' inside a selector's braces".into()));
    }
    let mut out = Vec::with_capacity(vs.matchers.matchers.len() + 1);
    if let Some(name) = &vs.name
        && !vs.matchers.matchers.iter().any(|m| m.name == tsdb::METRIC_NAME)
    {
        out.push(Matcher::equal(tsdb::METRIC_NAME, name.clone()));
    }
    for m in &vs.matchers.matchers {
        let op = match m.op {
            ParserMatchOp::Equal => MatchOp::Equal,
            ParserMatchOp::NotEqual => MatchOp::NotEqual,
            ParserMatchOp::Re(_) => MatchOp::RegexMatch,
            ParserMatchOp::NotRe(_) => MatchOp::RegexNoMatch,
        };
        out.push(Matcher::new(op, m.name.clone(), m.value.clone()).map_err(|e| QueryError::Parse(e.to_string()))?);
    }
    Ok(out)
}

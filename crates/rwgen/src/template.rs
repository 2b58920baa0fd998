//! Parses an exposition into series templates and turns them into evolving series.

/// How a series' value evolves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Counter,
    Gauge,
    Constant,
}

/// One series of the template.
#[derive(Debug, Clone)]
pub struct Family {
    pub labels: Vec<(String, String)>,
    pub value: f64,
    pub decimals: u32,
    pub kind: Kind,
}

/// A live series: pre-encoded labels and value state.
pub struct Series {
    pub label_bytes: Vec<u8>,
    mantissa: i64,
    scale: f64,
    step: i64,
    kind: Kind,
    rng: u64,
}

impl Series {
    pub fn next_value(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        match self.kind {
            Kind::Counter => self.mantissa += (self.rng % (self.step as u64 + 1)) as i64,
            Kind::Gauge => {
                let d = (self.rng % (2 * self.step as u64 + 1)) as i64 - self.step;
                self.mantissa = (self.mantissa + d).max(0);
            }
            Kind::Constant => {}
        }
        self.mantissa as f64 / self.scale
    }
}

fn parse_labels(s: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let name = rest[..eq].trim().to_string();
        rest = rest[eq + 1..].trim_start().strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '\\' => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    o => value.push(o),
                },
                '"' => break i,
                c => value.push(c),
            }
        };
        out.push((name, value));
        rest = rest[end + 1..].trim_start().trim_start_matches(',').trim_start();
    }
    Some(out)
}

/// Reads `name{labels} value` lines; `# TYPE` lines mark counters.
pub fn parse(text: &str) -> Vec<Family> {
    let mut counters = std::collections::HashSet::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut it = rest.split_whitespace();
            if let (Some(name), Some("counter")) = (it.next(), it.next()) {
                counters.insert(name.to_string());
            }
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (series, value) = match line.rfind('}') {
            Some(close) => (&line[..=close], line[close + 1..].trim()),
            None => match line.split_once(' ') {
                Some((n, v)) => (n, v.trim()),
                None => continue,
            },
        };
        let value_text = value.split_whitespace().next().unwrap_or("");
        let Ok(v) = value_text.parse::<f64>() else { continue };
        if !v.is_finite() {
            continue;
        }
        let (name, labels) = match series.find('{') {
            Some(open) => {
                (series[..open].to_string(), parse_labels(&series[open + 1..series.len() - 1]).unwrap_or_default())
            }
            None => (series.to_string(), Vec::new()),
        };
        let decimals = if value_text.contains(['e', 'E']) {
            if v.fract() == 0.0 { 0 } else { 3 }
        } else {
            value_text.split_once('.').map_or(0, |(_, f)| f.len().min(6) as u32)
        };
        let family_counter = counters.contains(&name)
            || counters.iter().any(|c| name.strip_prefix(c.as_str()).is_some_and(|s| s == "_total"));
        let kind = if family_counter || name.ends_with("_total") {
            Kind::Counter
        } else if v == 0.0 || v == 1.0 {
            Kind::Constant
        } else {
            Kind::Gauge
        };
        let mut all = vec![("__name__".to_string(), name)];
        all.extend(labels);
        out.push(Family { labels: all, value: v, decimals, kind });
    }
    out
}

/// The series owned by `worker` of `workers`: instance-major order, every `workers`-th series.
pub fn instantiate(families: &[Family], instances: usize, worker: usize, workers: usize, seed: u64) -> Vec<Series> {
    let mut out = Vec::new();
    let mut idx = 0usize;
    for inst in 0..instances {
        let instance = format!("host-{inst:05}:9100");
        for f in families {
            idx += 1;
            if idx % workers != worker {
                continue;
            }
            let mut labels = f.labels.clone();
            labels.push(("instance".into(), instance.clone()));
            labels.push(("job".into(), "node".into()));
            labels.sort();
            labels.dedup_by(|a, b| a.0 == b.0);
            let scale = 10f64.powi(f.decimals as i32);
            let mantissa = (f.value * scale).round() as i64;
            // Per-step change: about 0.1% of the value for gauges, a few units for counters.
            let step = match f.kind {
                Kind::Counter => (mantissa.abs() / 10_000).clamp(1, 1_000_000),
                Kind::Gauge => (mantissa.abs() / 1_000).clamp(1, 1_000_000),
                Kind::Constant => 0,
            };
            out.push(Series {
                label_bytes: crate::wire::encode_labels(&labels),
                mantissa,
                scale,
                step,
                kind: f.kind,
                rng: seed ^ (idx as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            });
        }
    }
    out
}

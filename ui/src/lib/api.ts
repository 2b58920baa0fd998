// The one API client: every page talks to Vigil through these functions, so errors,
// JSON decoding and the Prometheus envelope (`status`, `data`, `warnings`, `infos`) are handled once.

/** An answer of the Prometheus API that was not `success`, or a failed request. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorType: string = '',
  ) {
    super(message);
  }
}

/** The `data` of a Prometheus API answer with its warnings and infos. */
export interface Envelope<T> {
  data: T;
  warnings: string[];
  infos: string[];
}

/** Every request the UI sends goes through here (tests can count them). */
export async function request(path: string, init?: RequestInit): Promise<Response> {
  let resp: Response;
  try {
    resp = await fetch(path, init);
  } catch (e) {
    throw new ApiError(`cannot reach Vigil: ${(e as Error).message}`, 0, 'network');
  }
  return resp;
}

/** GETs or POSTs a Prometheus-API path and unwraps its envelope. */
export async function prom<T>(path: string, params?: Record<string, string | string[] | undefined>, method: 'GET' | 'POST' = 'GET'): Promise<Envelope<T>> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) qs.append(k, one);
  }
  const resp =
    method === 'POST'
      ? await request(path, { method: 'POST', body: qs, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
      : await request(qs.size ? `${path}?${qs}` : path);
  let body: any;
  try {
    body = await resp.json();
  } catch {
    throw new ApiError(`${path} answered ${resp.status} without JSON`, resp.status);
  }
  if (body.status !== 'success') {
    throw new ApiError(body.error ?? `${path} answered ${resp.status}`, resp.status, body.errorType ?? '');
  }
  return { data: body.data as T, warnings: body.warnings ?? [], infos: body.infos ?? [] };
}

/** GETs any JSON path (Alertmanager v2, Grafana-style APIs) and returns the body. */
export async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const resp = await request(path, init);
  const text = await resp.text();
  let body: any = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  if (!resp.ok) {
    const msg = (body && (body.message ?? body.error)) || text || `${path} answered ${resp.status}`;
    throw new ApiError(String(msg), resp.status);
  }
  return body as T;
}

/** Sends JSON with the given method and returns the JSON answer. */
export function sendJson<T>(path: string, method: string, payload: unknown): Promise<T> {
  return json<T>(path, { method, body: JSON.stringify(payload), headers: { 'Content-Type': 'application/json' } });
}

export type Labels = Record<string, string>;
export type SamplePair = [number, string];
export interface MatrixSeries { metric: Labels; values: SamplePair[] }
export interface VectorSample { metric: Labels; value: SamplePair }
export type QueryData =
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'scalar'; result: SamplePair }
  | { resultType: 'string'; result: SamplePair };

/** Query statistics Vigil answers with `stats=all`. */
export interface QueryStats { timings?: Record<string, number>; samples?: { totalQueryableSamples?: number; peakSamples?: number } }

export function queryRange(query: string, start: number, end: number, step: number) {
  return prom<QueryData & { stats?: QueryStats }>('/api/v1/query_range', {
    query,
    start: String(start),
    end: String(end),
    step: String(step),
    stats: 'all',
  });
}

export function queryInstant(query: string, time?: number) {
  return prom<QueryData & { stats?: QueryStats }>('/api/v1/query', { query, time: time === undefined ? undefined : String(time), stats: 'all' });
}

export async function labelValues(label: string, match?: string[], start?: number, end?: number): Promise<string[]> {
  const r = await prom<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values`, {
    'match[]': match,
    start: start === undefined ? undefined : String(start),
    end: end === undefined ? undefined : String(end),
  });
  return r.data;
}

export async function series(match: string[], start?: number, end?: number): Promise<Labels[]> {
  const r = await prom<Labels[]>('/api/v1/series', { 'match[]': match, start: start === undefined ? undefined : String(start), end: end === undefined ? undefined : String(end) }, 'POST');
  return r.data;
}

/** `{job="x", instance="y"}` → `metric{job="x", instance="y"}` the way Prometheus prints series. */
export function formatSeries(labels: Labels): string {
  const name = labels.__name__ ?? '';
  const rest = Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return rest || !name ? `${name}{${rest}}` : name;
}

// A small reader for the block-style YAML the alert manager serves as its configuration
// (`/api/v2/status` → config.original): maps, lists, quoted and plain scalars, simple flow
// lists and maps. Enough to draw the routing tree; anything else is shown as text instead.

export type Yaml = string | number | boolean | null | Yaml[] | { [k: string]: Yaml };

interface Line {
  indent: number;
  text: string;
  no: number;
}

/** Parses `text`; throws with a line number on what it does not understand (anchors, block scalars…). */
export function parseYaml(text: string): Yaml {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, i) => {
    const stripped = stripComment(raw).replace(/\s+$/, '');
    if (!stripped.trim() || stripped.trim() === '---') return;
    lines.push({ indent: stripped.length - stripped.trimStart().length, text: stripped.trim(), no: i + 1 });
  });
  if (!lines.length) return null;
  const pos = { i: 0 };
  const v = block(lines, pos, lines[0].indent);
  if (pos.i < lines.length) throw new Error(`line ${lines[pos.i].no}: unexpected indentation`);
  return v;
}

function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

function block(lines: Line[], pos: { i: number }, indent: number): Yaml {
  const first = lines[pos.i];
  if (first.text.startsWith('- ') || first.text === '-') return list(lines, pos, indent);
  return map(lines, pos, indent);
}

function list(lines: Line[], pos: { i: number }, indent: number): Yaml[] {
  const out: Yaml[] = [];
  while (pos.i < lines.length && lines[pos.i].indent === indent && (lines[pos.i].text.startsWith('- ') || lines[pos.i].text === '-')) {
    const line = lines[pos.i];
    const rest = line.text.slice(1).trimStart();
    if (!rest) {
      pos.i++;
      out.push(pos.i < lines.length && lines[pos.i].indent > indent ? block(lines, pos, lines[pos.i].indent) : null);
      continue;
    }
    // `- key: value` opens a map whose further keys sit at the item's content indent.
    const contentIndent = indent + (line.text.length - rest.length);
    if (keyValue(rest)) {
      lines[pos.i] = { indent: contentIndent, text: rest, no: line.no };
      out.push(map(lines, pos, contentIndent));
    } else {
      out.push(scalar(rest, line.no));
      pos.i++;
    }
  }
  return out;
}

function keyValue(text: string): [string, string] | null {
  const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s"'{[][^:]*?)\s*:(?:\s+(.*))?$/.exec(text);
  if (!m) return null;
  const key = m[1].startsWith('"') || m[1].startsWith("'") ? String(scalar(m[1], 0)) : m[1];
  return [key, m[2] ?? ''];
}

function map(lines: Line[], pos: { i: number }, indent: number): { [k: string]: Yaml } {
  const out: { [k: string]: Yaml } = {};
  while (pos.i < lines.length && lines[pos.i].indent === indent) {
    const line = lines[pos.i];
    const kv = keyValue(line.text);
    if (!kv) throw new Error(`line ${line.no}: expected "key: value", got ${JSON.stringify(line.text)}`);
    const [key, rest] = kv;
    pos.i++;
    if (rest) {
      if (/^[|>]/.test(rest)) throw new Error(`line ${line.no}: block scalars are not supported`);
      out[key] = scalar(rest, line.no);
    } else if (pos.i < lines.length && lines[pos.i].indent > indent) {
      out[key] = block(lines, pos, lines[pos.i].indent);
    } else if (pos.i < lines.length && lines[pos.i].indent === indent && lines[pos.i].text.startsWith('-')) {
      // Lists may sit at the key's own indent (`key:\n- a`).
      out[key] = list(lines, pos, indent);
    } else {
      out[key] = null;
    }
  }
  return out;
}

function scalar(text: string, no: number): Yaml {
  const t = text.trim();
  if (t.startsWith('"')) return JSON.parse(t) as string;
  if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  if (t.startsWith('[')) {
    if (!t.endsWith(']')) throw new Error(`line ${no}: unterminated flow list`);
    return splitFlow(t.slice(1, -1)).map((x) => scalar(x, no));
  }
  if (t.startsWith('{')) {
    if (!t.endsWith('}')) throw new Error(`line ${no}: unterminated flow map`);
    const out: { [k: string]: Yaml } = {};
    for (const part of splitFlow(t.slice(1, -1))) {
      const kv = keyValue(part);
      if (!kv) throw new Error(`line ${no}: cannot read ${JSON.stringify(part)}`);
      out[kv[0]] = kv[1] ? scalar(kv[1], no) : null;
    }
    return out;
  }
  if (t === 'null' || t === '~') return null;
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

/** Splits flow content at top-level commas, respecting quotes and nesting. */
function splitFlow(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\' && quote === '"') {
        cur += c + s[++i];
        continue;
      }
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

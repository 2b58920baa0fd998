// Value mappings: turn raw values (1, null, "up") into the words and colours a dashboard's
// author chose, in the order Grafana applies them (first match wins).

import type { MappingResult, ValueMapping } from './types';
import { parseRegexString } from './regex';

/** Finds the first mapping that matches `value` and returns its result, or null. */
export function applyMappings(
  value: number | string | boolean | null | undefined,
  mappings: ValueMapping[] | undefined,
): MappingResult | null {
  if (!mappings) return null;
  for (const m of mappings) {
    switch (m.type) {
      case 'value': {
        if (value === null || value === undefined) break;
        const hit = m.options[String(value)];
        if (hit) return hit;
        break;
      }
      case 'range': {
        if (value === null || value === undefined || typeof value === 'boolean') break;
        const n = typeof value === 'number' ? value : parseFloat(value);
        if (Number.isNaN(n)) break;
        const { from, to } = m.options;
        if (from !== null && from !== undefined && !Number.isNaN(from) && n < from) break;
        if (to !== null && to !== undefined && !Number.isNaN(to) && n > to) break;
        return m.options.result;
      }
      case 'regex': {
        if (value === null || value === undefined) break;
        const re = parseRegexString(m.options.pattern, true);
        if (!re) break;
        const s = String(value);
        if (re.test(s)) {
          re.lastIndex = 0;
          const result = { ...m.options.result };
          if (result.text !== undefined) result.text = s.replace(re, result.text);
          return result;
        }
        break;
      }
      case 'special': {
        const isNull = value === null || value === undefined;
        const isNaN = typeof value === 'number' && Number.isNaN(value);
        const r = m.options.result;
        switch (m.options.match) {
          case 'null':
            if (isNull) return r;
            break;
          case 'nan':
            if (isNaN) return r;
            break;
          case 'null+nan':
            if (isNull || isNaN) return r;
            break;
          case 'true':
            if (value === true || value === 'true') return r;
            break;
          case 'false':
            if (value === false || value === 'false') return r;
            break;
          case 'empty':
            if (value === '') return r;
            break;
        }
        break;
      }
    }
  }
  return null;
}

// Grafana writes regexes in dashboards as `/pattern/flags` or as a bare pattern; this turns
// either into a JavaScript RegExp without throwing on a bad one.

/**
 * Parses `/pattern/flags` (or a bare pattern, anchored as Grafana anchors it) into a RegExp;
 * null when the pattern does not compile.
 */
export function parseRegexString(text: string, anchorBare = false): RegExp | null {
  try {
    if (text.startsWith('/')) {
      const end = text.lastIndexOf('/');
      if (end > 0) return new RegExp(text.slice(1, end), text.slice(end + 1));
    }
    return new RegExp(anchorBare ? `^${text}$` : text);
  } catch {
    return null;
  }
}

/** Escapes every regex metacharacter so a value matches literally. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

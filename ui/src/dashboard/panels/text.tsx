// The text panel: Markdown through the escaping renderer; `mode: html` is rebuilt from an inert
// parse keeping only harmless tags (no attributes but safe link targets), so a dashboard can
// never run script in Vigil's origin.
import { renderMarkdown, safeUrl } from '../markdown';
import { interpolate } from '../bridge';
import type { PanelViewProps } from './types';

const ALLOWED = new Set(['P', 'BR', 'B', 'STRONG', 'I', 'EM', 'U', 'UL', 'OL', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'A', 'CODE', 'PRE', 'SPAN', 'DIV', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TD', 'TH', 'HR', 'BLOCKQUOTE', 'SMALL', 'CENTER']);

/** Rebuilds HTML from a parsed (inert) document with the allowed tags only. */
export function sanitizeHtml(html: string): string {
  const doc = new DOMParser().parseFromString(`<div>${html}</div>`, 'text/html');
  const out = document.createElement('div');
  const copy = (from: Node, to: Node) => {
    for (const n of Array.from(from.childNodes)) {
      if (n.nodeType === Node.TEXT_NODE) to.appendChild(document.createTextNode(n.textContent ?? ''));
      else if (n.nodeType === Node.ELEMENT_NODE) {
        const el = n as Element;
        if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE' || el.tagName === 'IFRAME') continue;
        if (!ALLOWED.has(el.tagName)) {
          copy(el, to);
          continue;
        }
        const clean = document.createElement(el.tagName.toLowerCase());
        if (el.tagName === 'A') {
          const href = safeUrl(el.getAttribute('href') ?? '');
          if (href) {
            clean.setAttribute('href', href);
            clean.setAttribute('target', '_blank');
            clean.setAttribute('rel', 'noopener noreferrer');
          }
        }
        copy(el, clean);
        to.appendChild(clean);
      }
    }
  };
  copy(doc.body.firstChild ?? doc.body, out);
  return out.innerHTML;
}

export function TextPanel(p: PanelViewProps) {
  const o = p.panel.options as { mode?: string; content?: string };
  const content = interpolate(o.content ?? '', p.scope);
  const html = o.mode === 'html' ? sanitizeHtml(content) : o.mode === 'code' ? renderMarkdown('```\n' + content + '\n```') : renderMarkdown(content);
  return <div class="text-panel markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

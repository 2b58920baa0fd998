// The text panel's Markdown renderer must never let markup through.
import { describe, expect, test } from 'vitest';
import { renderMarkdown, safeUrl } from '../src/dashboard/markdown';

describe('renderMarkdown', () => {
  test('headings, paragraphs, lists, bold, italic, code', () => {
    const html = renderMarkdown('# Title\n\nSome **bold** and *it* and `code`.\n\n- one\n- two\n\n1. first\n2. second');
    expect(html).toBe('<h1>Title</h1>\n<p>Some <strong>bold</strong> and <em>it</em> and <code>code</code>.</p>\n<ul><li>one</li><li>two</li></ul>\n<ol><li>first</li><li>second</li></ol>');
  });

  test('raw HTML is escaped, everywhere', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n# <img src=x onerror=alert(1)>\n\n- <b>x</b>\n\n```\n<i>code</i>\n```');
    expect(html).not.toMatch(/<script|<img|<b>|<i>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<pre><code>&lt;i&gt;code&lt;/i&gt;</code></pre>');
  });

  test('links keep safe schemes only', () => {
    expect(renderMarkdown('[docs](https://example.com/a?b=1&c=2)')).toBe('<p><a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">docs</a></p>');
    expect(renderMarkdown('[x](javascript:alert(1))')).not.toContain('href');
    expect(renderMarkdown('[x](/d/abc)')).toContain('href="/d/abc"');
  });

  test('a quote in a link cannot break out of the attribute', () => {
    const html = renderMarkdown('[x](https://a.example/"onmouseover="alert(1))');
    expect(html).not.toMatch(/"onmouseover/);
  });

  test('safeUrl', () => {
    expect(safeUrl('http://x')).toBe('http://x');
    expect(safeUrl('mailto:a@b')).toBe('mailto:a@b');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,x')).toBeNull();
    expect(safeUrl(' JAVASCRIPT:x')).toBeNull();
  });
});

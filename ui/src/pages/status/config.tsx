// /config: the configuration as the server serves it (secrets already masked), with a copy button.
import { useState } from 'preact/hooks';
import type { PageProps } from '../../app/routes';
import { prom } from '../../lib/api';
import { LoadState, PageHeader, useLoad } from './common';

/** Copies text; falls back to a hidden textarea where the Clipboard API is unavailable (plain HTTP). */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

/** A `<pre>` with a Copy button that says whether copying worked. */
export function CopyableText({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<'' | 'ok' | 'failed'>('');
  const copy = () =>
    copyText(text).then(
      () => setCopied('ok'),
      () => setCopied('failed'),
    );
  return (
    <div class="card copyable">
      <div class="row">
        <span class="grow muted">{label}</span>
        {copied === 'ok' && <span class="muted">Copied</span>}
        {copied === 'failed' && <span class="err-text">Copy failed</span>}
        <button type="button" onClick={copy}>
          Copy to clipboard
        </button>
      </div>
      <pre class="config-text">{text}</pre>
    </div>
  );
}

export function ConfigPage(_: PageProps) {
  const state = useLoad(async () => (await prom<{ yaml: string }>('/api/v1/status/config')).data.yaml);
  return (
    <section class="page config-page">
      <PageHeader title="Configuration" onReload={state.reload} />
      <LoadState state={state}>{(yaml) => (yaml.trim() ? <CopyableText text={yaml} label="As loaded (secrets masked)" /> : <p class="muted">The configuration is empty.</p>)}</LoadState>
    </section>
  );
}

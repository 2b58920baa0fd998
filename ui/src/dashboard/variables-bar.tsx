// The variables bar: one control per visible variable — a dropdown (with checkboxes for multi
// and an All entry), a text box, or nothing for constants and hidden variables.
import { useRef, useState } from 'preact/hooks';
import { useDismiss } from './dismiss';
import { ALL, type VarState } from './variables';

function MultiSelect({ v, onChange }: { v: VarState; onChange: (values: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useDismiss(box, open, () => setOpen(false));
  const sel = new Set(v.current);
  const label = v.current.includes(ALL) ? 'All' : v.current.map((c) => v.options.find((o) => o.value === c)?.text ?? c).join(' + ') || 'None';
  const toggle = (value: string) => {
    if (value === ALL) return onChange([ALL]);
    const next = new Set([...sel].filter((x) => x !== ALL));
    if (next.has(value)) next.delete(value);
    else next.add(value);
    onChange(next.size ? [...next] : v.def.includeAll ? [ALL] : [value]);
  };
  return (
    <div class="var-multi" ref={box}>
      <button class="var-multi-btn" onClick={() => setOpen(!open)}>
        {label} ▾
      </button>
      {open && (
        <div class="var-multi-drop card">
          {v.options.map((o) => (
            <label class="var-option">
              <input type="checkbox" checked={sel.has(o.value)} onChange={() => toggle(o.value)} /> {o.text}
            </label>
          ))}
        </div>
      )}
    </div>
  );
}

export function VariablesBar({ vars, onChange }: { vars: VarState[]; onChange: (name: string, values: string[]) => void }) {
  const shown = vars.filter((v) => v.def.hide !== 2 && v.def.type !== 'constant' && v.def.type !== 'adhoc');
  if (!shown.length) return null;
  return (
    <div class="vars-bar">
      {shown.map((v) => (
        <div class="var" data-var={v.def.name}>
          {v.def.hide !== 1 && <span class="var-label">{v.def.label || v.def.name}</span>}
          {v.def.type === 'textbox' ? (
            <input
              class="var-input"
              value={v.current[0] ?? ''}
              onKeyDown={(e) => e.key === 'Enter' && onChange(v.def.name, [(e.target as HTMLInputElement).value])}
              onBlur={(e) => onChange(v.def.name, [(e.target as HTMLInputElement).value])}
            />
          ) : v.def.multi ? (
            <MultiSelect v={v} onChange={(vals) => onChange(v.def.name, vals)} />
          ) : (
            <select class="var-select" name={`var-${v.def.name}`} value={v.current[0] ?? ''} onChange={(e) => onChange(v.def.name, [(e.target as HTMLSelectElement).value])}>
              {!v.options.length && <option value="">{v.error ? 'error' : 'No options'}</option>}
              {v.options.map((o) => (
                <option value={o.value}>{o.text}</option>
              ))}
            </select>
          )}
          {v.error && (
            <span class="var-error" title={v.error}>
              ⚠
            </span>
          )}
        </div>
      ))}
    </div>
  );
}

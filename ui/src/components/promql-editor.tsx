// The PromQL editor: CodeMirror 6 with the PromQL language (highlighting, offline syntax
// linting, completion of functions and keywords) and completion of metric names, label names
// and values from Vigil's own API. Errors the server reports at a position are drawn there.
import { useEffect, useRef } from 'preact/hooks';
import { EditorState, Compartment } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt, drawSelection, highlightActiveLine } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, insertNewlineAndIndent } from '@codemirror/commands';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { bracketMatching, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { setDiagnostics, lintGutter } from '@codemirror/lint';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';

/** An error the server answered for this query, with its `line:col` when it gave one. */
export interface EditorError {
  message: string;
  line?: number;
  col?: number;
}

/** Splits Vigil's and Prometheus's `1:17: message` errors into position and text. */
export function errorPosition(message: string): EditorError {
  const m = /^(\d+):(\d+): ([\s\S]*)$/.exec(message);
  if (!m) return { message };
  return { message: m[3], line: parseInt(m[1], 10), col: parseInt(m[2], 10) };
}

export interface PromQLEditorProps {
  /**
   * The text to show, applied only when it changes (a run, the URL, Back). The editor owns
   * its document while the user types: a parent must not echo `onChange` back into `value`
   * (see the note on the effect below).
   */
  value: string;
  /** Every edit, synchronously from CodeMirror's update: keep it in a ref, don't re-render. */
  onChange: (v: string) => void;
  /** Enter runs the query (Shift+Enter inserts a newline), as in Prometheus's UI. */
  onRun: () => void;
  error?: EditorError | null;
  placeholder?: string;
}

const promql = new PromQLExtension().setComplete({
  remote: { url: location.origin, lookbackInterval: 12 * 3600 * 1000, httpErrorHandler: () => {} },
  maxMetricsMetadata: 10000,
});

export function PromQLEditor(props: PromQLEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    if (!host.current) return;
    const runKeys = keymap.of([
      { key: 'Enter', run: () => (latest.current.onRun(), true) },
      { key: 'Shift-Enter', run: insertNewlineAndIndent },
    ]);
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          history(),
          drawSelection(),
          highlightActiveLine(),
          bracketMatching(),
          closeBrackets(),
          autocompletion({ activateOnTyping: true }),
          syntaxHighlighting(defaultHighlightStyle),
          lintGutter(),
          new Compartment().of(promql.asExtension()),
          placeholderExt(props.placeholder ?? 'Expression (press Enter to run, Shift+Enter for a new line)'),
          EditorView.lineWrapping,
          // The completion list takes Enter first when it is open.
          keymap.of([...closeBracketsKeymap, ...completionKeymap]),
          runKeys,
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
  }, []);

  // The URL or a run changed the text: show it. This runs only when `value` changes, and
  // `value` must not be the live draft: Preact runs this effect after paint with the props of
  // its render, so with a parent echoing every keystroke it wrote an older draft over newer
  // typing, the listener reported that, the parent re-rendered with the newer one, and the two
  // replaced each other in an endless synchronous loop of renders and dispatches (the renderer
  // hung while typing; autocompletion's extra updates made the race likely).
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const e = props.error;
    if (!e) {
      v.dispatch(setDiagnostics(v.state, []));
      return;
    }
    let from = 0;
    let to = v.state.doc.length;
    if (e.line !== undefined && e.col !== undefined && e.line >= 1 && e.line <= v.state.doc.lines) {
      const line = v.state.doc.line(e.line);
      from = Math.min(line.from + Math.max(0, e.col - 1), line.to);
      to = Math.min(from + 1, v.state.doc.length);
      if (to === from && from > 0) from -= 1;
    }
    v.dispatch(setDiagnostics(v.state, [{ from, to, severity: 'error', message: e.message, source: 'Vigil' }]));
  }, [props.error]);

  return <div class="promql-editor" ref={host} />;
}

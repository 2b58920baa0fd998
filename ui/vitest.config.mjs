// Unit tests of the UI's pure modules (dashboard model, time ranges, units); no browser.
export default {
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
};

// The few Node APIs the tests use to read fixtures. The UI project has no @types/node (and
// takes no new dependencies), so these declarations describe just what is called.
declare module 'node:fs' {
  export function readFileSync(path: URL | string, encoding: 'utf8'): string;
}

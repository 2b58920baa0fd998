// Grafana colour names → CSS colours, and the classic series palette, so thresholds,
// overrides and legacy `aliasColors` paint panels in the colours their authors picked.

const HUES: Record<string, [superLight: string, light: string, base: string, semiDark: string, dark: string]> = {
  red: ['#FFA6B0', '#FF7383', '#F2495C', '#E02F44', '#C4162A'],
  orange: ['#FFCB7D', '#FFB357', '#FF9830', '#FF780A', '#FA6400'],
  yellow: ['#FFF899', '#FFEE52', '#FADE2A', '#F2CC0C', '#E0B400'],
  green: ['#C8F2C2', '#96D98D', '#73BF69', '#56A64B', '#37872D'],
  blue: ['#C0D8FF', '#8AB8FF', '#5794F2', '#3274D9', '#1F60C4'],
  purple: ['#DEB6F2', '#CA95E5', '#B877D9', '#A352CC', '#8F3BB8'],
};

const NAMED: Record<string, string> = (() => {
  const out: Record<string, string> = {};
  for (const [hue, [superLight, light, base, semiDark, dark]] of Object.entries(HUES)) {
    out[`super-light-${hue}`] = superLight;
    out[`light-${hue}`] = light;
    out[hue] = base;
    out[`semi-dark-${hue}`] = semiDark;
    out[`dark-${hue}`] = dark;
  }
  return out;
})();

/** The dark theme's text colour, used for the `text` colour name. */
export const TEXT_COLOR = 'rgb(204, 204, 220)';

/**
 * Resolves a Grafana colour (named palette colour, `text`, `transparent`, hex, rgb/rgba or
 * any CSS colour) to a CSS colour string. Unknown words pass through for CSS to judge.
 */
export function resolveColor(color: string | undefined | null): string {
  if (!color) return TEXT_COLOR;
  const c = color.trim();
  const named = NAMED[c.toLowerCase()];
  if (named) return named;
  if (c === 'text') return TEXT_COLOR;
  if (c === 'transparent') return 'transparent';
  return c;
}

/**
 * The classic series palette (Grafana's legacy graph colours, also the start of
 * `palette-classic`): series take colours by index, wrapping round.
 */
export const CLASSIC_PALETTE: readonly string[] = [
  '#7EB26D', '#EAB839', '#6ED0E0', '#EF843C', '#E24D42', '#1F78C1', '#BA43A9', '#705DA0',
  '#508642', '#CCA300', '#447EBC', '#C15C17', '#890F02', '#0A437C', '#6D1F62', '#584477',
  '#B7DBAB', '#F4D598', '#70DBED', '#F9BA8F', '#F29191', '#82B5D8', '#E5A8E2', '#AEA2E0',
  '#629E51', '#E5AC0E', '#64B0C8', '#E0752D', '#BF1B00', '#0A50A1', '#962D82', '#614D93',
  '#9AC48A', '#F2C96D', '#65C5DB', '#F9934E', '#EA6460', '#5195CE', '#D683CE', '#806EB7',
  '#3F6833', '#967302', '#2F575E', '#99440A', '#58140C', '#052B51', '#511749', '#3F2B5B',
  '#E0F9D7', '#FCEACA', '#CFFAFF', '#F9E2D2', '#FCE2DE', '#BADFF4', '#F9D9F9', '#DEDAF7',
];

/** The palette colour of the `index`-th series. */
export function seriesColor(index: number): string {
  const n = CLASSIC_PALETTE.length;
  return CLASSIC_PALETTE[((index % n) + n) % n];
}

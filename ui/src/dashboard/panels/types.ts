// What every panel renderer receives.
import type { Panel, VarScope } from '../bridge';
import type { PanelData } from '../data';

export interface PanelViewProps {
  panel: Panel;
  data: PanelData;
  /** The panel body's size in pixels. */
  width: number;
  height: number;
  utc: boolean;
  /** The dashboard's range in Unix seconds: time axes span all of it, data or not. */
  range?: { start: number; end: number };
  scope: VarScope;
  /** A drag-zoom on a time axis: the new range in Unix seconds. */
  onZoom?: (start: number, end: number) => void;
}

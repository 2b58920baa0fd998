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
  scope: VarScope;
  /** A drag-zoom on a time axis: the new range in Unix seconds. */
  onZoom?: (start: number, end: number) => void;
}

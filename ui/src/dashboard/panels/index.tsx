// Panel type → renderer. Types without one get a plain notice, not an error.
import type { ComponentType } from 'preact';
import type { PanelViewProps } from './types';
import { TimeseriesPanel } from './timeseries';
import { StatPanel } from './stat';
import { GaugePanel } from './gauge';
import { BarGaugePanel } from './bargauge';
import { TablePanel } from './table';
import { PieChartPanel } from './piechart';
import { TextPanel } from './text';

export const PANEL_RENDERERS: Record<string, ComponentType<PanelViewProps>> = {
  timeseries: TimeseriesPanel,
  graph: TimeseriesPanel,
  stat: StatPanel,
  singlestat: StatPanel,
  gauge: GaugePanel,
  bargauge: BarGaugePanel,
  table: TablePanel,
  piechart: PieChartPanel,
  text: TextPanel,
};

/** Panels that show no query data (they render without running targets). */
export const DATALESS = new Set(['text', 'row', 'dashlist', 'news', 'welcome']);

// The page's charts for the HTML report, as SVG elements drawn by the same
// view modules as the page. Each is the chart that its view's download
// buttons save. The Sankey diagram and the conversion curve come from the
// page, where the Sankey diagram is laid out at the page's width with labels
// cut to fit. The export bar is given no other container of the page, so the
// funnel, the time-to-convert histogram and the weekday × hour heat map are
// drawn by rendering their views from the report into an element outside the
// document.

import { offeredChart } from './chart-export.js';
import { h } from './dom.js';
import { renderFunnelView } from './funnel.js';
import { renderRhythmView } from './rhythm.js';
import { renderTimingView } from './timing.js';

/**
 * Returns the charts of `report` as { funnel, histogram, heatmap, sankey,
 * curve }, each an SVG element or null when the report has no such chart.
 * `views` contains the page's sankeyView and curveView containers. The
 * Sankey and curve elements are the ones shown in the page, so the caller
 * copies them and leaves them unchanged.
 */
export function reportCharts(report, views = {}) {
  const syntheticTimes = report.summary.synthetic_times === true;
  return {
    funnel: chartOfView((root) => renderFunnelView(root, report.funnel, { syntheticTimes })),
    histogram: chartOfView((root) => renderTimingView(root, report.time_to_convert, { syntheticTimes })),
    heatmap: chartOfView((root) => renderRhythmView(root, report.rhythm ?? null)),
    sankey: offeredChart(views.sankeyView),
    curve: offeredChart(views.curveView),
  };
}

// Renders a view with `render(root)` into a new element outside the document
// and returns the chart the view offers for download, or null.
function chartOfView(render) {
  const root = h('div');
  render(root);
  return offeredChart(root);
}

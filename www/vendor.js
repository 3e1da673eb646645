// Entry point that `npm run build:www` bundles into www/build/vendor.js, so the
// page loads the chart libraries from its own origin.
export { graphlib, layout as dagreLayout } from '@dagrejs/dagre';
export { sankey, sankeyLinkHorizontal } from 'd3-sankey';
export { scaleBand, scaleLinear, scaleSequential } from 'd3-scale';
export { interpolateCividis } from 'd3-scale-chromatic';
export { area, curveBasis, curveStepAfter, line } from 'd3-shape';

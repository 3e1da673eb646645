// Entry point that `npm run build:www` bundles into www/build/vendor.js, so the
// page loads the chart libraries from its own origin.
export { sankey, sankeyLinkHorizontal } from 'd3-sankey';
export { scaleLinear } from 'd3-scale';
export { area, curveStepAfter, line } from 'd3-shape';

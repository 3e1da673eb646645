// Entry point that `npm run build:www` bundles into www/build/vendor.js, so the
// page loads the chart library from its own origin.
export { sankey, sankeyLinkHorizontal } from 'd3-sankey';

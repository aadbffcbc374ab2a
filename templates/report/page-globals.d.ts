// Globals of the report page: uPlot is inlined before the page script; the page exposes a small
// API for the browser tests.
declare const uPlot: any;
interface Window {
  fleetReport: unknown;
}

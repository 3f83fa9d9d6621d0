export { DEADLINE_MARGIN_MS, Router, type RouterOptions, type RouteSummary } from './Router';

export { Router, type RouterOptions, type RouteSummary } from './Router';

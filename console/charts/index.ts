// Server-side SVG charts for the quarter's operations page: pure functions from plain data to an
// escaped, accessible <svg> (an Html fragment: interpolate it into a page, or take `.value`).
export { progressChart, monthDay, type ProgressChartInput } from './progress';
export { departmentChart, departmentProgress, progressStateOf, PROGRESS_STATES, type DepartmentProgress, type ProgressState } from './departments';
export { findingsChart, findingsFromStats, type FindingsCounts } from './findings';

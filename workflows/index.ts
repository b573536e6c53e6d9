// The workflow bundle's entry point: every workflow the Lazarus worker registers.
export { workerHealthCheck } from './worker-health-check.ts';

// The workflow bundle's entry point: every workflow the Lazarus worker registers.
export { evacuationWorkflow } from './evacuation-workflow.ts';
export { incidentWorkflow } from './incident-workflow.ts';
export { stormGuardWorkflow } from './storm-guard-workflow.ts';
export { workerHealthCheck } from './worker-health-check.ts';

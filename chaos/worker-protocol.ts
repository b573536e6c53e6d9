// What the harness and its worker processes agree on: where the prebuilt workflow bundle is, and
// the line a worker prints once it polls, with its pid, so the harness can SIGKILL it.
export const BUNDLE_VARIABLE = 'LAZARUS_CHAOS_WORKFLOW_BUNDLE';
export const READY_LINE = 'chaos worker polling, pid';

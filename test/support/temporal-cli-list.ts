import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ListedWorkflow {
  execution: { workflowId: string };
  status: string;
}

/** What `temporal workflow list` shows for a visibility query, as an operator would run it. */
export async function temporalWorkflowList(
  cliPath: string,
  address: string,
  namespace: string,
  query: string,
): Promise<ListedWorkflow[]> {
  const { stdout } = await run(cliPath, [
    'workflow',
    'list',
    '--address',
    address,
    '--namespace',
    namespace,
    '--query',
    query,
    '--output',
    'json',
  ]);
  return JSON.parse(stdout) as ListedWorkflow[];
}

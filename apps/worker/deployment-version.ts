// Worker versioning for the worker process (docs/operations.md#upgrades): which version of the
// deployment this worker declares, and whether Temporal sends it tasks yet. A versioned worker
// takes no task until an operator makes its version current, and one that waits silently leaves
// every incident unserved, so the worker says at start which of the two it is, and what to type.
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { isGrpcServiceError } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { LazarusConfig } from '../../config/load-config.ts';
import { buildId } from '../build-id.ts';

/** The version this worker declares, or undefined when versioning is off (the default). */
export function deploymentVersionOf(
  versioning: LazarusConfig['temporal']['versioning'],
  env: Readonly<Record<string, string | undefined>>,
): WorkerDeploymentVersion | undefined {
  if (!versioning.enabled) return undefined;
  return { deploymentName: versioning.deploymentName, buildId: buildId(env) };
}

/** The command that makes `version` current, as an operator types it. */
function setCurrentCommand(version: WorkerDeploymentVersion): string {
  return `temporal worker deployment set-current-version --deployment-name ${version.deploymentName} --build-id ${version.buildId}`;
}

/** gRPC's NOT_FOUND: no worker of the deployment ever polled. */
const NOT_FOUND = 5;

/** The deployment's current build ID; undefined while no version is current (or none exists yet). */
async function currentBuildId(
  connection: NativeConnection,
  namespace: string,
  deploymentName: string,
): Promise<string | undefined> {
  try {
    const { workerDeploymentInfo } = await connection.workflowService.describeWorkerDeployment({
      namespace,
      deploymentName,
    });
    const buildId = workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId;
    return buildId === undefined || buildId === null || buildId === '' ? undefined : buildId;
  } catch (error) {
    // gRPC's status enum is not a dependency of ours; its codes are plain numbers.
    const code: number | undefined = isGrpcServiceError(error) ? error.code : undefined;
    if (code === NOT_FOUND) return undefined;
    throw error;
  }
}

/** One line for the worker's log: does this version take tasks, and if not, what makes it; never throws. */
export async function versionNotice(
  connection: NativeConnection,
  namespace: string,
  version: WorkerDeploymentVersion,
): Promise<string> {
  const name = `version ${version.buildId} of worker deployment ${version.deploymentName}`;
  let current;
  try {
    current = await currentBuildId(connection, namespace, version.deploymentName);
  } catch (error) {
    // Only a notice: the worker serves whatever the answer, so a refused describe must not stop it.
    return `${name}: cannot tell whether it is current (${error instanceof Error ? error.message : String(error)}); see temporal worker deployment describe --name ${version.deploymentName}`;
  }
  if (current === version.buildId) return `${name} is current: it takes tasks`;
  return (
    `${name} is not current (current: ${current ?? 'none'}), so it takes no task; ` +
    `once lazarus replay passes on this build, make it current with: ${setCurrentCommand(version)}`
  );
}

// The dev server that the global setup hands to every test file.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LAZARUS_SEARCH_ATTRIBUTES } from '../../../../contracts/search-attributes.ts';
import { createLazarusWorker } from '../../../../apps/worker/create-worker.ts';
import { temporalWorkflowList } from '../../../support/temporal-cli-list.ts';
import { idleIncidentDependencies } from '../../../support/idle-incident-dependencies.ts';
import type { workerHealthCheck } from '../../../../workflows/worker-health-check.ts';

const { address, namespace, cliPath } = inject('temporal');

describe('the Temporal dev server of the test run', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address });
  });
  afterAll(async () => {
    await connection.close();
  });

  it('answers for its namespace on the address handed to the tests', async () => {
    const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace });
    expect(namespaceInfo?.name).toBe(namespace);
  });

  it('has every Lazarus search attribute registered as a Keyword', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace,
    });
    for (const name of Object.keys(LAZARUS_SEARCH_ATTRIBUTES)) {
      expect(customAttributes[name], name).toBe(
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      );
    }
  });

  it('runs a workflow from workflows/ on a real Worker and shows it in `temporal workflow list`', async () => {
    const taskQueue = `foundation-${process.pid}`;
    const workerConnection = await NativeConnection.connect({ address });
    try {
      const worker = await createLazarusWorker({
        connection: workerConnection,
        namespace,
        taskQueue,
        dependencies: idleIncidentDependencies(),
      });
      const workflowId = `worker-health-check/${taskQueue}`;
      const health = await worker.runUntil(
        new Client({ connection, namespace }).workflow.execute<typeof workerHealthCheck>(
          'workerHealthCheck',
          { taskQueue, workflowId },
        ),
      );
      // The activity ran in this process, inside the worker we built.
      expect(health.worker).toMatchObject({ pid: process.pid, taskQueue });

      const listed = await temporalWorkflowList(
        cliPath,
        address,
        namespace,
        `WorkflowId = "${workflowId}"`,
      );
      expect(listed.map((entry) => entry.execution.workflowId)).toEqual([workflowId]);
      expect(listed[0]?.status).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');
    } finally {
      await workerConnection.close();
    }
  });
});

// Payload encryption as an operator sets it up: key files written as `openssl rand -base64 32`
// writes them, a lazarus.yaml naming them, and `lazarus codec-server` in its own process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { waitForOutput } from './child-output.ts';
import { LAZARUS_BIN, REPO_ROOT } from './repository.ts';

const { History } = proto.temporal.api.history.v1;

export interface EncryptionSetup {
  /** The lazarus.yaml naming the keys. */
  config: string;
  /** Each key's file content by ID, to prove that none of them is ever printed. */
  keyTexts: Record<string, string>;
}

/**
 * Writes a key file per ID (unless `keyTexts` already has it: a rotation keeps old keys) and a
 * lazarus.yaml with `activeKey` and `keyIds`, plus `temporalYaml` lines in its temporal section.
 */
export async function writeEncryptionConfig(
  directory: string,
  name: string,
  options: {
    activeKey: string;
    keyIds: readonly string[];
    keyTexts?: Record<string, string>;
    temporalYaml?: string;
  },
): Promise<EncryptionSetup> {
  const keyTexts = { ...options.keyTexts };
  const keys: string[] = [];
  for (const id of options.keyIds) {
    const file = join(directory, `${id}.key`);
    if (keyTexts[id] === undefined) {
      keyTexts[id] = randomBytes(32).toString('base64');
      await writeFile(file, `${keyTexts[id]}\n`, { mode: 0o600 });
    }
    keys.push(`      - { id: ${id}, file: ${file} }`);
  }
  const config = join(directory, `${name}.yaml`);
  await writeFile(
    config,
    `temporal:\n${options.temporalYaml ?? ''}  payloadEncryption:\n    activeKey: ${options.activeKey}\n    keys:\n${keys.join('\n')}\n`,
  );
  return { config, keyTexts };
}

export interface CodecServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Everything it printed so far, both streams. */
  output(): string;
}

/** `lazarus codec-server` on a free loopback port, resolved once it listens. */
export async function startCodecServerProcess(
  args: readonly string[],
): Promise<CodecServerProcess> {
  const child = spawn(
    process.execPath,
    [LAZARUS_BIN, 'codec-server', '--listen', '127.0.0.1:0', ...args],
    { cwd: REPO_ROOT },
  );
  let printed = '';
  const keep = (chunk: Buffer): void => {
    printed += chunk.toString();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const [, url = ''] = await waitForOutput(child, /listening on (http:\/\/\S+)/);
  return { child, url, output: () => printed };
}

export type StoredHistory = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** The history of a workflow as stored, every payload as the server holds it. */
export function storedHistory(client: Client, workflowId: string): Promise<StoredHistory> {
  return client.workflow.getHandle(workflowId).fetchHistory();
}

/** The history's protobuf bytes, to search for plaintext as someone reading the database would. */
export function bytesOf(history: StoredHistory): Buffer {
  return Buffer.from(History.encode(history).finish());
}

/** Every payload of every event of a history (inputs, results, signals, markers, metadata). */
export function payloadsIn(value: unknown): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return [];
  if (Array.isArray(value)) return value.flatMap(payloadsIn);
  const record = value as Record<string, unknown>;
  const isPayload = 'metadata' in record && 'data' in record;
  return [
    ...(isPayload ? [record as Payload] : []),
    ...Object.entries(record).flatMap(([key, child]) =>
      key === 'metadata' ? [] : payloadsIn(child),
    ),
  ];
}

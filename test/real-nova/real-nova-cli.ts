// Starts a real Nova on loopback, prints one JSON line describing it, and runs until interrupted:
//   node --import tsx test/real-nova/real-nova-cli.ts [--computes N] [--keep-files]
// Progress goes to stderr; stdout carries only the JSON line, so scripts can read it.
import { parseArgs } from 'node:util';
import { startRealNova } from './real-nova.ts';

const { values } = parseArgs({
  options: {
    computes: { type: 'string', default: '3' },
    'keep-files': { type: 'boolean', default: false },
  },
});
const computeCount = Number(values.computes);
if (!Number.isInteger(computeCount) || computeCount < 1) {
  console.error(`--computes must be a positive integer, not "${values.computes}"`);
  process.exit(64);
}

const started = Date.now();
const nova = await startRealNova({ computeCount, keepFiles: values['keep-files'] });
console.log(
  JSON.stringify({
    keystoneUrl: nova.keystoneUrl,
    authUrl: `${nova.keystoneUrl}/v3`,
    novaUrl: nova.novaUrl,
    credentials: nova.credentials,
    cloudsYaml: nova.cloudsYaml,
    cloudName: nova.cloudName,
    computeHosts: nova.computeHosts,
    imageId: nova.imageId,
    flavorId: nova.flavorId,
    bmcs: nova.bmcs,
    logs: `${nova.dir}/logs`,
    startMs: Date.now() - started,
    timings: nova.timings,
  }),
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.error(`real-nova: ${signal}, stopping every process`);
  await nova.stop();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => {
    void shutdown(signal);
  });

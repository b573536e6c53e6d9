// fenceHost as an activity: the host's fencing levels from the configuration (its BMC, then the PDU
// outlets feeding it), each powered off and read back until Off. Only a FencingProof lets the
// incident go on (docs/design.md#i1-fence-before-evacuate, docs/design.md#i4-force-down-after-fence,
// docs/design.md#fencing-levels); anything else is a typed failure: FencingUnproven, Bmc*, or
// ConfigurationInvalid for a host that no BMC entry and no PDU outlet covers.
import type { FencingLevel, FencingProof } from '../fencing/index.ts';
import { fenceThroughLevels } from '../fencing/index.ts';
import { heartbeatWhile } from './activity-support.ts';
import type { FencingProvider } from './incident-dependencies.ts';

export function fenceHostThroughItsBmc(
  host: string,
  fencing: FencingProvider,
): Promise<FencingProof> {
  return heartbeatWhile(
    fenceThroughLevels(host, levelsOf(host, fencing), fencing.timing),
    fencing.timing.pollIntervalMs,
  );
}

function levelsOf(host: string, fencing: FencingProvider): FencingLevel[] {
  if (fencing.levelsFor !== undefined) return fencing.levelsFor(host);
  // A provider that knows only BMCs (a test's, say): the BMC is the one level.
  return [
    {
      level: 1,
      device: 'bmc',
      describedAs: `the BMC of ${host}`,
      connect: () => fencing.driverFor(host),
    },
  ];
}

import { describe, expect, it } from 'vitest';
import { powerStepsOf } from '../../../simulator/bmc/redfish-reset.ts';

describe('what each Redfish ResetType does to the power', () => {
  it.each([
    ['ForceOff', 'On', ['Off']],
    ['ForceOff', 'Off', []],
    ['GracefulShutdown', 'On', ['Off']],
    ['On', 'Off', ['On']],
    ['ForceOn', 'On', []],
    ['PushPowerButton', 'On', ['Off']],
    ['PushPowerButton', 'Off', ['On']],
    ['ForceRestart', 'On', ['Off', 'On']],
    ['PowerCycle', 'Off', ['On']],
    ['Nmi', 'On', []],
  ] as const)('%s on a host that is %s goes through %j', (resetType, current, steps) => {
    expect(powerStepsOf(resetType, current)).toEqual(steps);
  });
});

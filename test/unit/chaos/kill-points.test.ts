// The worker's kill point: parsed strictly, and firing exactly at the chosen execution, before the
// activity's call or after it returned.
import { describe, expect, it } from 'vitest';
import type { KillPoint } from '../../../chaos/kill-points.ts';
import { killSwitch, parseKillPoint } from '../../../chaos/kill-points.ts';

/** Runs activities of the given types, in order, through the switch; records what happened. */
async function execute(point: KillPoint, types: string[]): Promise<string[]> {
  const events: string[] = [];
  const around = killSwitch(point, () => {
    events.push('die');
  });
  for (const [i, activityType] of types.entries()) {
    await around(activityType, () => {
      events.push(`${activityType}#${i}`);
      return Promise.resolve();
    });
  }
  return events;
}

describe('parseKillPoint', () => {
  it('reads an activity type, a moment and an occurrence', () => {
    expect(parseKillPoint('evacuateInstance:after:2')).toEqual({
      activityType: 'evacuateInstance',
      moment: 'after',
      occurrence: 2,
    });
  });

  it.each([
    'evacuateInstance',
    'evacuateInstance:during:1',
    'evacuateInstance:after:0',
    'evacuateInstance:after:x',
    ':before:1',
    'a:before:1:extra',
  ])('refuses %s with an example of the right form', (text) => {
    expect(() => parseKillPoint(text)).toThrow(/must look like evacuateInstance:after:1/);
  });
});

describe('killSwitch', () => {
  it('dies before the chosen execution of its activity type, letting every other one through', async () => {
    expect(
      await execute({ activityType: 'evacuateInstance', moment: 'before', occurrence: 2 }, [
        'fenceHost',
        'evacuateInstance',
        'evacuateInstance',
      ]),
    ).toEqual(['fenceHost#0', 'evacuateInstance#1', 'die', 'evacuateInstance#2']);
  });

  it('dies after the chosen execution has returned, before its result could be reported', async () => {
    expect(
      await execute({ activityType: 'verifyLanding', moment: 'after', occurrence: 1 }, [
        'verifyLanding',
        'verifyLanding',
      ]),
    ).toEqual(['verifyLanding#0', 'die', 'verifyLanding#1']);
  });
});

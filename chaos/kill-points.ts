// A worker that dies at an activity boundary: before the activity's call, or after its side effect
// took place but before the worker reported it. Off unless LAZARUS_CHAOS_KILL_AT is set, and only
// the chaos harness's own worker entry point (chaos-worker.ts) registers it.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export type BoundaryMoment = 'before' | 'after';

export interface KillPoint {
  activityType: string;
  moment: BoundaryMoment;
  /** The n-th execution of that activity type in this process, from 1. */
  occurrence: number;
}

/** Every boundary of an incident's path, each activity before and after. */
export const ACTIVITY_BOUNDARIES: readonly KillPoint[] = [
  'fenceHost',
  'forceDownComputeService',
  'listInstancesOnHost',
  'evacuateInstance',
  'verifyLanding',
].flatMap((activityType) =>
  (['before', 'after'] as const).map((moment) => ({ activityType, moment, occurrence: 1 })),
);

export const KILL_AT_VARIABLE = 'LAZARUS_CHAOS_KILL_AT';

export function formatKillPoint(point: KillPoint): string {
  return `${point.activityType}:${point.moment}:${point.occurrence}`;
}

/** `<activityType>:<before|after>:<n>`; a malformed value is an error, never silently no kill. */
export function parseKillPoint(text: string): KillPoint {
  const [activityType, moment, occurrence, ...rest] = text.split(':');
  const n = Number(occurrence);
  if (
    activityType === undefined ||
    activityType === '' ||
    (moment !== 'before' && moment !== 'after') ||
    !Number.isInteger(n) ||
    n < 1 ||
    rest.length > 0
  ) {
    throw new Error(
      `${KILL_AT_VARIABLE}="${text}" must look like evacuateInstance:after:1 (an activity type, before or after, and which execution from 1)`,
    );
  }
  return { activityType, moment, occurrence: n };
}

/** Counts executions of the point's activity type and calls `die` at the chosen one, before or after it. */
export function killSwitch(
  point: KillPoint,
  die: () => void,
): <T>(activityType: string, call: () => Promise<T>) => Promise<T> {
  let seen = 0;
  return async (activityType, call) => {
    if (activityType !== point.activityType) return call();
    seen += 1;
    if (seen !== point.occurrence) return call();
    if (point.moment === 'before') {
      die();
      return call();
    }
    try {
      return await call();
    } finally {
      die();
    }
  };
}

/** The worker interceptor around every activity execution. */
export function killAt(point: KillPoint, die: () => void): ActivityInterceptorsFactory {
  const around = killSwitch(point, die);
  return (context) => ({
    inbound: { execute: (input, next) => around(context.info.activityType, () => next(input)) },
  });
}

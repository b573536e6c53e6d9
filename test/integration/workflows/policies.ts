// Evacuation policies of the scenarios. The seeded world has few instances per host that the
// default policy evacuates, so the scenarios assume shared instance storage, as many pet clouds have.
import { DEFAULT_EVACUATION_POLICY } from '../../../domain/evacuation-policy.ts';
import type { EvacuationPolicy } from '../../../domain/evacuation-policy.ts';

/** Protected instances only, image-backed ones included. */
export const SHARED_STORAGE_POLICY: EvacuationPolicy = {
  ...DEFAULT_EVACUATION_POLICY,
  imageBackedOnLocalDisk: 'evacuate',
};

/** Every instance Nova can evacuate, protected or not. */
export const EVERY_INSTANCE_POLICY: EvacuationPolicy = { ...SHARED_STORAGE_POLICY, protect: 'all' };

// The parts of Redfish resources fencing relies on (DMTF ComputerSystem, ActionInfo, Task schemas;
// docs/nova-and-bmc-facts.md#systems-and-power-state,
// docs/nova-and-bmc-facts.md#reset-and-allowed-values), validated at the edge. Everything else a
// BMC sends is ignored.
import { z } from 'zod';
import type { PowerState } from './fence-driver.ts';

export const SYSTEMS_PATH = '/redfish/v1/Systems';

export const collectionSchema = z.object({
  Members: z.array(z.object({ '@odata.id': z.string() })),
});

const POWER_STATES = ['On', 'Off', 'PoweringOn', 'PoweringOff', 'Paused'] as const;

/**
 * A resource's `PowerState` (a ComputerSystem's, a PDU outlet's). Redfish allows null, and vendors
 * add states; both read as Unknown rather than failing the read.
 */
export const powerStateField = z
  .string()
  .nullish()
  .transform((state): PowerState =>
    (POWER_STATES as readonly (string | null | undefined)[]).includes(state)
      ? (state as PowerState)
      : 'Unknown',
  );

export const computerSystemSchema = z.object({
  PowerState: powerStateField,
  Actions: z.object({
    '#ComputerSystem.Reset': z.object({
      target: z.string(),
      'ResetType@Redfish.AllowableValues': z.array(z.string()).optional(),
      '@Redfish.ActionInfo': z.string().optional(),
    }),
  }),
});

export type ComputerSystem = z.infer<typeof computerSystemSchema>;

export const actionInfoSchema = z.object({
  Parameters: z
    .array(z.object({ Name: z.string(), AllowableValues: z.array(z.string()).optional() }))
    .optional(),
});

/** A task monitor's last answer may carry the Task; its state says whether the reset failed. */
export const taskSchema = z.object({
  TaskState: z.string().optional(),
  Messages: z.array(z.object({ Message: z.string().optional() })).optional(),
});

export const FAILED_TASK_STATES: ReadonlySet<string> = new Set([
  'Exception',
  'Killed',
  'Cancelled',
  'Interrupted',
]);

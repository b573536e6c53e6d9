// The parts of the DMTF PowerDistribution and Outlet schemas (Redfish 2020.4 and later) that fencing
// through a PDU relies on (docs/nova-and-bmc-facts.md#switched-pdus-over-redfish), validated at the
// edge. Everything else a PDU sends is ignored.
import { z } from 'zod';
import { powerStateField } from './redfish-resources.ts';

export const RACK_PDUS_PATH = '/redfish/v1/PowerEquipment/RackPDUs';

export const outletSchema = z.object({
  PowerState: powerStateField,
  /** False when the outlet cannot be switched (Outlet.v1_4: PowerControlLocked true means the same). */
  PowerEnabled: z.boolean().optional(),
  PowerControlLocked: z.boolean().optional(),
  Actions: z
    .object({
      '#Outlet.PowerControl': z.object({ target: z.string() }).optional(),
    })
    .optional(),
});

export type Outlet = z.infer<typeof outletSchema>;

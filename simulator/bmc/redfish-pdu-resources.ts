// Resource bodies of a simulated rack PDU, after the DMTF PowerDistribution and Outlet schemas
// (Redfish 2020.4's PowerEquipment model; docs/nova-and-bmc-facts.md#switched-pdus-over-redfish), with
// only the properties a fencing client needs.
import type { PowerState } from './bmc-contract.ts';
import { collection, link, SERVICE_ROOT, serviceRoot } from './redfish-resources.ts';

export const POWER_EQUIPMENT = `${SERVICE_ROOT}/PowerEquipment`;
export const RACK_PDUS = `${POWER_EQUIPMENT}/RackPDUs`;

/** What Outlet.PowerControl's PowerState parameter takes. */
export const OUTLET_POWER_CONTROLS = ['On', 'Off', 'PowerCycle'] as const;

export const rackPduPathOf = (id: string) => `${RACK_PDUS}/${id}`;
export const outletsPathOf = (pduId: string) => `${rackPduPathOf(pduId)}/Outlets`;
export const outletPathOf = (pduId: string, id: string) => `${outletsPathOf(pduId)}/${id}`;
export const powerControlTargetOf = (pduId: string, id: string) =>
  `${outletPathOf(pduId, id)}/Actions/Outlet.PowerControl`;

export const pduServiceRoot = (uuid: string) =>
  serviceRoot(uuid, { PowerEquipment: link(POWER_EQUIPMENT) });

export function powerEquipment() {
  return {
    '@odata.type': '#PowerEquipment.v1_2_0.PowerEquipment',
    Id: 'PowerEquipment',
    Name: 'Power Equipment',
    RackPDUs: link(RACK_PDUS),
    '@odata.id': POWER_EQUIPMENT,
  };
}

export const rackPdusCollection = (pduId: string) =>
  collection('PowerDistributionCollection', 'Rack PDU Collection', RACK_PDUS, [
    rackPduPathOf(pduId),
  ]);

export function rackPdu(pduId: string) {
  return {
    '@odata.type': '#PowerDistribution.v1_3_0.PowerDistribution',
    Id: pduId,
    Name: 'Simulated rack PDU',
    EquipmentType: 'RackPDU',
    Manufacturer: 'Lazarus simulator',
    Status: { State: 'Enabled', Health: 'OK' },
    Outlets: link(outletsPathOf(pduId)),
    '@odata.id': rackPduPathOf(pduId),
  };
}

export const outletsCollection = (pduId: string, ids: readonly string[]) =>
  collection(
    'OutletCollection',
    'Outlet Collection',
    outletsPathOf(pduId),
    ids.map((id) => outletPathOf(pduId, id)),
  );

export function outlet(pduId: string, id: string, host: string, powerState: PowerState) {
  return {
    '@odata.type': '#Outlet.v1_4_3.Outlet',
    Id: id,
    Name: `Outlet ${id}`,
    UserLabel: host,
    PowerEnabled: true,
    PowerState: powerState,
    Status: { State: 'Enabled', Health: 'OK' },
    Actions: {
      '#Outlet.PowerControl': {
        target: powerControlTargetOf(pduId, id),
        'PowerState@Redfish.AllowableValues': OUTLET_POWER_CONTROLS,
      },
    },
    '@odata.id': outletPathOf(pduId, id),
  };
}

// A simulated rack PDU's Redfish service: PowerEquipment → RackPDUs → one PowerDistribution → its
// Outlets, each with Outlet.PowerControl (Off, On, PowerCycle), behind the same accounts and routing
// as a host's BMC.
import { randomUUID } from 'node:crypto';
import type { PduOutlets } from './pdu-outlets.ts';
import { RedfishAccounts } from './redfish-accounts.ts';
import { redfishError } from './redfish-errors.ts';
import type { RedfishRequest, RedfishResponse } from './redfish-http.ts';
import {
  outlet,
  outletPathOf,
  outletsCollection,
  outletsPathOf,
  OUTLET_POWER_CONTROLS,
  POWER_EQUIPMENT,
  powerControlTargetOf,
  powerEquipment,
  pduServiceRoot,
  RACK_PDUS,
  rackPdu,
  rackPduPathOf,
  rackPdusCollection,
} from './redfish-pdu-resources.ts';
import { SERVICE_ROOT } from './redfish-resources.ts';
import type { Route } from './redfish-routes.ts';
import { dispatch, exactly, ok, parseJsonObject } from './redfish-routes.ts';

export interface RedfishPduServiceOptions {
  outlets: PduOutlets;
  pduId: string;
  username: string;
  password: string;
  timeScale: number;
}

export class RedfishPduService {
  private readonly uuid = randomUUID();
  private readonly accounts: RedfishAccounts;
  private readonly routes: readonly Route[];

  constructor(private readonly options: RedfishPduServiceOptions) {
    const { pduId, outlets } = options;
    this.accounts = new RedfishAccounts({
      username: options.username,
      password: options.password,
      timeScale: options.timeScale,
      faults: () => outlets.faults,
    });
    const outletRoute = new RegExp(`^${outletPathOf(pduId, '([^/]+)')}$`);
    const controlRoute = new RegExp(
      `^${powerControlTargetOf(pduId, '([^/]+)').replace(/[.]/g, '\\.')}$`,
    );
    this.routes = [
      {
        path: exactly(SERVICE_ROOT),
        handlers: { GET: () => ok(pduServiceRoot(this.uuid)) },
        anonymous: ['GET'],
      },
      { path: exactly(POWER_EQUIPMENT), handlers: { GET: () => ok(powerEquipment()) } },
      { path: exactly(RACK_PDUS), handlers: { GET: () => ok(rackPdusCollection(pduId)) } },
      { path: exactly(rackPduPathOf(pduId)), handlers: { GET: () => ok(rackPdu(pduId)) } },
      {
        path: exactly(outletsPathOf(pduId)),
        handlers: { GET: () => ok(outletsCollection(pduId, outlets.ids())) },
      },
      { path: outletRoute, handlers: { GET: (request, [id]) => this.outlet(request, id) } },
      {
        path: controlRoute,
        handlers: { POST: (request, [id]) => this.powerControl(request, id) },
      },
      ...this.accounts.routes(),
    ];
  }

  handle(request: RedfishRequest): RedfishResponse {
    return dispatch(this.routes, request, (authenticating) =>
      this.accounts.isAuthenticated(authenticating),
    );
  }

  private outlet(request: RedfishRequest, id: string | undefined): RedfishResponse {
    const { outlets, pduId } = this.options;
    if (id === undefined || !outlets.has(id))
      return redfishError('ResourceMissingAtURI', [request.path]);
    const host = Object.entries(outlets.feeds).find(([, ids]) => ids.includes(id))?.[0] ?? 'unused';
    return ok(outlet(pduId, id, host, outlets.reported(id)));
  }

  private powerControl(request: RedfishRequest, id: string | undefined): RedfishResponse {
    const action = 'Outlet.PowerControl';
    const { outlets } = this.options;
    if (id === undefined || !outlets.has(id))
      return redfishError('ResourceMissingAtURI', [request.path]);
    const body = parseJsonObject(request.body === '' ? '{}' : request.body);
    if (!body) return redfishError('MalformedJSON');
    const state = body.PowerState;
    if (state === undefined) return redfishError('ActionParameterMissing', [action, 'PowerState']);
    if (!(OUTLET_POWER_CONTROLS as readonly unknown[]).includes(state))
      return redfishError('ActionParameterValueNotInList', [
        typeof state === 'string' ? state : JSON.stringify(state),
        'PowerState',
        action,
      ]);
    if (state === 'PowerCycle') {
      outlets.switch(id, 'Off');
      outlets.switch(id, 'On');
    } else outlets.switch(id, state as 'On' | 'Off');
    return { status: 204 };
  }
}

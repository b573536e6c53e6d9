// The simulator's own control API under /_sim: failures, faults, the ledger and the state.
import { z } from 'zod';
import type { BmcFaults } from '../bmc/bmc-contract.ts';
import type { Reply, RequestHandler, Route } from '../http/server.ts';
import { matchRoute, readText, segmentsOf, send } from '../http/server.ts';
import { faultRuleSchema } from '../http/faults.ts';
import { failureModes } from '../world/model.ts';
import { WorldError } from '../world/world.ts';
import type { SimulatorControls } from '../controls.ts';

const failSchema = z.object({ mode: z.enum(failureModes) }).strict();
const powerSchema = z.object({ state: z.enum(['On', 'Off']) }).strict();
const deviceFaultsSchema = z
  .object({
    unreachable: z.boolean().optional(),
    badCredentials: z.boolean().optional(),
    ignorePowerOff: z.boolean().optional(),
    misreportPower: z.enum(['On', 'Off']).optional(),
    latencyMs: z.number().nonnegative().optional(),
  })
  .strict();
const bmcFaultsSchema = z
  .object({ bmc: z.object({ host: z.string(), faults: deviceFaultsSchema }) })
  .strict();
// The rack PDU (started with a PDU only) takes the same faults; an ignored power-off is a welded relay.
const pduFaultsSchema = z.object({ pdu: z.object({ faults: deviceFaultsSchema }) }).strict();
const faultsSchema = z.union([bmcFaultsSchema, pduFaultsSchema, faultRuleSchema]);

type AdminHandler = (
  controls: SimulatorControls,
  params: Record<string, string>,
  body: unknown,
) => unknown;

const routes: readonly Route<AdminHandler>[] = [
  {
    method: 'POST',
    pattern: '_sim/hosts/{host}/fail',
    handler: (c, p, body) => {
      c.failHost(p.host ?? '', failSchema.parse(body).mode);
      return c.state();
    },
  },
  {
    method: 'POST',
    pattern: '_sim/hosts/{host}/restart-compute',
    handler: (c, p) => {
      c.restartCompute(p.host ?? '');
      return c.state();
    },
  },
  {
    method: 'POST',
    pattern: '_sim/hosts/{host}/power',
    handler: (c, p, body) => {
      c.setPower(p.host ?? '', powerSchema.parse(body).state);
      return c.state();
    },
  },
  {
    method: 'POST',
    pattern: '_sim/faults',
    handler: (c, _p, body) => {
      const fault = faultsSchema.parse(body);
      if ('bmc' in fault) c.setBmcFaults(fault.bmc.host, withoutUndefined(fault.bmc.faults));
      else if ('pdu' in fault) c.setPduFaults(withoutUndefined(fault.pdu.faults));
      else c.addFault(fault);
      return { faults: c.faults() };
    },
  },
  { method: 'GET', pattern: '_sim/faults', handler: (c) => ({ faults: c.faults() }) },
  {
    method: 'DELETE',
    pattern: '_sim/faults',
    handler: (c) => {
      c.clearFaults();
      return { faults: c.faults() };
    },
  },
  {
    method: 'POST',
    pattern: '_sim/keystone/expire-tokens',
    handler: (c) => {
      c.expireTokens();
      return {};
    },
  },
  {
    method: 'POST',
    pattern: '_sim/keystone/rotate-password',
    handler: (c) => {
      c.rotatePassword();
      return {};
    },
  },
  { method: 'GET', pattern: '_sim/ledger', handler: (c) => ({ entries: c.ledger() }) },
  {
    method: 'GET',
    pattern: '_sim/requests',
    handler: (c) => ({ nova: c.novaRequests(), novaByKind: c.novaRequestsByKind() }),
  },
  { method: 'GET', pattern: '_sim/invariants', handler: (c) => c.invariants() },
  { method: 'GET', pattern: '_sim/state', handler: (c) => c.state() },
];

export function createAdminHandler(controls: SimulatorControls): RequestHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readText(req);
    send(res, answer(controls, req.method ?? 'GET', segmentsOf(url.pathname), text));
  };
}

function answer(
  controls: SimulatorControls,
  method: string,
  segments: string[],
  text: string,
): Reply {
  const match = matchRoute(routes, method, segments);
  if (match.kind === 'missing')
    return { status: 404, body: { error: `no such admin endpoint; see simulator/admin/app.ts` } };
  if (match.kind === 'wrong-method')
    return { status: 405, body: { error: `${method} is not allowed here` } };
  try {
    const body: unknown = text === '' ? {} : JSON.parse(text);
    return { status: 200, body: match.route.handler(controls, match.params, body) };
  } catch (error) {
    if (error instanceof WorldError)
      return { status: error.status, body: { error: error.message } };
    if (error instanceof z.ZodError)
      return { status: 400, body: { error: z.prettifyError(error) } };
    if (error instanceof SyntaxError)
      return { status: 400, body: { error: `request body is not JSON: ${error.message}` } };
    throw error;
  }
}

/** zod's optional keys may hold undefined; the BMC contract's optional keys may not. */
function withoutUndefined(faults: {
  [K in keyof BmcFaults]?: BmcFaults[K] | undefined;
}): BmcFaults {
  const result: BmcFaults = {};
  for (const [key, value] of Object.entries(faults)) {
    if (value !== undefined) Object.assign(result, { [key]: value });
  }
  return result;
}

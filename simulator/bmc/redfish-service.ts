// One host's Redfish service: routes a request to the resource it names, enforces authentication
// (Basic or X-Auth-Token; the service root and session login are anonymous,
// docs/nova-and-bmc-facts.md#sessions-and-basic-auth) and
// performs ComputerSystem.Reset.
import { randomUUID } from 'node:crypto';
import type { BmcPower } from './bmc-power.ts';
import { redfishError } from './redfish-errors.ts';
import type { RedfishRequest, RedfishResponse } from './redfish-http.ts';
import {
  computerSystem,
  resetActionInfo,
  resetActionInfoPathOf,
  resetTargetOf,
  serviceRoot,
  SERVICE_ROOT,
  systemPathOf,
  SYSTEMS,
  systemsCollection,
  TASK_MONITORS,
  TASK_SERVICE,
  TASKS,
  taskService,
  tasksCollection,
} from './redfish-resources.ts';
import { isResetType, powerStepsOf } from './redfish-reset.ts';
import { RedfishAccounts } from './redfish-accounts.ts';
import type { Route } from './redfish-routes.ts';
import { dispatch, exactly, ok, parseJsonObject, withId } from './redfish-routes.ts';
import { RedfishTasks } from './redfish-tasks.ts';
import { realMs } from './simulated-time.ts';

export interface RedfishServiceOptions {
  power: BmcPower;
  systemId: string;
  username: string;
  password: string;
  responseStyle: '204' | '202';
  powerTransitionMs: number;
  timeScale: number;
}

export class RedfishService {
  private readonly uuid = randomUUID();
  private readonly systemUuid = randomUUID();
  private readonly accounts: RedfishAccounts;
  private readonly tasks = new RedfishTasks();
  private readonly routes: readonly Route[];

  constructor(private readonly options: RedfishServiceOptions) {
    this.accounts = new RedfishAccounts({
      username: options.username,
      password: options.password,
      timeScale: options.timeScale,
      faults: () => options.power.faults,
    });
    const { systemId } = options;
    this.routes = [
      {
        path: exactly('/redfish'),
        handlers: { GET: () => ok({ v1: `${SERVICE_ROOT}/` }) },
        anonymous: ['GET'],
      },
      {
        path: exactly(SERVICE_ROOT),
        handlers: { GET: () => ok(serviceRoot(this.uuid)) },
        anonymous: ['GET'],
      },
      { path: exactly(SYSTEMS), handlers: { GET: () => ok(systemsCollection(systemId)) } },
      { path: exactly(systemPathOf(systemId)), handlers: { GET: () => ok(this.system()) } },
      {
        path: exactly(resetActionInfoPathOf(systemId)),
        handlers: { GET: () => ok(resetActionInfo(systemId)) },
      },
      {
        path: exactly(resetTargetOf(systemId)),
        handlers: { POST: (request) => this.reset(request) },
      },
      { path: exactly(TASK_SERVICE), handlers: { GET: () => ok(taskService()) } },
      { path: exactly(TASKS), handlers: { GET: () => ok(tasksCollection(this.tasks.paths())) } },
      { path: withId(TASKS), handlers: { GET: (request, [id]) => this.taskResource(request, id) } },
      {
        path: withId(TASK_MONITORS),
        handlers: { GET: (request, [id]) => this.taskMonitor(request, id) },
      },
      ...this.accounts.routes(),
    ];
  }

  handle(request: RedfishRequest): RedfishResponse {
    return dispatch(this.routes, request, (authenticating) =>
      this.accounts.isAuthenticated(authenticating),
    );
  }

  private system() {
    return computerSystem(
      this.options.systemId,
      this.options.power.host,
      this.systemUuid,
      this.options.power.reported(),
    );
  }

  private reset(request: RedfishRequest): RedfishResponse {
    const action = 'ComputerSystem.Reset';
    const body = parseJsonObject(request.body === '' ? '{}' : request.body);
    if (!body) return redfishError('MalformedJSON');
    const resetType = body.ResetType;
    if (resetType === undefined)
      return redfishError('ActionParameterMissing', [action, 'ResetType']);
    if (!isResetType(resetType))
      return redfishError('ActionParameterValueNotInList', [
        typeof resetType === 'string' ? resetType : JSON.stringify(resetType),
        'ResetType',
        action,
      ]);
    const { power, powerTransitionMs, timeScale } = this.options;
    // A second command while the power is still changing is refused with 409 ResourceInUse, as many
    // BMCs do; clients should read PowerState and decide
    // (docs/nova-and-bmc-facts.md#status-codes-and-tasks).
    if (power.isInTransition()) return redfishError('ResourceInUse');
    const steps = powerStepsOf(resetType, power.actual());
    const work = power.transitionThrough(steps, powerTransitionMs, 'redfish');
    if (this.options.responseStyle === '204') return { status: 204 };
    const task = this.tasks.start(
      work,
      Date.now() + steps.length * realMs(powerTransitionMs, timeScale),
    );
    return {
      status: 202,
      headers: this.taskHeaders(task.monitorPath, task.retryAfterSeconds()),
      body: task.resource(),
    };
  }

  private taskHeaders(monitorPath: string, retryAfterSeconds: number): Record<string, string> {
    return { Location: monitorPath, 'Retry-After': String(retryAfterSeconds) };
  }

  private taskResource(request: RedfishRequest, id: string | undefined): RedfishResponse {
    const task = id === undefined ? undefined : this.tasks.find(id);
    return task ? ok(task.resource()) : redfishError('ResourceMissingAtURI', [request.path]);
  }

  private taskMonitor(request: RedfishRequest, id: string | undefined): RedfishResponse {
    const task = id === undefined ? undefined : this.tasks.find(id);
    if (!task) return redfishError('ResourceMissingAtURI', [request.path]);
    if (!task.isRunning()) return { status: 204 };
    return {
      status: 202,
      headers: this.taskHeaders(task.monitorPath, task.retryAfterSeconds()),
      body: task.resource(),
    };
  }
}

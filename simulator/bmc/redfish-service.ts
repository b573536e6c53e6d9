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
  SESSIONS,
  SESSION_SERVICE,
  sessionResource,
  sessionService,
  sessionsCollection,
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
import type { RedfishSession } from './redfish-sessions.ts';
import { RedfishSessions } from './redfish-sessions.ts';
import { RedfishTasks } from './redfish-tasks.ts';
import { realMs } from './simulated-time.ts';

/** A common BMC default (iDRAC, iLO); the DMTF schema allows 30 to 86400 seconds. */
const SESSION_TIMEOUT_SECONDS = 1800;

export interface RedfishServiceOptions {
  power: BmcPower;
  systemId: string;
  username: string;
  password: string;
  responseStyle: '204' | '202';
  powerTransitionMs: number;
  timeScale: number;
}

type Method = 'GET' | 'POST' | 'DELETE';
type Handler = (request: RedfishRequest, params: readonly string[]) => RedfishResponse;

interface Route {
  path: RegExp;
  handlers: Partial<Record<Method, Handler>>;
  /** Methods served without authentication. */
  anonymous?: readonly Method[];
}

const ok = (body: unknown): RedfishResponse => ({ status: 200, body });
const exactly = (path: string) => new RegExp(`^${path.replace(/[.]/g, '\\.')}$`);
const withId = (collectionPath: string) => new RegExp(`^${collectionPath}/([^/]+)$`);

export class RedfishService {
  private readonly uuid = randomUUID();
  private readonly systemUuid = randomUUID();
  private readonly sessions: RedfishSessions;
  private readonly tasks = new RedfishTasks();
  private readonly routes: readonly Route[];

  constructor(private readonly options: RedfishServiceOptions) {
    this.sessions = new RedfishSessions(SESSION_TIMEOUT_SECONDS, options.timeScale);
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
      {
        path: exactly(SESSION_SERVICE),
        handlers: { GET: () => ok(sessionService(this.sessions.timeoutSeconds)) },
      },
      {
        path: exactly(SESSIONS),
        handlers: {
          GET: () =>
            ok(
              sessionsCollection(
                this.sessions.live().map((session) => `${SESSIONS}/${session.id}`),
              ),
            ),
          POST: (request) => this.logIn(request),
        },
        anonymous: ['POST'],
      },
      {
        path: withId(SESSIONS),
        handlers: {
          GET: (request, [id]) =>
            this.withSession(request, id, (session) => ok(this.sessionBody(session))),
          DELETE: (request, [id]) =>
            this.withSession(request, id, (session) => this.logOut(session)),
        },
      },
      { path: exactly(TASK_SERVICE), handlers: { GET: () => ok(taskService()) } },
      { path: exactly(TASKS), handlers: { GET: () => ok(tasksCollection(this.tasks.paths())) } },
      { path: withId(TASKS), handlers: { GET: (request, [id]) => this.taskResource(request, id) } },
      {
        path: withId(TASK_MONITORS),
        handlers: { GET: (request, [id]) => this.taskMonitor(request, id) },
      },
    ];
  }

  handle(request: RedfishRequest): RedfishResponse {
    for (const route of this.routes) {
      const match = route.path.exec(request.path);
      if (!match) continue;
      const method = request.method as Method;
      const handler = route.handlers[method];
      if (!handler)
        return redfishError('OperationNotAllowed', [], {
          Allow: Object.keys(route.handlers).join(', '),
        });
      if (!route.anonymous?.includes(method) && !this.isAuthenticated(request)) {
        return redfishError('NoValidSession', [], { 'WWW-Authenticate': 'Basic realm="Redfish"' });
      }
      return handler(request, match.slice(1));
    }
    return redfishError('ResourceMissingAtURI', [request.path]);
  }

  private system() {
    return computerSystem(
      this.options.systemId,
      this.options.power.host,
      this.systemUuid,
      this.options.power.reported(),
    );
  }

  /** badCredentials models a BMC whose password was changed behind our back: nothing authenticates. */
  private credentialsMatch(username: unknown, password: unknown): boolean {
    return (
      !this.options.power.faults.badCredentials &&
      username === this.options.username &&
      password === this.options.password
    );
  }

  private isAuthenticated(request: RedfishRequest): boolean {
    const token = request.headers['x-auth-token'];
    if (typeof token === 'string')
      return !this.options.power.faults.badCredentials && this.sessions.use(token) !== undefined;
    const [scheme, encoded] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'basic' || encoded === undefined) return false;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && this.credentialsMatch(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  private logIn(request: RedfishRequest): RedfishResponse {
    const body = parseJsonObject(request.body);
    if (!body) return redfishError('MalformedJSON');
    for (const property of ['UserName', 'Password']) {
      if (typeof body[property] !== 'string') return redfishError('PropertyMissing', [property]);
    }
    if (!this.credentialsMatch(body.UserName, body.Password)) return redfishError('NoValidSession');
    const session = this.sessions.open(this.options.username);
    const location = `${SESSIONS}/${session.id}`;
    return {
      status: 201,
      headers: { 'X-Auth-Token': session.token, Location: location },
      body: this.sessionBody(session),
    };
  }

  private logOut(session: RedfishSession): RedfishResponse {
    this.sessions.close(session);
    return { status: 204 };
  }

  private withSession(
    request: RedfishRequest,
    id: string | undefined,
    act: (session: RedfishSession) => RedfishResponse,
  ): RedfishResponse {
    const session = id === undefined ? undefined : this.sessions.find(id);
    return session ? act(session) : redfishError('ResourceMissingAtURI', [request.path]);
  }

  private sessionBody(session: RedfishSession) {
    return sessionResource(session.id, session.userName, session.createdTime);
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

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

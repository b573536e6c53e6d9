// Who a simulated Redfish service lets in: one account, by Basic auth or by a SessionService session
// (docs/nova-and-bmc-facts.md#sessions-and-basic-auth), and the session routes themselves. The
// service root and the session login are anonymous; everything else asks isAuthenticated.
import type { BmcFaults } from './bmc-contract.ts';
import { redfishError } from './redfish-errors.ts';
import type { RedfishRequest, RedfishResponse } from './redfish-http.ts';
import {
  SESSIONS,
  SESSION_SERVICE,
  sessionResource,
  sessionService,
  sessionsCollection,
} from './redfish-resources.ts';
import type { Route } from './redfish-routes.ts';
import { exactly, ok, parseJsonObject, withId } from './redfish-routes.ts';
import type { RedfishSession } from './redfish-sessions.ts';
import { RedfishSessions } from './redfish-sessions.ts';

/** A common BMC default (iDRAC, iLO); the DMTF schema allows 30 to 86400 seconds. */
const SESSION_TIMEOUT_SECONDS = 1800;

export interface RedfishAccountOptions {
  username: string;
  password: string;
  timeScale: number;
  /** badCredentials models a password changed behind the client's back: nothing authenticates. */
  faults: () => BmcFaults;
}

export class RedfishAccounts {
  private readonly sessions: RedfishSessions;

  constructor(private readonly options: RedfishAccountOptions) {
    this.sessions = new RedfishSessions(SESSION_TIMEOUT_SECONDS, options.timeScale);
  }

  routes(): Route[] {
    return [
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
    ];
  }

  isAuthenticated(request: RedfishRequest): boolean {
    const token = request.headers['x-auth-token'];
    if (typeof token === 'string')
      return !this.options.faults().badCredentials && this.sessions.use(token) !== undefined;
    const [scheme, encoded] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'basic' || encoded === undefined) return false;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && this.credentialsMatch(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  private credentialsMatch(username: unknown, password: unknown): boolean {
    return (
      !this.options.faults().badCredentials &&
      username === this.options.username &&
      password === this.options.password
    );
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
}

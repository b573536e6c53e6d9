// How every simulated Redfish service (a host's BMC, the rack PDU) routes a request: the first route
// whose path matches, 405 for a method it does not serve, 401 unless authenticated or anonymous, 404
// for a path no route serves.
import { redfishError } from './redfish-errors.ts';
import type { RedfishRequest, RedfishResponse } from './redfish-http.ts';

export type Method = 'GET' | 'POST' | 'DELETE';
export type Handler = (request: RedfishRequest, params: readonly string[]) => RedfishResponse;

export interface Route {
  path: RegExp;
  handlers: Partial<Record<Method, Handler>>;
  /** Methods served without authentication. */
  anonymous?: readonly Method[];
}

export const ok = (body: unknown): RedfishResponse => ({ status: 200, body });
export const exactly = (path: string) => new RegExp(`^${path.replace(/[.]/g, '\\.')}$`);
export const withId = (collectionPath: string) => new RegExp(`^${collectionPath}/([^/]+)$`);

export function dispatch(
  routes: readonly Route[],
  request: RedfishRequest,
  isAuthenticated: (request: RedfishRequest) => boolean,
): RedfishResponse {
  for (const route of routes) {
    const match = route.path.exec(request.path);
    if (!match) continue;
    const method = request.method as Method;
    const handler = route.handlers[method];
    if (!handler)
      return redfishError('OperationNotAllowed', [], {
        Allow: Object.keys(route.handlers).join(', '),
      });
    if (!route.anonymous?.includes(method) && !isAuthenticated(request)) {
      return redfishError('NoValidSession', [], { 'WWW-Authenticate': 'Basic realm="Redfish"' });
    }
    return handler(request, match.slice(1));
  }
  return redfishError('ResourceMissingAtURI', [request.path]);
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

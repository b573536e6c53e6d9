// nova-api over HTTP: keystonemiddleware's token check, microversions, routing, faults, and
// Nova's response headers and error bodies (docs/nova-and-bmc-facts.md#headers-and-request-ids,
// docs/nova-and-bmc-facts.md#error-bodies).
import type { IncomingMessage } from 'node:http';
import type { FaultTable } from '../http/faults.ts';
import { applyFaultsBefore, loseResponse } from '../http/faults.ts';
import type { Reply, RequestHandler, Route } from '../http/server.ts';
import { matchRoute, readText, segmentsOf, send } from '../http/server.ts';
import type { TokenStore } from '../keystone/tokens.ts';
import type { NovaDeps, NovaRequest, NovaRoute } from './context.ts';
import { NovaError, novaFaultBody } from './errors.ts';
import { microversionHeaders, negotiateMicroversion } from './microversion.ts';
import { novaRoutes } from './routes.ts';
import { versionDocument, versionsDocument } from './versions.ts';

export interface NovaAppOptions {
  deps: NovaDeps;
  tokens: TokenStore;
  faults: FaultTable;
  /** The Keystone URL keystonemiddleware names in WWW-Authenticate. */
  keystoneUrl: () => string;
  /**
   * Called once per request received, whatever its answer: the load a client puts on Nova. Its
   * kind is the method and the route it asks for (`GET servers/{id}`), `(other)` for no route.
   */
  onRequest?: (kind: string) => void;
}

const projectSegment =
  /^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function createNovaHandler(options: NovaAppOptions): RequestHandler {
  const routes: Route<NovaRoute>[] = novaRoutes.map((r) => ({
    method: r.method,
    pattern: r.pattern,
    handler: r,
  }));
  return async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const segments = segmentsOf(url.pathname);
    options.onRequest?.(requestKind(routes, req.method ?? 'GET', segments));
    const requestId = `req-${options.deps.random.uuid()}`;
    const idHeaders = { 'x-openstack-request-id': requestId, 'x-compute-request-id': requestId };
    const origin = url.origin;
    if (segments.length === 0) {
      send(res, {
        status: 200,
        body: versionsDocument(origin, options.deps.maxMicroversion),
        headers: idHeaders,
      });
      return;
    }
    if (segments[0] !== 'v2.1') {
      send(res, {
        status: 404,
        body: novaFaultBody(404, 'The resource could not be found.'),
        headers: idHeaders,
      });
      return;
    }
    if (segments.length === 1) {
      send(res, {
        status: 200,
        body: versionDocument(origin, options.deps.maxMicroversion),
        headers: idHeaders,
      });
      return;
    }
    const token = options.tokens.validate(headerText(req, 'x-auth-token'));
    if (token === null) {
      send(res, unauthenticated(options.keystoneUrl()));
      return;
    }
    const project = projectSegment.test(segments[1] ?? '') ? `/${segments[1] ?? ''}` : '';
    const routeSegments = routeSegmentsOf(segments);
    let microversion = 1;
    try {
      microversion = negotiateMicroversion(req.headers, options.deps.maxMicroversion);
    } catch (error) {
      if (!(error instanceof NovaError)) throw error;
      send(res, {
        status: error.status,
        body: novaFaultBody(error.status, error.message),
        headers: idHeaders,
      });
      return;
    }
    const headers = { ...idHeaders, ...microversionHeaders(microversion) };
    const answer = (status: number, message: string): void => {
      send(res, { status, body: novaFaultBody(status, message), headers });
    };
    const match = matchRoute(routes, req.method ?? 'GET', routeSegments);
    if (match.kind !== 'found') {
      answer(
        match.kind === 'missing' ? 404 : 405,
        match.kind === 'missing'
          ? 'The resource could not be found.'
          : 'The method specified is not allowed for this resource.',
      );
      return;
    }
    const route = match.route.handler;
    const body = await readBody(req);
    if (body === invalidJson) {
      answer(400, 'Malformed request body');
      return;
    }
    const outcome = await applyFaultsBefore(
      options.faults.take({
        service: 'nova',
        endpoint: `${route.method} /${route.pattern}`,
        action: actionName(body),
      }),
      res,
      options.deps.clock,
      answer,
    );
    if (outcome.kind === 'answered') return;
    const request: NovaRequest = {
      microversion,
      requestId,
      params: match.params,
      query: url.searchParams,
      body,
      token,
      linkBase: `${origin}/v2.1${project}`,
      bookmarkBase: `${origin}${project}`,
    };
    const reply = await handle(route, options.deps, request);
    if (outcome.isResponseLost) {
      loseResponse(res);
      return;
    }
    send(res, { ...reply, headers: { ...headers, ...reply.headers } });
  };
}

async function handle(route: NovaRoute, deps: NovaDeps, request: NovaRequest): Promise<Reply> {
  const isAdmin =
    request.token.project !== null && request.token.roles.some((r) => r.name === 'admin');
  try {
    if (!isAdmin) {
      const policy = typeof route.policy === 'string' ? route.policy : route.policy(request.body);
      throw new NovaError(403, `Policy doesn't allow ${policy} to be performed.`);
    }
    return await route.handle(deps, request);
  } catch (error) {
    if (!(error instanceof NovaError)) throw error;
    return { status: error.status, body: novaFaultBody(error.status, error.message) };
  }
}

/**
 * keystonemiddleware's answer to a missing, unknown or expired token (observed,
 * docs/nova-and-bmc-facts.md#token-refusal).
 */
export function unauthenticated(keystoneUrl: string): Reply {
  return {
    status: 401,
    headers: { 'WWW-Authenticate': `Keystone uri="${keystoneUrl}"` },
    body: {
      error: {
        code: 401,
        title: 'Unauthorized',
        message: 'The request you have made requires authentication.',
      },
    },
  };
}

export function headerText(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

const invalidJson = Symbol('invalid JSON');

async function readBody(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return invalidJson;
  }
}

/** The key of a server action body such as {"evacuate": {...}}. */
function actionName(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null ? Object.keys(body)[0] : undefined;
}

/** The path below /v2.1 and the project id older clients put in it. */
function routeSegmentsOf(segments: readonly string[]): readonly string[] {
  return segments.slice(projectSegment.test(segments[1] ?? '') ? 2 : 1);
}

function requestKind(
  routes: readonly Route<NovaRoute>[],
  method: string,
  segments: readonly string[],
): string {
  const match =
    segments[0] === 'v2.1' ? matchRoute(routes, method, routeSegmentsOf(segments)) : undefined;
  return `${method} ${match?.kind === 'found' ? match.route.pattern : '(other)'}`;
}

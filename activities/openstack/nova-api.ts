// The mechanics every Nova call shares: the microversion header, the token (through the
// session), errors mapped to types, answers validated, reads retried and paged, and the request
// id of every state-changing call kept (docs/nova-and-bmc-facts.md#headers-and-request-ids,
// docs/nova-and-bmc-facts.md#listing-and-paging).
import { z } from 'zod';
import { LazarusError } from '../errors.ts';
import type { HttpMethod, HttpResponse, SendDeadline } from './http-transport.ts';
import { ConnectionFailure } from './http-transport.ts';
import type { KeystoneSession } from './keystone-session.ts';
import type { OpenStackLogger } from './logger.ts';
import type { NegotiatedMicroversion } from './nova-microversion.ts';
import { novaFailure, novaUnreachable } from './nova-errors.ts';
import type { RetryPolicy } from './read-retries.ts';
import { retryRead } from './read-retries.ts';

export interface NovaApiOptions {
  retry: RetryPolicy;
  /**
   * `limit` of each page; Nova caps it at [api] max_limit (1000 by default,
   * docs/nova-and-bmc-facts.md#listing-and-paging).
   */
  pageSize: number;
  logger: OpenStackLogger;
}

/** The answer to a state-changing call and its x-openstack-request-id, for the audit trail. */
export interface Changed {
  response: HttpResponse;
  requestId: string | null;
}

const linksSchema = z.array(z.object({ rel: z.string(), href: z.string() }));

/** Where a collection's items and its next link are: {"servers": […], "servers_links": […]}. */
export interface CollectionKeys {
  items: string;
  links: string;
}

function pageSchema<S extends z.ZodType>(keys: CollectionKeys, item: S) {
  const picked = (body: unknown): unknown =>
    typeof body === 'object' && body !== null
      ? {
          items: (body as Record<string, unknown>)[keys.items],
          links: (body as Record<string, unknown>)[keys.links],
        }
      : body;
  return z
    .preprocess(picked, z.object({ items: z.array(item), links: linksSchema.optional() }))
    .transform((page) => ({
      items: page.items,
      next: page.links?.find((l) => l.rel === 'next')?.href ?? null,
    }));
}

export class NovaApi {
  constructor(
    private readonly session: KeystoneSession,
    /** Nova's URL from the catalog, e.g. https://nova:8774/v2.1 (or …/v2.1/<project>). */
    readonly endpoint: string,
    readonly microversion: NegotiatedMicroversion,
    private readonly options: NovaApiOptions,
  ) {}

  /** A GET, repeated with backoff while it fails transiently; the answer validated with `schema`. */
  read<S extends z.ZodType>(path: string, schema: S, operation: string): Promise<z.output<S>> {
    return retryRead(
      async () =>
        this.validated(await this.#answered('GET', path, undefined, operation), schema, operation),
      this.options.retry,
      this.options.logger,
    );
  }

  /**
   * Every item of a collection, following the next links page by page (when `isPaged`: the
   * microversion in use supports limit and marker there).
   * Only the marker is taken from a link: its host is whatever Nova believes its public URL is,
   * which behind a proxy may not be reachable.
   */
  async readAll<S extends z.ZodType>(
    path: string,
    keys: CollectionKeys,
    item: S,
    query: URLSearchParams,
    operation: string,
    isPaged: boolean,
  ): Promise<z.output<S>[]> {
    const items: z.output<S>[] = [];
    const seen = new Set<string>();
    let marker: string | null = null;
    do {
      const params = new URLSearchParams(query);
      if (isPaged) params.set('limit', String(this.options.pageSize));
      if (marker !== null) params.set('marker', marker);
      const page = await this.read(
        `${path}?${params.toString()}`,
        pageSchema(keys, item),
        operation,
      );
      items.push(...page.items);
      marker = page.next === null ? null : new URL(page.next).searchParams.get('marker');
      if (page.next !== null && (marker === null || seen.has(marker))) {
        throw new LazarusError(
          'UnexpectedResponse',
          `Nova's next link while trying to ${operation} ${marker === null ? 'has no marker' : `repeats marker ${marker}`} (${page.next}); Lazarus stopped paging instead of looping`,
          { operation },
        );
      }
      if (marker !== null) seen.add(marker);
    } while (marker !== null);
    return items;
  }

  /** One state-changing request, never repeated here; a broken connection is CloudUnavailable. */
  async change(
    method: Exclude<HttpMethod, 'GET'>,
    path: string,
    body: unknown,
    operation: string,
  ): Promise<Changed> {
    const response = await this.#answered(method, path, body, operation);
    return { response, requestId: requestIdOf(response) };
  }

  /**
   * One attempt whose broken connection (ConnectionFailure) is left to the caller to judge; with a
   * deadline, TooLateToSend when its own no longer fits before it (KeystoneSession.send).
   */
  exchange(
    method: HttpMethod,
    path: string,
    body: unknown,
    deadline?: SendDeadline,
  ): Promise<HttpResponse> {
    return this.session.send(
      {
        method,
        url: `${this.endpoint.replace(/\/+$/, '')}/${path}`,
        headers: { 'openstack-api-version': `compute ${this.microversion.text}` },
        ...(body === undefined ? {} : { body }),
        ...(deadline?.abandon === undefined ? {} : { signal: deadline.abandon }),
      },
      'Nova',
      deadline?.mustEndBy,
    );
  }

  /** `response.body` checked against `schema`, and the microversion Nova says it answered at. */
  validated<S extends z.ZodType>(
    response: HttpResponse,
    schema: S,
    operation: string,
  ): z.output<S> {
    const echoed = response.headers['openstack-api-version'];
    const expected = `compute ${this.microversion.text}`;
    if (typeof echoed === 'string' && echoed.toLowerCase() !== expected) {
      throw new LazarusError(
        'UnexpectedResponse',
        `Nova answered the request to ${operation} at "${echoed}" though Lazarus asked for "${expected}"; check that no proxy drops the OpenStack-API-Version request header`,
        { operation, echoed },
      );
    }
    const parsed = schema.safeParse(response.body);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    throw new LazarusError(
      'UnexpectedResponse',
      `Nova's answer to the request to ${operation} does not have the shape microversion ${this.microversion.text} promises (${issues.join('; ')}); check that nothing between Lazarus and Nova rewrites answers, and that the account is admin (admin-only fields are required)`,
      {
        operation,
        issues,
        requestId: requestIdOf(response),
      },
    );
  }

  async #answered(
    method: HttpMethod,
    path: string,
    body: unknown,
    operation: string,
  ): Promise<HttpResponse> {
    let response: HttpResponse;
    try {
      response = await this.exchange(method, path, body);
    } catch (error) {
      if (!(error instanceof ConnectionFailure)) throw error;
      throw novaUnreachable(operation, error);
    }
    if (response.status >= 200 && response.status < 300) return response;
    throw novaFailure(operation, response.status, response.body, requestIdOf(response));
  }
}

export function requestIdOf(response: HttpResponse): string | null {
  const id = response.headers['x-openstack-request-id'] ?? response.headers['x-compute-request-id'];
  return typeof id === 'string' ? id : null;
}

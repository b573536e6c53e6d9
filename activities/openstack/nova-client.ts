// The Nova calls Lazarus makes, in the domain's words: compute services, instances on a host,
// evacuations and their migration records, instance actions and hypervisors
// (docs/nova-and-bmc-facts.md#nova-microversions-and-errors and the Nova sections after it).
import { z } from 'zod';
import { LazarusError } from '../errors.ts';
import { ConnectionFailure, TooLateToSend } from './http-transport.ts';
import type { SendDeadline } from './http-transport.ts';
import type { KeystoneSession } from './keystone-session.ts';
import type { OpenStackLogger } from './logger.ts';
import { consoleLogger } from './logger.ts';
import type { NovaApiOptions } from './nova-api.ts';
import { NovaApi, requestIdOf } from './nova-api.ts';
import { novaFailure, novaUnreachable } from './nova-errors.ts';
import type { NegotiatedMicroversion } from './nova-microversion.ts';
import {
  LAZARUS_MAX_MICROVERSION,
  negotiateMicroversion,
  versionDocumentSchema,
  versionDocumentUrl,
} from './nova-microversion.ts';
import type {
  ComputeService,
  Hypervisor,
  Instance,
  InstanceAction,
  InstanceActionDetail,
  KnownComputeService,
  Migration,
} from './nova-types.ts';
import {
  computeServiceSchema,
  hypervisorSchema,
  instanceActionDetailSchema,
  instanceActionSchema,
  instanceSchema,
  knownServiceSchema,
  migrationSchema,
} from './nova-types.ts';
import type { RetryPolicy } from './read-retries.ts';
import { defaultRetryPolicy, retryRead } from './read-retries.ts';

export interface NovaClientOptions {
  session: KeystoneSession;
  logger?: OpenStackLogger;
  retry?: RetryPolicy;
  pageSize?: number;
  /** The highest microversion to use, as its minor part (94 keeps evacuated instances running); 95 when absent. */
  maxMicroversion?: number;
}

/** What became of an evacuate request. */
export type EvacuationRequest =
  | { outcome: 'accepted'; requestId: string | null }
  /**
   * The request may have reached Nova, but its answer was lost (connection dropped, deadline,
   * 5xx). Do not send it again: read os-migrations and the instance to learn what Nova did.
   */
  | { outcome: 'unknown'; reason: string }
  /** Not sent: less than the request's own deadline was left before the deadline's `mustEndBy`. */
  | { outcome: 'notSent'; timeLeftMs: number; requestTimeoutMs: number };

export interface ServiceUpdate {
  service: KnownComputeService;
  requestId: string | null;
}

export interface MigrationFilter {
  migrationType?: 'evacuation' | 'live-migration' | 'migration' | 'resize';
  instanceId?: string;
  sourceCompute?: string;
  /** ISO 8601; only records updated since then. */
  changesSince?: string;
}

const path = (template: TemplateStringsArray, ...values: string[]): string =>
  template.reduce(
    (joined, part, index) => `${joined}${encodeURIComponent(values[index - 1] ?? '')}${part}`,
  );

async function discoverMicroversion(
  session: KeystoneSession,
  endpoint: string,
  options: Required<Omit<NovaClientOptions, 'session'>>,
): Promise<NegotiatedMicroversion> {
  const url = versionDocumentUrl(endpoint);
  const operation = `discover its API versions at ${url}`;
  const document = await retryRead(
    async () => {
      let response;
      try {
        response = await session.transport.send({ method: 'GET', url });
      } catch (error) {
        if (error instanceof ConnectionFailure) throw novaUnreachable(operation, error);
        throw error;
      }
      if (response.status !== 200)
        throw novaFailure(operation, response.status, response.body, requestIdOf(response));
      const parsed = versionDocumentSchema.safeParse(response.body);
      if (!parsed.success)
        throw new LazarusError(
          'UnexpectedResponse',
          `Nova's version document at ${url} has no version and min_version; is the catalog's compute endpoint really Nova?`,
          { url },
        );
      return parsed.data.version;
    },
    options.retry,
    options.logger,
  );
  return negotiateMicroversion(
    { min: document.min_version, max: document.version },
    options.maxMicroversion,
  );
}

export class NovaClient {
  private constructor(private readonly api: NovaApi) {}

  /** Finds Nova in the catalog and settles the microversion from its version discovery. */
  static async connect(options: NovaClientOptions): Promise<NovaClient> {
    const settings = {
      logger: options.logger ?? consoleLogger,
      retry: options.retry ?? defaultRetryPolicy,
      pageSize: options.pageSize ?? 500,
      maxMicroversion: options.maxMicroversion ?? LAZARUS_MAX_MICROVERSION,
    };
    const endpoint = await options.session.endpoint('compute');
    const microversion = await discoverMicroversion(options.session, endpoint, settings);
    const apiOptions: NovaApiOptions = {
      retry: settings.retry,
      pageSize: settings.pageSize,
      logger: settings.logger,
    };
    return new NovaClient(new NovaApi(options.session, endpoint, microversion, apiOptions));
  }

  get microversion(): NegotiatedMicroversion {
    return this.api.microversion;
  }

  async listComputeServices(host?: string): Promise<ComputeService[]> {
    const query = new URLSearchParams({
      binary: 'nova-compute',
      ...(host === undefined ? {} : { host }),
    });
    const operation = `list the nova-compute services${host === undefined ? '' : ` of host ${host}`}`;
    const answer = await this.api.read(
      `os-services?${query.toString()}`,
      z.object({ services: z.array(computeServiceSchema) }),
      operation,
    );
    return answer.services;
  }

  /**
   * Disables the service and forces it down in one request, only ever after fencing was proven.
   * Together, Nova skips the RPC to the (dead) compute that a separate disable would wait 60 s for
   * (docs/nova-and-bmc-facts.md#the-60-second-disable-trap,
   * docs/nova-and-bmc-facts.md#updating-a-service).
   */
  forceDownComputeService(serviceId: string, disabledReason: string): Promise<ServiceUpdate> {
    return this.#updateService(
      serviceId,
      { status: 'disabled', disabled_reason: disabledReason, forced_down: true },
      `disable and force down compute service ${serviceId}`,
    );
  }

  /**
   * Refused with EvacuationsNotCompleted until the restarted source compute completed its
   * evacuations (docs/nova-and-bmc-facts.md#un-forcing-after-evacuation).
   */
  unforceComputeService(serviceId: string): Promise<ServiceUpdate> {
    return this.#updateService(
      serviceId,
      { forced_down: false },
      `clear forced_down of compute service ${serviceId}`,
    );
  }

  enableComputeService(serviceId: string): Promise<ServiceUpdate> {
    return this.#updateService(
      serviceId,
      { status: 'enabled' },
      `enable compute service ${serviceId}`,
    );
  }

  /** Every instance on `host`, of every project, all pages (docs/nova-and-bmc-facts.md#listing-and-paging). */
  listInstancesOnHost(host: string): Promise<Instance[]> {
    return this.#listAllServers({ host }, `list the instances on host ${host}`);
  }

  /**
   * Every instance of every project whose record changed at or after `since` (a Nova timestamp),
   * all pages: one listing instead of a read per instance (docs/nova-and-bmc-facts.md#servers-changed-since).
   */
  listInstancesChangedSince(since: string): Promise<Instance[]> {
    return this.#listAllServers(
      { 'changes-since': since },
      `list the instances changed since ${since}`,
    );
  }

  /** Every instance of every project on every host, all pages: one listing for a whole cloud. */
  listInstances(): Promise<Instance[]> {
    return this.#listAllServers({}, 'list the instances of every host');
  }

  /** `servers/detail` of every project with `filter`, all pages. */
  #listAllServers(filter: Record<string, string>, operation: string): Promise<Instance[]> {
    return this.api.readAll(
      'servers/detail',
      { items: 'servers', links: 'servers_links' },
      instanceSchema,
      new URLSearchParams({ all_tenants: '1', ...filter }),
      operation,
      true,
    );
  }

  async getInstance(instanceId: string): Promise<Instance> {
    const answer = await this.api.read(
      path`servers/${instanceId}`,
      z.object({ server: instanceSchema }),
      `read instance ${instanceId}`,
    );
    return answer.server;
  }

  async startInstance(instanceId: string): Promise<{ requestId: string | null }> {
    const { requestId } = await this.api.change(
      'POST',
      path`servers/${instanceId}/action`,
      { 'os-start': null },
      `start instance ${instanceId}`,
    );
    return { requestId };
  }

  /**
   * Asks Nova to evacuate the instance, to `targetHost` or wherever the scheduler picks. Sent at
   * most once: a second evacuate is accepted by Nova and damages the instance
   * (docs/nova-and-bmc-facts.md#no-guard-against-a-second-evacuate),
   * so an answer that may have been lost is reported as `unknown`, never retried here. With a
   * `deadline` (the caller's activity attempt) it is sent only with a token in hand and its whole
   * request timeout still before `mustEndBy`, and abandoned then at the latest, or as soon as
   * `abandon` aborts (docs/nova-and-bmc-facts.md#the-evacuate-deadline).
   */
  async evacuate(
    instanceId: string,
    targetHost?: string,
    deadline?: SendDeadline,
  ): Promise<EvacuationRequest> {
    // The same body suits 2.53–2.95: onSharedStorage left in 2.14, `force` (optional before 2.68)
    // is never sent (docs/nova-and-bmc-facts.md#request-bodies).
    const body = { evacuate: targetHost === undefined ? {} : { host: targetHost } };
    const operation = `evacuate instance ${instanceId}${targetHost === undefined ? '' : ` to host ${targetHost}`}`;
    let response;
    try {
      response = await this.api.exchange(
        'POST',
        path`servers/${instanceId}/action`,
        body,
        deadline,
      );
    } catch (error) {
      if (error instanceof TooLateToSend)
        return {
          outcome: 'notSent',
          timeLeftMs: error.timeLeftMs,
          requestTimeoutMs: error.requestTimeoutMs,
        };
      if (!(error instanceof ConnectionFailure)) throw error;
      if (!error.mayHaveTakenEffect) throw novaUnreachable(operation, error);
      return {
        outcome: 'unknown',
        reason: `the request to ${operation} was sent but its answer was lost (${error.message})`,
      };
    }
    if (response.status >= 500) {
      return {
        outcome: 'unknown',
        reason: `Nova answered ${response.status} to the request to ${operation}, after which it may or may not have accepted it`,
      };
    }
    if (response.status >= 300)
      throw novaFailure(operation, response.status, response.body, requestIdOf(response));
    return { outcome: 'accepted', requestId: requestIdOf(response) };
  }

  /**
   * Migration records, newest first, all pages (paging and changes-since need 2.59;
   * docs/nova-and-bmc-facts.md#listing-migrations).
   */
  async listMigrations(filter: MigrationFilter): Promise<Migration[]> {
    const hasPaging = this.api.microversion.minor >= 59;
    const query = new URLSearchParams({
      ...(filter.migrationType === undefined ? {} : { migration_type: filter.migrationType }),
      ...(filter.instanceId === undefined ? {} : { instance_uuid: filter.instanceId }),
      ...(filter.sourceCompute === undefined ? {} : { source_compute: filter.sourceCompute }),
      ...(filter.changesSince === undefined || !hasPaging
        ? {}
        : { 'changes-since': filter.changesSince }),
    });
    const migrations = await this.api.readAll(
      'os-migrations',
      { items: 'migrations', links: 'migrations_links' },
      migrationSchema,
      query,
      'list migrations',
      hasPaging,
    );
    const since = filter.changesSince === undefined ? undefined : Date.parse(filter.changesSince);
    // Before 2.59 Nova ignores changes-since; the same window is applied here.
    return since === undefined || hasPaging
      ? migrations
      : migrations.filter((m) => Date.parse(m.updatedAt ?? m.createdAt) >= since);
  }

  /**
   * The instance's actions, newest first; the evacuate's request_id is its POST's request id
   * (docs/nova-and-bmc-facts.md#instance-actions).
   */
  listInstanceActions(instanceId: string): Promise<InstanceAction[]> {
    return this.api.readAll(
      path`servers/${instanceId}/os-instance-actions`,
      { items: 'instanceActions', links: 'links' },
      instanceActionSchema,
      new URLSearchParams(),
      `list the actions of instance ${instanceId}`,
      this.api.microversion.minor >= 58,
    );
  }

  async getInstanceAction(instanceId: string, requestId: string): Promise<InstanceActionDetail> {
    const answer = await this.api.read(
      path`servers/${instanceId}/os-instance-actions/${requestId}`,
      z.object({ instanceAction: instanceActionDetailSchema }),
      `read action ${requestId} of instance ${instanceId}`,
    );
    return answer.instanceAction;
  }

  /** Every compute node with the service host that claims it: preflight's identity checks. */
  listHypervisors(): Promise<Hypervisor[]> {
    return this.api.readAll(
      'os-hypervisors/detail',
      { items: 'hypervisors', links: 'hypervisors_links' },
      hypervisorSchema,
      new URLSearchParams(),
      'list the hypervisors',
      true,
    );
  }

  async #updateService(
    serviceId: string,
    body: Record<string, unknown>,
    operation: string,
  ): Promise<ServiceUpdate> {
    const { response, requestId } = await this.api.change(
      'PUT',
      path`os-services/${serviceId}`,
      body,
      operation,
    );
    return {
      service: this.api.validated(response, z.object({ service: knownServiceSchema }), operation)
        .service,
      requestId,
    };
  }
}

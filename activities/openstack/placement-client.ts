// The Placement reads Lazarus makes: a compute node's inventory (capacity, reservation, allocation
// ratio) and what is allocated of it. Placement, not Nova, is what the scheduler places against
// (Nova 2.88 dropped its own resource figures for this reason, docs/nova-and-bmc-facts.md#other-nova-calls).
// Reads only, at microversion 1.0, which has both.
import { z } from 'zod';
import { LazarusError } from '../errors.ts';
import type { LazarusErrorType } from '../errors.ts';
import { ConnectionFailure } from './http-transport.ts';
import type { KeystoneSession } from './keystone-session.ts';
import type { OpenStackLogger } from './logger.ts';
import { consoleLogger } from './logger.ts';
import { requestIdOf } from './nova-api.ts';
import type { RetryPolicy } from './read-retries.ts';
import { defaultRetryPolicy, retryRead } from './read-retries.ts';

export interface PlacementClientOptions {
  session: KeystoneSession;
  logger?: OpenStackLogger;
  retry?: RetryPolicy;
}

/** One resource class of a provider's inventory, as Placement keeps it. */
export interface InventoryRecord {
  total: number;
  reserved: number;
  allocationRatio: number;
  /** The most one allocation may take of it: no instance larger fits this provider. */
  maxUnit: number;
}

/** What the scheduler weighs of a compute node: VCPU, MEMORY_MB and DISK_GB, when it has them. */
export interface ProviderCapacity {
  inventories: Partial<Record<ResourceClass, InventoryRecord | undefined>>;
  usages: Partial<Record<ResourceClass, number | undefined>>;
}

export type ResourceClass = 'VCPU' | 'MEMORY_MB' | 'DISK_GB';

const inventorySchema = z
  .object({
    total: z.number().int(),
    reserved: z.number().int(),
    allocation_ratio: z.number(),
    max_unit: z.number().int(),
  })
  .transform((i) => ({
    total: i.total,
    reserved: i.reserved,
    allocationRatio: i.allocation_ratio,
    maxUnit: i.max_unit,
  }));

// Providers carry other classes too (PCI devices, custom ones); only the three are kept.
const perClass = <S extends z.ZodType>(item: S) =>
  z.object({ VCPU: item.optional(), MEMORY_MB: item.optional(), DISK_GB: item.optional() });

const inventoriesSchema = z.object({ inventories: perClass(inventorySchema) });
const usagesSchema = z.object({ usages: perClass(z.number().int()) });

const NEXT_STEP: Partial<Record<LazarusErrorType, string>> = {
  CloudUnavailable: 'Placement is failing or overloaded; retry later',
  PermissionDenied:
    'give the account the admin role on its project (reading inventories and usages is an admin API)',
  NotFound:
    'the compute node has no resource provider yet; check that its nova-compute has reported since it registered',
};

function typeOf(status: number): LazarusErrorType {
  if (status >= 500 || status === 429) return 'CloudUnavailable';
  if (status === 403) return 'PermissionDenied';
  if (status === 404) return 'NotFound';
  return 'UnexpectedResponse';
}

export class PlacementClient {
  private constructor(
    private readonly session: KeystoneSession,
    /** Placement's URL from the catalog, e.g. https://placement:8778. */
    readonly endpoint: string,
    private readonly settings: { logger: OpenStackLogger; retry: RetryPolicy },
  ) {}

  /** Finds Placement in the catalog. */
  static async connect(options: PlacementClientOptions): Promise<PlacementClient> {
    return new PlacementClient(options.session, await options.session.endpoint('placement'), {
      logger: options.logger ?? consoleLogger,
      retry: options.retry ?? defaultRetryPolicy,
    });
  }

  /** The inventory of the provider whose uuid is a compute node's (its hypervisor id from 2.53), and its usage. */
  async providerCapacity(providerId: string): Promise<ProviderCapacity> {
    const path = `resource_providers/${encodeURIComponent(providerId)}`;
    const [inventories, usages] = await Promise.all([
      this.#read(
        `${path}/inventories`,
        inventoriesSchema,
        `read the inventories of resource provider ${providerId}`,
      ),
      this.#read(
        `${path}/usages`,
        usagesSchema,
        `read the usages of resource provider ${providerId}`,
      ),
    ]);
    return { inventories: inventories.inventories, usages: usages.usages };
  }

  #read<S extends z.ZodType>(path: string, schema: S, operation: string): Promise<z.output<S>> {
    return retryRead(
      async () => {
        let response;
        try {
          response = await this.session.send(
            {
              method: 'GET',
              url: `${this.endpoint.replace(/\/+$/, '')}/${path}`,
              headers: { 'openstack-api-version': 'placement 1.0' },
            },
            'Placement',
          );
        } catch (error) {
          if (!(error instanceof ConnectionFailure)) throw error;
          throw new LazarusError(
            'CloudUnavailable',
            `Placement did not answer the request to ${operation}: ${error.message}; check Placement's API service and the network`,
            { operation },
            { cause: error },
          );
        }
        if (response.status < 200 || response.status >= 300) {
          const type = typeOf(response.status);
          throw new LazarusError(
            type,
            `Placement answered ${response.status} to the request to ${operation}; ${NEXT_STEP[type] ?? 'check that nothing between Lazarus and Placement rewrites answers'}`,
            { operation, status: response.status, requestId: requestIdOf(response) },
          );
        }
        const parsed = schema.safeParse(response.body);
        if (parsed.success) return parsed.data;
        throw new LazarusError(
          'UnexpectedResponse',
          `Placement's answer to the request to ${operation} does not have the shape of its API (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}); check the catalog's placement endpoint`,
          { operation },
        );
      },
      this.settings.retry,
      this.settings.logger,
    );
  }
}

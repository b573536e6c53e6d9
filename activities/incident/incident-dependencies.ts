// What the incident activities need from the world, handed in by the worker (built from its
// configuration) or by a test (pointed at the simulator): Nova, the BMCs and a way to wait.
import { setTimeout as sleep } from 'node:timers/promises';
import { LazarusError } from '../errors.ts';
import type {
  BmcEntry,
  FenceDriver,
  FencingLevel,
  FencingSettings,
  FencingTiming,
  HostOutlets,
} from '../fencing/index.ts';
import { createFenceDriver, fencingLevelsOf } from '../fencing/index.ts';
import type { CredentialRequest, OpenStackLogger } from '../openstack/index.ts';
import type { StormGuardLimits } from '../../contracts/storm-guard-messages.ts';
import {
  KeystoneSession,
  NovaClient,
  PlacementClient,
  resolveCloudCredentials,
} from '../openstack/index.ts';

/** Nova, connected once and shared by every activity of the worker. */
export interface NovaProvider {
  /** The shared client; connected at the first call, and tried again at the next if that failed. */
  client(): Promise<NovaClient>;
  /** Placement, through the same Keystone session: what compute nodes could still take. */
  placement(): Promise<PlacementClient>;
  /** The deadline of each of its HTTP requests: how long an evacuate POST may be in flight. */
  requestTimeoutMs: number;
  /**
   * Drops the connection, so the next call reads the credentials again (clouds.yaml, password
   * files): after a rotation the worker needs no restart (docs/design.md#i9-liveness).
   */
  forgetCredentials(): Promise<void>;
  close(): Promise<void>;
}

/** The BMCs: a fence driver per host, built when fencing starts so its password is read then. */
export interface FencingProvider {
  /** A driver for `host`'s BMC, which the caller closes; ConfigurationInvalid when no entry covers the host. */
  driverFor(host: string): Promise<FenceDriver>;
  /**
   * The devices that can fence `host`, in the order they are tried (docs/design.md#fencing-levels);
   * without it, the BMC of driverFor is the only level.
   */
  levelsFor?: (host: string) => FencingLevel[];
  timing: FencingTiming;
}

/** The activities' only waiting: between two reads of a forced-down service's heartbeat. */
export interface Clock {
  sleep(ms: number): Promise<void>;
}

export interface IncidentDependencies {
  nova: NovaProvider;
  fencing: FencingProvider;
  clock: Clock;
  /** nova-compute's report_interval (Nova's default is 10 s): how often a live compute bumps its service record. */
  reportIntervalMs: number;
  /** The blast radius the storm guard applies (DEFAULT_STORM_GUARD_LIMITS without it). */
  stormGuardLimits?: StormGuardLimits;
}

export const systemClock: Clock = { sleep: (ms) => sleep(ms) };

/** Nova's default [DEFAULT] report_interval (nova/conf/service.py, docs/nova-and-bmc-facts.md#how-down-is-computed). */
export const NOVA_REPORT_INTERVAL_MS = 10_000;

/** Deadline of each Keystone and Nova request (KeystoneSession's own default). */
const NOVA_REQUEST_TIMEOUT_MS = 30_000;

export interface NovaConnection extends CredentialRequest {
  logger: OpenStackLogger;
  /** Deadline of each Keystone and Nova request; 30 s when absent. */
  requestTimeoutMs?: number;
}

/**
 * Connects on first use, so a worker starts (and serves workflows) while Nova is briefly away; the
 * credentials are read then, from clouds.yaml or OS_* variables, and stay inside the session.
 */
export function connectNovaOnFirstUse(connection: NovaConnection): NovaProvider {
  const requestTimeoutMs = connection.requestTimeoutMs ?? NOVA_REQUEST_TIMEOUT_MS;
  let connecting: Promise<{ session: KeystoneSession; nova: NovaClient }> | undefined;
  let placement: Promise<PlacementClient> | undefined;
  const connect = async () => {
    const session = await KeystoneSession.open({
      credentials: await resolveCloudCredentials(connection),
      logger: connection.logger,
      timeoutMs: requestTimeoutMs,
    });
    try {
      const nova = await NovaClient.connect({ session, logger: connection.logger });
      return { session, nova };
    } catch (error) {
      await session.close();
      throw error;
    }
  };
  const connected = async () => {
    connecting ??= connect();
    try {
      return await connecting;
    } catch (error) {
      connecting = undefined;
      throw error;
    }
  };
  return {
    requestTimeoutMs,
    client: async () => (await connected()).nova,
    async placement() {
      const { session } = await connected();
      placement ??= PlacementClient.connect({ session, logger: connection.logger });
      try {
        return await placement;
      } catch (error) {
        placement = undefined;
        throw error;
      }
    },
    async forgetCredentials() {
      const connected = await connecting?.catch(() => undefined);
      connecting = undefined;
      placement = undefined;
      await connected?.session.close();
    },
    async close() {
      const connected = await connecting?.catch(() => undefined);
      await connected?.session.close();
    },
  };
}

export interface BmcInventoryView {
  bmcFor(host: string): BmcEntry | undefined;
}

export interface PduInventoryView {
  /** The PDU outlets feeding `host`, by PDU; empty when no PDU feeds it. */
  outletsFor(host: string): readonly HostOutlets[];
}

/** Fence drivers from the configuration's BMC inventory, PDUs and fencing settings. */
export function fenceDriversFromInventory(
  inventory: BmcInventoryView,
  settings: FencingSettings,
  warn: (message: string) => void,
  pdus?: PduInventoryView,
): FencingProvider {
  return {
    levelsFor: (host) =>
      fencingLevelsOf(inventory.bmcFor(host), pdus?.outletsFor(host) ?? [], {
        host,
        settings,
        warn,
      }),
    timing: {
      powerOffTimeoutMs: settings.powerOffTimeoutMs,
      pollIntervalMs: settings.pollIntervalMs,
    },
    driverFor: (host) => {
      const bmc = inventory.bmcFor(host);
      if (bmc === undefined) {
        return Promise.reject(
          new LazarusError(
            'ConfigurationInvalid',
            `host ${host} has no BMC entry in the configuration, so it cannot be fenced; add it under bmcs (by host, hosts or pattern), then retry fencing or confirm manual fencing`,
            { host },
          ),
        );
      }
      return createFenceDriver(bmc, { host, settings, warn });
    },
  };
}

// RedfishDriver: fencing through ComputerSystem.Reset ForceOff and PowerState
// (docs/nova-and-bmc-facts.md#redfish). ForceOff only — never a silent fallback to
// GracefulShutdown, which a hung or hostile OS ignores.
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { LazarusError } from '../errors.ts';
import type { FenceDriver, PowerState } from './fence-driver.ts';
import type { Method, RedfishConnectionOptions, RedfishResponse } from './redfish-client.ts';
import { header, RedfishClient, redfishMessage } from './redfish-client.ts';
import type { ComputerSystem } from './redfish-resources.ts';
import type { RedfishDevice } from './redfish-reads.ts';
import { onlyMemberOf, parseResource } from './redfish-reads.ts';
import {
  actionInfoSchema,
  computerSystemSchema,
  FAILED_TASK_STATES,
  SYSTEMS_PATH,
  taskSchema,
} from './redfish-resources.ts';

export interface RedfishDriverOptions extends RedfishConnectionOptions {
  /** The ComputerSystem's Id; may be left out when the BMC lists exactly one system. */
  systemId?: string;
  /** How long to follow a 202 task monitor before leaving the verdict to the power-state reads. */
  taskTimeoutMs: number;
  /** The longest pause between two task-monitor reads when the BMC sends no Retry-After. */
  pollIntervalMs: number;
}

type ResetType = 'ForceOff' | 'On';

/** The power states that show a reset of this type was accepted or is not needed. */
const SETTLED_BY: Record<ResetType, readonly PowerState[]> = {
  ForceOff: ['Off', 'PoweringOff'],
  On: ['On', 'PoweringOn'],
};

export class RedfishDriver implements FenceDriver {
  readonly protocol = 'redfish';
  readonly powerOffCommand = 'ForceOff';
  readonly address: string;
  readonly #client: RedfishClient;
  readonly #options: RedfishDriverOptions;
  readonly #device: RedfishDevice;
  #systemPath: string | undefined;

  constructor(options: RedfishDriverOptions) {
    this.#client = new RedfishClient(options);
    this.#options = options;
    this.address = this.#client.baseUrl;
    this.#device = {
      client: this.#client,
      describedAs: `Redfish BMC at ${this.address}`,
      feature: 'Redfish ComputerSystem.Reset',
    };
    this.#systemPath =
      options.systemId === undefined
        ? undefined
        : `${SYSTEMS_PATH}/${encodeURIComponent(options.systemId)}`;
  }

  async powerState(): Promise<PowerState> {
    return (await this.system()).system.PowerState;
  }

  powerOff(): Promise<void> {
    return this.reset('ForceOff');
  }

  powerOn(): Promise<void> {
    return this.reset('On');
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  private async reset(resetType: ResetType): Promise<void> {
    const { path, system } = await this.system();
    const reset = system.Actions['#ComputerSystem.Reset'];
    await this.requireAllowed(resetType, path, reset);
    const response = await this.#client.post(reset.target, { ResetType: resetType });
    if (response.status === 200 || response.status === 204) return;
    if (response.status === 202) {
      await this.followTask(response, resetType);
      return;
    }
    if (isValueNotInList(response))
      throw this.unsupported(resetType, path, 'refused it as a ResetType value');
    await this.readPowerThenDecide(resetType, response, 'POST', reset.target);
  }

  /** AllowableValues on the action, else its ActionInfo; a BMC that advertises neither is tried as is. */
  private async requireAllowed(
    resetType: ResetType,
    path: string,
    reset: ComputerSystem['Actions']['#ComputerSystem.Reset'],
  ): Promise<void> {
    let allowed = reset['ResetType@Redfish.AllowableValues'];
    const actionInfoPath = reset['@Redfish.ActionInfo'];
    if (allowed === undefined && actionInfoPath !== undefined) {
      const info = this.parse(
        actionInfoSchema,
        await this.#client.get(actionInfoPath),
        actionInfoPath,
      );
      allowed = info.Parameters?.find(
        (parameter) => parameter.Name === 'ResetType',
      )?.AllowableValues;
    }
    if (allowed !== undefined && !allowed.includes(resetType)) {
      throw this.unsupported(
        resetType,
        path,
        `offers only ${allowed.map((value) => `"${value}"`).join(', ')}`,
      );
    }
  }

  /**
   * Polls the task monitor: 202 while running, any other status is final
   * (docs/nova-and-bmc-facts.md#status-codes-and-tasks).
   */
  private async followTask(accepted: RedfishResponse, resetType: ResetType): Promise<void> {
    const monitor = header(accepted, 'location');
    if (monitor === undefined) return;
    const deadline = Date.now() + this.#options.taskTimeoutMs;
    let response = accepted;
    while (response.status === 202) {
      const remaining = deadline - Date.now();
      // Past the deadline the power-state reads decide, as they would after a 204.
      if (remaining <= 0) return;
      await sleep(Math.min(retryAfterMs(response) ?? this.#options.pollIntervalMs, remaining));
      response = await this.#client.get(monitor);
    }
    const task = taskSchema.safeParse(response.body);
    const hasTaskFailed =
      task.success &&
      task.data.TaskState !== undefined &&
      FAILED_TASK_STATES.has(task.data.TaskState);
    if (response.status < 300 && !hasTaskFailed) return;
    await this.readPowerThenDecide(resetType, response, 'GET', monitor);
  }

  /**
   * Some BMCs answer 409 or another 4xx to a redundant power request: the power state decides
   * (docs/nova-and-bmc-facts.md#status-codes-and-tasks).
   */
  private async readPowerThenDecide(
    resetType: ResetType,
    refusal: RedfishResponse,
    method: Method,
    path: string,
  ): Promise<void> {
    const state = await this.powerState();
    if (SETTLED_BY[resetType].includes(state)) return;
    throw new LazarusError(
      'BmcUnavailable',
      `Redfish BMC at ${this.address} did not carry out ${resetType} (${method} ${path} → ${refusal.status}${redfishMessage(refusal.body)}) ` +
        `and reports the power "${state}"; Lazarus will retry, check the BMC if it persists`,
      { bmc: this.address, status: refusal.status, powerState: state, resetType },
    );
  }

  private async system(): Promise<{ path: string; system: ComputerSystem }> {
    const path = this.#systemPath ?? (await this.onlySystemPath());
    this.#systemPath = path;
    const response = await this.#client.get(path);
    if (response.status === 404) {
      throw new LazarusError(
        'ConfigurationInvalid',
        `Redfish BMC at ${this.address} has no system ${path}; correct systemId for this host in the BMC inventory (GET ${SYSTEMS_PATH} lists them)`,
        { bmc: this.address, path },
      );
    }
    return { path, system: this.parse(computerSystemSchema, response, path) };
  }

  private onlySystemPath(): Promise<string> {
    return onlyMemberOf(
      this.#device,
      SYSTEMS_PATH,
      'systems',
      'set systemId for this host in the BMC inventory',
    );
  }

  private parse<T>(schema: z.ZodType<T>, response: RedfishResponse, path: string): T {
    return parseResource(this.#device, schema, response, path);
  }

  private unsupported(resetType: ResetType, path: string, why: string): LazarusError {
    return new LazarusError(
      'BmcUnsupported',
      `Redfish BMC at ${this.address} does not allow ResetType "${resetType}" on ${path} (it ${why}); ` +
        'Lazarus never falls back to a graceful shutdown, which the host OS can ignore: enable ForceOff on the BMC or fence this host by hand',
      { bmc: this.address, path, resetType },
    );
  }
}

function isValueNotInList(response: RedfishResponse): boolean {
  return (
    response.status === 400 &&
    JSON.stringify(response.body ?? '').includes('ActionParameterValueNotInList')
  );
}

/** Retry-After in seconds or as an HTTP date (RFC 9110), as milliseconds from now. */
function retryAfterMs(response: RedfishResponse): number | undefined {
  const value = header(response, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

// The shape of lazarus.yaml, validated with zod at the edge. Messages say what is wrong and how to
// fix it; the file's field paths are added by format-config-errors.ts.
import { z } from 'zod';
import { DEFAULT_SUPPRESS_AFTER_ABORT_MS } from '../domain/report-suppression.ts';
import {
  FENCE_PROTOCOL_NAMES,
  protocolChoices,
  protocolEntryFields,
  protocolSettingsFields,
} from '../activities/fencing/fence-protocols.ts';
import { NO_CORROBORATION } from '../domain/corroboration.ts';
import {
  DEFAULT_EVACUATION_CONCURRENCY,
  DEFAULT_LANDING_CHECK_INTERVAL_MS,
  DEFAULT_MAX_EVACUATIONS_IN_FLIGHT,
  DEFAULT_EVACUATION_POLICY,
  DEFAULT_MAX_EVACUATION_ATTEMPTS,
} from '../domain/evacuation-policy.ts';
import {
  DEFAULT_DETECTOR_RULES,
  DEFAULT_DETECTOR_SETTINGS,
} from '../apps/detector/detector-rules.ts';
import { DEFAULT_CAPACITY_RECHECK_MS } from '../domain/capacity.ts';
import {
  DEFAULT_FLAPPING_LIMITS,
  DEFAULT_STORM_GUARD_LIMITS,
} from '../contracts/storm-guard-messages.ts';
import {
  checkPasswordReference,
  count,
  flag,
  passwordFields,
  seconds,
  text,
} from './config-fields.ts';
import { pdusSchema } from './pdu-inventory.ts';

const handling = z.enum(['evacuate', 'skip'], { error: 'must be evacuate or skip' });

/**
 * One entry of `bmcs`: which hosts it covers (`host`, `hosts` or `pattern`) and how to reach their BMC.
 * One flat object rather than a union by protocol: a host entry may take its protocol from its group,
 * so which protocol's fields apply is known only when bmc-inventory.ts resolves the host.
 */
export const bmcEntrySchema = z
  .strictObject({
    host: text.optional(),
    hosts: z
      .array(text, { error: 'must be a list of host names' })
      .min(1, { error: 'is empty; list at least one host' })
      .optional(),
    pattern: text
      .regex(/\{\w+\}/, { error: 'must contain a placeholder such as {n}, e.g. "cmp-{n}"' })
      .optional(),
    protocol: z.enum(FENCE_PROTOCOL_NAMES, { error: `must be ${protocolChoices()}` }).optional(),
    address: text.optional(),
    username: text.optional(),
    ...passwordFields,
    ...protocolEntryFields(),
  })
  .superRefine((entry, context) => {
    checkPasswordReference(entry, context);
    const selectors = (['host', 'hosts', 'pattern'] as const).filter(
      (key) => entry[key] !== undefined,
    );
    if (selectors.length !== 1) {
      context.addIssue({
        code: 'custom',
        path: [],
        message: `names its hosts ${selectors.length === 0 ? 'nowhere' : `with ${selectors.join(' and ')}`}; give exactly one of host: NAME, hosts: [NAMES] or pattern: "cmp-{n}"`,
      });
    }
  });

export type BmcEntryFields = z.output<typeof bmcEntrySchema>;

// Key IDs travel in every encrypted payload's metadata and in operators' messages: short, plain text.
const keyId = text.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  error: 'must be a key ID of letters, digits, ".", "_" and "-" (at most 64), e.g. 2026-01',
});

/**
 * `temporal.payloadEncryption` (docs/design.md#encrypted-payloads): the key files by ID and the
 * active one. Absent, payloads are not encrypted. The files themselves are read and checked by
 * client/payload-encryption/key-files.ts when a process builds its codec.
 */
const payloadEncryptionSchema = z
  .strictObject({
    activeKey: keyId,
    keys: z
      .array(z.strictObject({ id: keyId, file: text }), {
        error: 'must be a list of keys, each with an id and a file',
      })
      .min(1, { error: 'is empty; list at least the active key: - { id: 2026-01, file: PATH }' }),
  })
  .superRefine((settings, context) => {
    const ids = settings.keys.map((key) => key.id);
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index)
        context.addIssue({
          code: 'custom',
          path: ['keys', index, 'id'],
          message: `repeats key ID ${id}; give every key its own ID, since payloads name the key that encrypted them by it`,
        });
    });
    if (!ids.includes(settings.activeKey))
      context.addIssue({
        code: 'custom',
        path: ['activeKey'],
        message: `names key ${settings.activeKey}, which is not among keys (${ids.join(', ')}); add it to keys with its file, or name one of those`,
      });
  });

export const configFileSchema = z.strictObject({
  openstack: z
    .strictObject({
      /** A cloud of clouds.yaml; without it (and without OS_CLOUD) the OS_* variables are used. */
      cloud: text.optional(),
    })
    .prefault({}),
  temporal: z
    .strictObject({
      profile: text.optional(),
      configFile: text.optional(),
      taskQueue: text.default('lazarus'),
      maxConcurrentActivities: z
        .number({ error: 'must be a whole number' })
        .int()
        .positive({ error: 'must be at least 1' })
        .default(20),
      maxCachedWorkflows: z
        .number({ error: 'must be a whole number' })
        .int()
        .nonnegative({ error: 'must be 0 or more' })
        .default(500),
      evacuateCallsPerSecond: z
        .number({ error: 'must be a number of calls a second' })
        .positive({ error: 'must be more than 0' })
        .default(5),
      payloadEncryption: payloadEncryptionSchema.optional(),
      // Worker versioning, off unless asked for (docs/operations.md#upgrades).
      versioning: z
        .strictObject({
          enabled: flag.default(false),
          deploymentName: text
            .regex(/^[^.]+$/, {
              error:
                'must not contain ".", which Temporal puts between a deployment and a build ID',
            })
            .default('lazarus'),
        })
        .prefault({}),
    })
    .prefault({}),
  incident: z
    .strictObject({
      protect: z
        .enum(['all', 'tagged'], { error: 'must be all or tagged' })
        .default(DEFAULT_EVACUATION_POLICY.protect),
      protectionKeys: z
        .array(text, { error: 'must be a list of metadata keys' })
        .min(1, { error: 'is empty; list at least one key, e.g. HA_Enabled' })
        .default([...DEFAULT_EVACUATION_POLICY.protectionKeys]),
      priorityKey: text.default(DEFAULT_EVACUATION_POLICY.priorityKey),
      stopped: handling.default(DEFAULT_EVACUATION_POLICY.stopped),
      errored: handling.default(DEFAULT_EVACUATION_POLICY.errored),
      locked: handling.default(DEFAULT_EVACUATION_POLICY.locked),
      imageBackedOnLocalDisk: handling.default(DEFAULT_EVACUATION_POLICY.imageBackedOnLocalDisk),
      restartRunningInstances: flag.default(true),
      evacuationConcurrency: count.default(DEFAULT_EVACUATION_CONCURRENCY),
      maxEvacuationsInFlight: count.default(DEFAULT_MAX_EVACUATIONS_IN_FLIGHT),
      // Off (0) by default: docs/design.md#novas-queue says why and when to set it.
      novaQueueSeconds: z
        .number({ error: 'must be a number of seconds' })
        .nonnegative({ error: 'must be 0 (off) or more' })
        .default(0),
      landingCheckSeconds: seconds.default(DEFAULT_LANDING_CHECK_INTERVAL_MS / 1000),
      capacity: z
        .strictObject({
          check: flag.default(true),
          recheckSeconds: seconds.default(DEFAULT_CAPACITY_RECHECK_MS / 1000),
        })
        .prefault({}),
      maxEvacuationAttempts: count.default(DEFAULT_MAX_EVACUATION_ATTEMPTS),
      readmission: z
        .enum(['operator', 'automatic'], { error: 'must be operator or automatic' })
        .default('operator'),
      // 0 switches suppression after an abort off.
      suppressAfterAbortMinutes: z
        .number({ error: 'must be a number of minutes' })
        .nonnegative({ error: 'must be 0 (off) or more' })
        .default(DEFAULT_SUPPRESS_AFTER_ABORT_MS / 60_000),
      corroboration: z
        .strictObject({
          novaDown: flag.default(NO_CORROBORATION.isNovaDownRequired),
          bmcReachable: flag.default(NO_CORROBORATION.isBmcReachableRequired),
          minReporters: count.default(NO_CORROBORATION.minReporters),
          timeoutSeconds: seconds.default(NO_CORROBORATION.timeoutMs / 1000),
          recheckSeconds: seconds.default(NO_CORROBORATION.recheckIntervalMs / 1000),
        })
        .prefault({}),
    })
    .prefault({}),
  stormGuard: z
    .strictObject({
      enabled: flag.default(true),
      maxIncidents: count.default(DEFAULT_STORM_GUARD_LIMITS.maxIncidents),
      maxFractionDown: z
        .number({ error: 'must be a fraction from 0 to 1' })
        .min(0)
        .max(1, { error: 'must be a fraction from 0 to 1, e.g. 0.25' })
        .default(DEFAULT_STORM_GUARD_LIMITS.maxFractionDown),
      windowMinutes: z
        .number({ error: 'must be a number of minutes' })
        .positive({ error: 'must be more than 0 minutes' })
        .default(DEFAULT_STORM_GUARD_LIMITS.windowMs / 60_000),
      flapping: z
        .strictObject({
          failures: z
            .number({ error: 'must be a whole number of failures' })
            .int({ error: 'must be a whole number of failures' })
            .nonnegative({ error: 'must be 0 (off) or more' })
            .default(DEFAULT_FLAPPING_LIMITS.failures),
          withinHours: z
            .number({ error: 'must be a number of hours' })
            .positive({ error: 'must be more than 0 hours' })
            .default(DEFAULT_FLAPPING_LIMITS.windowMs / 3_600_000),
        })
        .prefault({}),
    })
    .prefault({}),
  detector: z
    .strictObject({
      enabled: flag.default(false),
      pollSeconds: seconds.default(DEFAULT_DETECTOR_SETTINGS.pollMs / 1000),
      debounceSeconds: z
        .number({ error: 'must be a number of seconds' })
        .nonnegative({ error: 'must be 0 seconds or more' })
        .default(DEFAULT_DETECTOR_SETTINGS.debounceMs / 1000),
      reporter: text.default(DEFAULT_DETECTOR_SETTINGS.reporter),
      ignoreDisabled: flag.default(DEFAULT_DETECTOR_RULES.shouldIgnoreDisabled),
      reportWhen: z
        .strictObject({
          novaDown: flag.default(DEFAULT_DETECTOR_RULES.isNovaDownRequired),
          bmcReachable: flag.default(DEFAULT_DETECTOR_RULES.isBmcReachableRequired),
          bmcPowerOff: flag.default(DEFAULT_DETECTOR_RULES.isBmcPowerOffRequired),
        })
        .prefault({})
        .refine((when) => when.novaDown || when.bmcPowerOff, {
          error:
            'needs novaDown: true or bmcPowerOff: true; without a failure signal every host would be reported',
        }),
    })
    .prefault({}),
  fencing: z
    .strictObject({
      powerOffTimeoutSeconds: seconds.default(20),
      pollIntervalSeconds: seconds.default(1),
      requestTimeoutSeconds: seconds.default(10),
      ...protocolSettingsFields(),
    })
    .prefault({}),
  bmcs: z
    .array(bmcEntrySchema, { error: 'must be a list of BMC entries (see config/README.md)' })
    .default([]),
  // Second fencing devices: switched PDUs and the outlets feeding each host (docs/design.md#fencing-levels).
  pdus: pdusSchema,
});

export type ConfigFile = z.output<typeof configFileSchema>;

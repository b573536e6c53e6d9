// The search attributes operators filter incidents by in the Web UI and `temporal workflow list`
// (e.g. `LazarusHost = "cmp-07" AND LazarusPhase = "FencingUnproven"`). They are part of the
// product's interface: the dev server registers them at start and production clusters must too.
// defineSearchAttributeKey is pure and not re-exported by @temporalio/workflow; Temporal's own
// samples import it from @temporalio/common in workflow code.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const LAZARUS_SEARCH_ATTRIBUTES = {
  LazarusHost: 'Keyword',
  LazarusIncident: 'Keyword',
  LazarusPhase: 'Keyword',
  LazarusOutcome: 'Keyword',
} as const;

export type LazarusSearchAttributeName = keyof typeof LAZARUS_SEARCH_ATTRIBUTES;

/** Typed keys for upsertSearchAttributes and for clients that start or list incidents. */
export const LazarusHost = defineSearchAttributeKey('LazarusHost', SearchAttributeType.KEYWORD);
export const LazarusIncident = defineSearchAttributeKey(
  'LazarusIncident',
  SearchAttributeType.KEYWORD,
);
export const LazarusPhase = defineSearchAttributeKey('LazarusPhase', SearchAttributeType.KEYWORD);
export const LazarusOutcome = defineSearchAttributeKey(
  'LazarusOutcome',
  SearchAttributeType.KEYWORD,
);

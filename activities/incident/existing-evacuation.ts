// Nova's record of this incident's evacuation of one instance: the migrations of type evacuation
// since the incident began (docs/nova-and-bmc-facts.md#listing-migrations,
// docs/design.md#nova-is-the-source-of-truth), judged by domain/evacuation-records.ts.
import type { Migration, NovaClient } from '../openstack/index.ts';
import type { EvacuationQuery, ExistingEvacuation } from '../../domain/evacuation-records.ts';
import { existingEvacuation } from '../../domain/evacuation-records.ts';

/**
 * Not filtered with changes-since: Nova compares it with updated_at, which nova-api leaves empty
 * when it accepts an evacuate, so a just-accepted evacuation would be missing until the conductor
 * first touches it — and a retry in that gap would send a second one
 * (docs/design.md#i2-exactly-once). Found against a real Nova
 * (test/real-nova/recovery.real-nova.ts). One instance's evacuations are few; the window is applied
 * to created_at by existingEvacuation.
 */
export async function readExistingEvacuation(
  nova: NovaClient,
  query: EvacuationQuery,
): Promise<ExistingEvacuation<Migration>> {
  const migrations = await nova.listMigrations({
    migrationType: 'evacuation',
    instanceId: query.instanceId,
  });
  return existingEvacuation(migrations, query);
}

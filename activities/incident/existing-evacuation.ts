// Nova's record of this incident's evacuation of one instance: the migrations of type evacuation
// since the incident began (API-FACTS §6 recommendation 2), judged by workflows/evacuation-records.ts.
import type { Migration, NovaClient } from '../openstack/index.ts';
import type { EvacuationQuery, ExistingEvacuation } from '../../workflows/evacuation-records.ts';
import { evacuationWindowStart, existingEvacuation } from '../../workflows/evacuation-records.ts';

export async function readExistingEvacuation(nova: NovaClient, query: EvacuationQuery): Promise<ExistingEvacuation<Migration>> {
  const migrations = await nova.listMigrations({ migrationType: 'evacuation', instanceId: query.instanceId, changesSince: evacuationWindowStart(query.incidentStartedAt) });
  return existingEvacuation(migrations, query);
}

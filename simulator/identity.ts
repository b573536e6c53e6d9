// Who exists in the simulated Keystone. Nova's instances and migrations refer to these ids too.
import type { SeededRandom } from './random.ts';

export interface Named {
  id: string;
  name: string;
}

export interface User extends Named {
  password: string;
}

export interface ApplicationCredential extends Named {
  secret: string;
  userId: string;
  projectId: string;
}

export interface Identity {
  domain: Named;
  admin: User;
  adminProject: Named;
  /** Projects owning the workload instances (admin sees them only with all_tenants). */
  tenantProjects: Named[];
  tenantUser: Named;
  adminRole: Named;
  memberRole: Named;
  appCredential: ApplicationCredential;
}

export function createIdentity(random: SeededRandom): Identity {
  // Keystone ids are 32 hex characters without dashes.
  const named = (name: string): Named => ({ id: random.hex(16), name });
  const admin = { ...named('admin'), password: random.hex(12) };
  const adminProject = named('admin');
  return {
    domain: { id: 'default', name: 'Default' },
    admin,
    adminProject,
    tenantProjects: [named('tenant-a'), named('tenant-b'), named('tenant-c')],
    tenantUser: named('tenant-user'),
    adminRole: named('admin'),
    memberRole: named('member'),
    appCredential: {
      ...named('lazarus-sim'),
      secret: random.hex(16),
      userId: admin.id,
      projectId: adminProject.id,
    },
  };
}

// The bench's own calls to the real-Nova tier's Keystone, as its admin: what it needs to prepare the
// cloud (the admin project's id, a catalog region), never what a procedure sends.
import type { RealNova } from '../../test/real-nova/real-nova.ts';

export async function keystoneAdmin(
  real: RealNova,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${real.keystoneUrl}/v3${path}`, {
    method,
    headers: { 'x-auth-token': await real.adminToken(), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`Keystone answered ${method} ${path} with ${response.status}`);
  return JSON.parse(text) as unknown;
}

/** The id of the project the admin credentials are scoped to, where the bench's servers live. */
export async function adminProjectId(real: RealNova): Promise<string> {
  const { projects } = (await keystoneAdmin(
    real,
    'GET',
    `/projects?name=${encodeURIComponent(real.credentials.projectName)}`,
  )) as { projects: { id: string }[] };
  const project = projects[0];
  if (project === undefined)
    throw new Error(`Keystone has no project ${real.credentials.projectName}`);
  return project.id;
}

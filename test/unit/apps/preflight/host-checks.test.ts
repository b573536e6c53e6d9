import { describe, expect, it } from 'vitest';
import type { BmcEntry } from '../../../../activities/fencing/index.ts';
import type { ComputeService, Hypervisor } from '../../../../activities/openstack/nova-types.ts';
import type { Inventory } from '../../../../apps/preflight/host-checks.ts';
import { hostRows, powerProblem } from '../../../../apps/preflight/host-checks.ts';

const service = (host: string, state: 'up' | 'down' = 'up'): ComputeService => ({
  id: `uuid-${host}`,
  binary: 'nova-compute',
  host,
  zone: 'nova',
  status: 'enabled',
  state,
  isForcedDown: false,
  disabledReason: null,
  updatedAt: null,
});
const hypervisor = (serviceHost: string, hypervisorHostname = serviceHost): Hypervisor => ({
  id: `hv-${serviceHost}`,
  hypervisorHostname,
  state: 'up',
  status: 'enabled',
  serviceHost,
  serviceId: `uuid-${serviceHost}`,
});
const redfish = (host: string): BmcEntry => ({
  protocol: 'redfish',
  address: `https://bmc-${host}`,
  username: 'u',
  password: { env: 'P' },
  auth: 'session',
});
const everyHost = (named: string[] = []): Inventory => ({
  bmcFor: redfish,
  namedHosts: () => named,
});
const NO_OUTLETS = { outletsFor: () => [] };
const problemsBy = (rows: ReturnType<typeof hostRows>) =>
  Object.fromEntries(rows.map((row) => [row.host, row.problems]));

describe('the host identity checks of preflight', () => {
  it('finds nothing wrong when every service host has its own hypervisor and a BMC', () => {
    const rows = hostRows(
      [service('cmp-1'), service('cmp-2')],
      [hypervisor('cmp-1'), hypervisor('cmp-2')],
      everyHost(['cmp-2']),
      'lazarus.yaml',
      NO_OUTLETS,
    );
    expect(problemsBy(rows)).toEqual({ 'cmp-1': [], 'cmp-2': [] });
  });

  it('flags a hypervisor_hostname claimed by two service hosts, on both hosts', () => {
    const rows = hostRows(
      [service('cmp-1'), service('cmp-2')],
      [hypervisor('cmp-1', 'node-a'), hypervisor('cmp-2', 'node-a')],
      everyHost(),
      'lazarus.yaml',
      NO_OUTLETS,
    );
    for (const host of ['cmp-1', 'cmp-2']) {
      expect(problemsBy(rows)[host]).toEqual([
        expect.stringMatching(
          /^hypervisor_hostname node-a is claimed by service hosts cmp-1 and cmp-2; .*give each compute a unique \[DEFAULT\] host/,
        ),
      ]);
    }
  });

  it('flags a service host without a hypervisor and a BMC entry for a host Nova does not know', () => {
    const rows = hostRows(
      [service('cmp-1'), service('cmp-2')],
      [hypervisor('cmp-1')],
      everyHost(['cmp-9']),
      'lazarus.yaml',
      NO_OUTLETS,
    );
    expect(problemsBy(rows)['cmp-2']).toEqual([
      expect.stringMatching(
        /^cmp-2 runs nova-compute but has no hypervisor .*nova-manage cell_v2 discover_hosts$/,
      ),
    ]);
    expect(problemsBy(rows)['cmp-9']).toEqual([
      expect.stringMatching(
        /^the BMC inventory names cmp-9, which runs no nova-compute service Nova knows; .*remove the entry from lazarus\.yaml$/,
      ),
    ]);
  });

  it('flags a host without a BMC entry and one whose cell Nova cannot reach', () => {
    const unreachable: ComputeService = {
      binary: 'nova-compute',
      host: 'cmp-3',
      status: 'UNKNOWN',
    };
    const inventory: Inventory = {
      bmcFor: (host) => (host === 'cmp-2' ? undefined : redfish(host)),
      namedHosts: () => [],
    };
    const rows = hostRows(
      [service('cmp-2'), unreachable],
      [hypervisor('cmp-2')],
      inventory,
      'lazarus.yaml',
      NO_OUTLETS,
    );
    expect(problemsBy(rows)['cmp-2']).toEqual([
      expect.stringContaining(
        'cmp-2 has no BMC entry and no PDU outlet, so Lazarus cannot fence it; add one under bmcs in lazarus.yaml',
      ),
    ]);
    // Fenced by its PDU alone (docs/design.md#fencing-levels): no problem.
    const withOutlet = hostRows(
      [service('cmp-2')],
      [hypervisor('cmp-2')],
      inventory,
      'lazarus.yaml',
      {
        outletsFor: (host) => (host === 'cmp-2' ? ['A2'] : []),
      },
    );
    expect(problemsBy(withOutlet)['cmp-2']).toEqual([]);
    expect(problemsBy(rows)['cmp-3']).toEqual([
      expect.stringContaining('Nova cannot reach the cell of cmp-3'),
    ]);
  });

  it('suspects a BMC that reports Off under a running nova-compute, but not under a dead one', () => {
    const [up, down] = hostRows(
      [service('cmp-1'), service('cmp-2', 'down')],
      [hypervisor('cmp-1'), hypervisor('cmp-2')],
      everyHost(),
      'lazarus.yaml',
      NO_OUTLETS,
    );
    if (up === undefined || down === undefined) throw new Error('two rows expected');
    expect(powerProblem(up, 'Off')).toMatch(
      /reports power Off while nova-compute on cmp-1 is up: the entry probably points at another machine/,
    );
    expect(powerProblem(up, 'On')).toBeUndefined();
    expect(powerProblem(down, 'Off')).toBeUndefined();
  });
});

// The pure half of `lazarus preflight`: from Nova's services and hypervisors and the BMC inventory,
// one row per host with the identity problems that make Nova lose instances, and the hosts
// Lazarus could not fence. Messages name the host and the fix.
import type { BmcEntry, PowerState } from '../../activities/fencing/index.ts';
import { describeBmc } from '../../activities/fencing/index.ts';
import type { ComputeService, Hypervisor } from '../../activities/openstack/nova-types.ts';

export interface HostRow {
  host: string;
  /** How Nova sees its nova-compute ("enabled, up"), or null for a host only the inventory names. */
  novaCompute: string | null;
  isComputeUp: boolean;
  bmc: BmcEntry | undefined;
  /** Read from the BMC; null when there is no BMC entry or the read failed. */
  power: PowerState | null;
  /** Read from the PDU outlets feeding it (its second fencing level), when it has any. */
  pduPower?: PowerState | null;
  problems: string[];
}

export interface Inventory {
  bmcFor(host: string): BmcEntry | undefined;
  namedHosts(): string[];
}

/** The PDU outlets of the configuration (pdus): a host with some can be fenced without a BMC. */
export interface OutletInventory {
  outletsFor(host: string): readonly unknown[];
}

export function hostRows(
  services: readonly ComputeService[],
  hypervisors: readonly Hypervisor[],
  inventory: Inventory,
  configPath: string,
  outlets: OutletInventory,
): HostRow[] {
  const rows = new Map<string, HostRow>();
  for (const service of services) {
    const isKnown = service.status !== 'UNKNOWN';
    const row: HostRow = {
      host: service.host,
      novaCompute: isKnown
        ? `${service.status}, ${service.state}${service.isForcedDown ? ', forced down' : ''}`
        : 'UNKNOWN',
      isComputeUp: isKnown && service.state === 'up',
      bmc: inventory.bmcFor(service.host),
      power: null,
      problems: [],
    };
    if (!isKnown) {
      row.problems.push(
        `Nova cannot reach the cell of ${service.host}, so Lazarus could neither see nor force down its service; check that cell's database and message queue`,
      );
    }
    if (row.bmc === undefined && outlets.outletsFor(service.host).length === 0) {
      row.problems.push(
        `${service.host} has no BMC entry and no PDU outlet, so Lazarus cannot fence it; add one under bmcs in ${configPath} (host: ${service.host}, or a pattern that covers it)`,
      );
    }
    rows.set(service.host, row);
  }
  for (const host of inventory.namedHosts().filter((named) => !rows.has(named))) {
    rows.set(host, {
      host,
      novaCompute: null,
      isComputeUp: false,
      bmc: inventory.bmcFor(host),
      power: null,
      problems: [
        `the BMC inventory names ${host}, which runs no nova-compute service Nova knows; correct the name (openstack compute service list --service nova-compute shows Nova's) or remove the entry from ${configPath}`,
      ],
    });
  }
  addHypervisorProblems(rows, hypervisors);
  return [...rows.values()].sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }));
}

/**
 * Nova ties instances to compute nodes by hypervisor_hostname and to services by host. When the
 * two disagree, or two services claim one node, a restarting nova-compute treats instances as
 * evacuated away and destroys them, and evacuation targets the wrong node.
 */
function addHypervisorProblems(
  rows: ReadonlyMap<string, HostRow>,
  hypervisors: readonly Hypervisor[],
): void {
  const claimants = new Map<string, Set<string>>();
  for (const hypervisor of hypervisors) {
    claimants.set(
      hypervisor.hypervisorHostname,
      (claimants.get(hypervisor.hypervisorHostname) ?? new Set()).add(hypervisor.serviceHost),
    );
  }
  for (const [name, hosts] of claimants) {
    if (hosts.size < 2) continue;
    const list = [...hosts].sort().join(' and ');
    for (const host of hosts) {
      rows
        .get(host)
        ?.problems.push(
          `hypervisor_hostname ${name} is claimed by service hosts ${list}; Nova can destroy or misplace instances of either: give each compute a unique [DEFAULT] host and node name, then restart nova-compute`,
        );
    }
  }
  const hostsWithNodes = new Set(hypervisors.map((hypervisor) => hypervisor.serviceHost));
  for (const row of rows.values()) {
    if (row.novaCompute === null || row.novaCompute === 'UNKNOWN' || hostsWithNodes.has(row.host))
      continue;
    row.problems.push(
      `${row.host} runs nova-compute but has no hypervisor (compute node), so Nova cannot evacuate or account for its instances; ` +
        "check that nova-compute's [DEFAULT] host has not changed since it registered, then run nova-manage cell_v2 discover_hosts",
    );
  }
}

/** A BMC that says Off under a running nova-compute is probably another machine's: its proof would be worthless. */
export function powerProblem(row: HostRow, power: PowerState): string | undefined {
  if (power !== 'Off' || !row.isComputeUp || row.bmc === undefined) return undefined;
  return (
    `the BMC at ${describeBmc(row.bmc)} reports power Off while nova-compute on ${row.host} is up: ` +
    'the entry probably points at another machine, and fencing through it would prove nothing; check its address'
  );
}

// `lazarus`: the operator's command line. Each command is one entry of COMMANDS, implemented in
// its own module; anything else is refused with a clear message.
import { packageVersion } from '../build-id.ts';
import type { Command } from './commands/temporal-command.ts';

// Each command's module (and with it the Temporal client) is imported only when that command runs,
// so `lazarus --help` and `--version` answer at once.
type CommandLoader = () => Promise<Command>;

function commandOf(commands: Readonly<Record<string, Command>>, name: string): Command {
  const command = commands[name];
  if (command === undefined)
    throw new Error(`lazarus: the command table names ${name}, which its module does not define`);
  return command;
}

const incidentCommand =
  (name: string): CommandLoader =>
  async () =>
    commandOf((await import('./commands/incident-commands.ts')).INCIDENT_COMMANDS, name);
const guardCommand =
  (name: string): CommandLoader =>
  async () =>
    commandOf((await import('./commands/guard-commands.ts')).GUARD_COMMANDS, name);

const COMMANDS: Readonly<Record<string, { summary: string; load: CommandLoader }>> = {
  incidents: {
    summary: 'list the open incidents: host, phase, instances done/total, age',
    load: incidentCommand('incidents'),
  },
  show: {
    summary: 'one incident: phase, fencing, and the per-instance table',
    load: incidentCommand('show'),
  },
  report: {
    summary: 'report a host as failed: start or join its incident',
    load: incidentCommand('report'),
  },
  retry: {
    summary: 'try now a step that waits for Nova, Keystone or room on other hosts',
    load: incidentCommand('retry'),
  },
  'confirm-fenced': {
    summary: 'say a host whose fencing is unproven was fenced by other means',
    load: incidentCommand('confirm-fenced'),
  },
  'retry-fencing': {
    summary: 'try the BMC of a host whose fencing is unproven again',
    load: incidentCommand('retry-fencing'),
  },
  abort: {
    summary: 'close an incident that is unproven or held, touching nothing',
    load: incidentCommand('abort'),
  },
  readmit: { summary: 'put a repaired host back into service', load: incidentCommand('readmit') },
  approve: {
    summary: 'let incidents held by the storm guard fence and evacuate',
    load: guardCommand('approve'),
  },
  'reset-guard': {
    summary: "forget the storm guard's window and admit everything held",
    load: guardCommand('reset-guard'),
  },
  pause: {
    summary: 'start nothing new anywhere (fencing and verification in flight finish)',
    load: guardCommand('pause'),
  },
  resume: { summary: 'undo pause', load: guardCommand('resume') },
  unsuppress: {
    summary: "let a host's reports start incidents again after an abort",
    load: guardCommand('unsuppress'),
  },
  replay: {
    summary: 'before an upgrade: replay the open and recent workflows on this build',
    load: async () => (await import('./commands/replay-command.ts')).replayCommand,
  },
  preflight: {
    summary: 'check the configuration, Nova and every BMC before protecting a cloud',
    load: async () => ({
      run: (await import('../preflight/preflight-command.ts')).preflightCommand,
    }),
  },
  drill: {
    summary: "an incident's dry run for one host (or --all): what it would do, touching nothing",
    load: async () => ({
      run: (await import('../drill/drill-command.ts')).drillCommand,
    }),
  },
  'codec-server': {
    summary: 'decrypt payloads for the Temporal Web UI and temporal --codec-endpoint',
    load: async () => ({
      run: (await import('../codec-server/codec-server-command.ts')).codecServerCommand,
    }),
  },
};

const USAGE = `usage: lazarus <command> [options]

Instance HA for OpenStack on Temporal.

commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(14)}  ${command.summary}`)
  .join('\n')}

options:
  --help       show this help (lazarus <command> --help for a command's)
  --version    print the Lazarus version`;

export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (name === '--version') {
    console.log(packageVersion());
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry === undefined) {
    console.error(
      `lazarus: unknown command "${name}"; run lazarus --help for the list of commands`,
    );
    return 2;
  }
  return (await entry.load()).run(args);
}

process.exitCode = await runCli(process.argv.slice(2));

// `lazarus`: the operator's command line. Each command is one entry of COMMANDS, implemented in
// its own module; anything else is refused with a clear message.
import { readFileSync } from 'node:fs';
import { GUARD_COMMANDS } from './commands/guard-commands.ts';
import { INCIDENT_COMMANDS } from './commands/incident-commands.ts';
import type { Command } from './commands/temporal-command.ts';
import { preflightCommand } from './preflight/preflight-command.ts';

const COMMANDS: Readonly<Record<string, Command>> = {
  ...INCIDENT_COMMANDS,
  ...GUARD_COMMANDS,
  preflight: { summary: 'check the configuration, Nova and every BMC before protecting a cloud', run: preflightCommand },
};

const USAGE = `usage: lazarus <command> [options]

Instance HA for OpenStack on Temporal.

commands:
${Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(14)}  ${command.summary}`).join('\n')}

options:
  --help       show this help (lazarus <command> --help for a command's)
  --version    print the Lazarus version`;

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

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
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    console.error(`lazarus: unknown command "${name}"; run lazarus --help for the list of commands`);
    return 2;
  }
  return command.run(args);
}

process.exitCode = await runCli(process.argv.slice(2));

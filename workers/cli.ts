// `lazarus`: the operator's command line. Commands arrive with the issues that build them; until
// then it answers --help and --version, and refuses anything else with a clear message.
import { readFileSync } from 'node:fs';

const USAGE = `usage: lazarus <command> [options]

Instance HA for OpenStack on Temporal.

options:
  --help       show this help
  --version    print the Lazarus version`;

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

export function runCli(argv: readonly string[]): number {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (command === '--version') {
    console.log(packageVersion());
    return 0;
  }
  console.error(`lazarus: unknown command "${command}"; run lazarus --help for the list of commands`);
  return 2;
}

process.exitCode = runCli(process.argv.slice(2));

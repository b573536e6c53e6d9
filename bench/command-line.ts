// What the bench's commands share at their edge: options parsed strictly, `--help` answered with
// the usage, a usage error exits 2 with the usage, any other failure exits 1 with one line.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export class UsageError extends Error {}

/** The options' values; an unknown option, a missing value or a positional is a UsageError. */
export function parseOptions<T extends OptionsConfig>(argv: readonly string[], options: T) {
  try {
    return parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function positiveInteger(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${option} must be a positive integer, not ${text}`);
  return value;
}

/** Runs `main` with the command line's arguments as a bench command named `name`. */
export function runCommand(
  name: string,
  usage: string,
  main: (argv: readonly string[]) => Promise<void>,
): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return;
  }
  main(argv).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      console.error(`${name}: ${message}\n${usage}`);
      process.exit(2);
    }
    console.error(`${name}: ${message.split('\n')[0] ?? message}`);
    process.exit(1);
  });
}

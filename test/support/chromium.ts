// The browser of the Web UI tests: Debian's chromium from PATH, driven by playwright-core, which
// downloads no browser of its own.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function chromiumExecutable(): string {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(directory, 'chromium');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    'chromium is not on PATH; npm test installs it (infra/setup/debian-packages.txt), or run: apt-get install chromium',
  );
}

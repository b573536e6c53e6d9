// `npm run temporal:install`: prints the path of a working Temporal CLI at the pinned version.
import { ensureTemporalCli } from './temporal-cli.ts';

try {
  console.log(await ensureTemporalCli());
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}

// Run by infra/setup/prepare.js: provisions kubernetes-validate for the deployment tests and prints
// the interpreter that runs it.
import { ensureKubernetesValidate } from './kubernetes-validate.ts';

try {
  console.log(await ensureKubernetesValidate());
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}

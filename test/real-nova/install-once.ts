// Global setup of the real-Nova tier: the Debian installs run once, before the files start their
// Novas side by side, so that no two apt-get runs contend for dpkg's lock.
import { installRealNova } from './install.ts';

export default function setup(): void {
  const started = Date.now();
  installRealNova();
  console.error(`real-nova: installs ready in ${Date.now() - started} ms`);
}

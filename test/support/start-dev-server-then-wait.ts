// Starts a dev server through the library, prints its address, then idles until killed.
// The lifecycle test SIGKILLs this process to prove the server does not outlive it.
import { startDevServer } from '../../infra/temporal/dev-server.ts';

const server = await startDevServer({ ui: false });
console.log(JSON.stringify({ address: server.address }));
setInterval(() => undefined, 60_000);

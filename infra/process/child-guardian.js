#!/usr/bin/env node
// Runs one command and guarantees it does not outlive whoever started this guardian.
//
// Usage: node child-guardian.js <grace-ms>[:<stop-signal>] <command> [args...]
// The parent keeps our stdin open as a lifeline. When it closes (the parent exited, crashed or was
// SIGKILLed) or we receive SIGTERM/SIGINT/SIGHUP, the command gets the stop signal (SIGTERM unless
// named) and, if it is still alive after the grace period, SIGKILL. We exit with the command's status.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const [stopArg = '', command, ...args] = process.argv.slice(2);
const [graceArg, stopSignal = 'SIGTERM'] = stopArg.split(':');
const graceMs = Number(graceArg);
if (!command || !Number.isFinite(graceMs) || graceMs < 0 || !(stopSignal in constants.signals)) {
  console.error('usage: child-guardian.js <grace-ms>[:<stop-signal>] <command> [args...]');
  process.exit(64);
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let terminating = false;

function terminate() {
  if (terminating || child.exitCode !== null || child.signalCode !== null) return;
  terminating = true;
  child.kill(/** @type {NodeJS.Signals} */ (stopSignal));
  setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
}

for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT', 'SIGHUP']))
  process.on(signal, terminate);
process.stdin.on('end', terminate);
process.stdin.on('close', terminate);
process.stdin.on('error', terminate);
process.stdin.resume();

child.on('error', (error) => {
  console.error(`child-guardian: cannot start ${command}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
});

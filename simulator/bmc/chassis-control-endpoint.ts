// How ipmi_sim reaches the simulated world's power. ipmi_sim runs `<program> <host> get power`
// (which must print `power:1` or `power:0`) and `<program> <host> set power 0|1` (OpenIPMI
// lanserv/bmc_chassis.c, docs/nova-and-bmc-facts.md#openipmi-simulator). The program is a few lines
// of bash that forward the words over a loopback TCP connection to this endpoint and print the
// answer: no interpreter start-up, so a call takes milliseconds, which matters because ipmi_sim
// waits for it before answering ipmitool.
import { chmod, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BmcPower } from './bmc-power.ts';

export interface ChassisControlEndpoint {
  /** The program to name in lan.conf's `chassis_control "<program> <host>"`. */
  readonly program: string;
  close(): Promise<void>;
}

interface ChassisAnswer {
  exitCode: number;
  stdout?: string;
}

/** One request line `<host> get|set <parameter> [value]` gets one reply line `<exit code> [stdout]`. */
export async function startChassisControlEndpoint(
  powers: ReadonlyMap<string, BmcPower>,
  directory: string,
): Promise<ChassisControlEndpoint> {
  const server: Server = createServer((socket: Socket) => {
    socket.on('error', () => {
      socket.destroy();
    });
    // The script writes its line at once; a connection that says nothing is not ipmi_sim's.
    socket.setTimeout(5_000, () => {
      socket.destroy();
    });
    createInterface({ input: socket }).once('line', (line) => {
      const { exitCode, stdout } = answer(powers, line.trim().split(/\s+/));
      socket.end(stdout === undefined ? `${exitCode}\n` : `${exitCode} ${stdout}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const program = join(directory, 'chassis-control.sh');
  await writeFile(program, chassisControlScript(port));
  await chmod(program, 0o755);
  return {
    program,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

function answer(
  powers: ReadonlyMap<string, BmcPower>,
  [host = '', operation, parameter, value]: readonly string[],
): ChassisAnswer {
  const power = powers.get(host);
  if (!power) return { exitCode: 1, stdout: `unknown host ${host}` };
  const request = `${operation ?? ''} ${parameter ?? ''}`;
  if (request === 'get power')
    return { exitCode: 0, stdout: `power:${power.reportedOnOff() === 'On' ? 1 : 0}` };
  if (request === 'set power' && (value === '0' || value === '1')) {
    power.switchNow(value === '1' ? 'On' : 'Off', 'ipmi');
    return { exitCode: 0 };
  }
  // ipmitool's `chassis power soft` asks the OS to shut down (ACPI soft-off); ipmi_sim sends
  // `set shutdown`. The simulated OS always complies.
  if (request === 'set shutdown') {
    power.switchNow('Off', 'ipmi');
    return { exitCode: 0 };
  }
  // A hard reset cuts the power and restores it at once (bmc_chassis.c sends `set reset 1`).
  if (request === 'set reset') {
    power.switchNow('Off', 'ipmi');
    power.switchNow('On', 'ipmi');
    return { exitCode: 0 };
  }
  return { exitCode: 1, stdout: `unsupported chassis control request: ${request}` };
}

function chassisControlScript(port: number): string {
  return `#!/bin/bash
# Written by the Lazarus simulator: forwards ipmi_sim's chassis control to the simulated world.
exec 3<>/dev/tcp/127.0.0.1/${port} || exit 1
printf '%s\\n' "$*" >&3
read -r code output <&3 || exit 1
if [ "$code" != 0 ]; then printf '%s\\n' "$output" >&2; elif [ -n "$output" ]; then printf '%s\\n' "$output"; fi
exit "$code"
`;
}

import type { ChildProcess } from 'node:child_process';

/** Resolves with the first match of `pattern` in the child's stdout, or rejects with what it printed. */
export function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      finish(new Error(`no output matching ${pattern} within ${timeoutMs} ms; got:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) finish(match);
    };
    const onExit = (code: number | null): void => {
      finish(new Error(`exited with ${code} before printing ${pattern}; got:\n${output}`));
    };
    function finish(result: RegExpMatchArray | Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (result instanceof Error) reject(result);
      else resolve(result);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** Resolves with the exit code (or signal name) once the child has ended. */
export function exitOf(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    }),
  );
}

/** Sends SIGTERM and resolves with the exit code once the child printed `stoppedLine` and ended. */
export async function stopGracefully(
  child: ChildProcess,
  stoppedLine: RegExp,
): Promise<number | string> {
  const stopped = waitForOutput(child, stoppedLine);
  child.kill('SIGTERM');
  await stopped;
  return exitOf(child);
}

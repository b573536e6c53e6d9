// Tasks for the 202 response style: the Reset answers 202 with a task monitor in `Location`, and
// the monitor answers 202 (with the Task and Retry-After) until the power change is done, then 204
// (DMTF spec "Asynchronous operations", Task.v1_8_0;
// docs/nova-and-bmc-facts.md#status-codes-and-tasks).
import { randomBytes } from 'node:crypto';
import { TASK_MONITORS, TASKS } from './redfish-resources.ts';

type TaskState = 'Running' | 'Completed' | 'Exception';

export class RedfishTask {
  readonly id = randomBytes(6).toString('hex');
  private state: TaskState = 'Running';
  private readonly startTime = new Date().toISOString();
  private endTime: string | undefined;

  constructor(
    work: Promise<void>,
    /** Wall-clock time at which the work is expected to end. */
    private readonly expectedEnd: number,
  ) {
    work.then(
      () => {
        this.end('Completed');
      },
      () => {
        this.end('Exception');
      },
    );
  }

  get path(): string {
    return `${TASKS}/${this.id}`;
  }

  get monitorPath(): string {
    return `${TASK_MONITORS}/${this.id}`;
  }

  isRunning(): boolean {
    return this.state === 'Running';
  }

  /** Whole seconds, at least 1 while running: clients such as sushy sleep this long before polling again. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.expectedEnd - Date.now()) / 1000));
  }

  resource() {
    return {
      '@odata.type': '#Task.v1_8_0.Task',
      Id: this.id,
      Name: `Task ${this.id}`,
      TaskState: this.state,
      TaskStatus: this.state === 'Exception' ? 'Critical' : 'OK',
      StartTime: this.startTime,
      ...(this.endTime === undefined ? {} : { EndTime: this.endTime }),
      PercentComplete: this.state === 'Running' ? 0 : 100,
      TaskMonitor: this.monitorPath,
      '@odata.id': this.path,
    };
  }

  private end(state: TaskState): void {
    this.state = state;
    this.endTime = new Date().toISOString();
  }
}

export class RedfishTasks {
  private readonly byId = new Map<string, RedfishTask>();

  start(work: Promise<void>, expectedEnd: number): RedfishTask {
    const task = new RedfishTask(work, expectedEnd);
    this.byId.set(task.id, task);
    return task;
  }

  find(id: string): RedfishTask | undefined {
    return this.byId.get(id);
  }

  paths(): string[] {
    return [...this.byId.values()].map((task) => task.path);
  }
}

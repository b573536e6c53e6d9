// What happened in one run and when, so a failing run can be read and replayed.
export interface TimelineEntry {
  atMs: number;
  text: string;
}

export class Timeline {
  readonly #startedAt = Date.now();
  readonly entries: TimelineEntry[] = [];

  note(text: string): void {
    this.entries.push({ atMs: Date.now() - this.#startedAt, text });
  }

  elapsedMs(): number {
    return Date.now() - this.#startedAt;
  }
}

export function formatTimeline(entries: readonly TimelineEntry[]): string {
  return entries
    .map((entry) => `${(entry.atMs / 1000).toFixed(1).padStart(7)} s  ${entry.text}`)
    .join('\n');
}

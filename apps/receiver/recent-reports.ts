// Alertmanager re-sends every alert of a group each time the group changes and again every
// repeat_interval. Those reports are already in their incident; remembering them for a while saves
// a round trip to Temporal per re-sent alert during a rack failure. Idempotency itself is the
// workflow's (signal-with-start with USE_EXISTING); this is only a cheap shortcut.
import type { IncidentReceipt } from '../../client/send-host-report.ts';

export class RecentReports {
  private readonly receipts = new Map<string, { receipt: IncidentReceipt; until: number }>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly capacity = 10_000,
    private readonly now = Date.now,
  ) {}

  get(key: string): IncidentReceipt | undefined {
    const entry = this.receipts.get(key);
    if (entry === undefined || entry.until <= this.now()) return undefined;
    return entry.receipt;
  }

  remember(key: string, receipt: IncidentReceipt): void {
    if (this.receipts.size >= this.capacity) {
      // Insertion order is age order; the oldest go first.
      for (const [old, entry] of this.receipts) {
        if (this.receipts.size < this.capacity && entry.until > this.now()) break;
        this.receipts.delete(old);
      }
    }
    this.receipts.set(key, { receipt, until: this.now() + this.ttlMs });
  }
}

/**
 * Tells the local pollers that something was just published to the stream, so they read it at once instead of
 * waiting out their idle pause. The local front raises it after ingest answers a POST /events with 2xx; every
 * poller listening wakes its idle shards (a shard busy with a batch reads again right after it anyway).
 *
 * Only a hint: a poller that misses it (or a record put by another process, such as a test or the CLI) is
 * still read after the idle interval, as before.
 */
export class PublishSignal {
  private readonly listeners = new Set<() => void>();

  /** Raised after records were put into the stream. */
  published(): void {
    for (const listener of this.listeners) listener();
  }

  /** How many listeners are subscribed (a stopped poller has removed its own). */
  get subscribers(): number {
    return this.listeners.size;
  }

  /** Calls `listener` on every `published()`; returns the function that removes it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * A bounded hand-off between the page lister and the workers: the lister waits for room, so at
 * most about one page of work is held in memory whatever the size of the listing.
 */
export class WorkQueue<T> {
  private items: T[] = [];
  private readonly takers: Array<(item: T | undefined) => void> = [];
  private readonly roomWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Adds an item; dropped when the queue was abandoned (the run is stopping). */
  push(item: T): void {
    if (this.closed) return;
    const taker = this.takers.shift();
    if (taker) taker(item);
    else this.items.push(item);
  }

  /** The next item; undefined once the queue is closed and empty. */
  take(): Promise<T | undefined> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.wakeRoomWaiters();
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.takers.push(resolve));
  }

  /** Resolves when fewer than `capacity` items wait (or the queue closed). */
  waitForRoom(): Promise<void> {
    if (this.closed || this.items.length < this.capacity) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** No more pushes: takers drain what is left, then get undefined. */
  close(): void {
    this.closed = true;
    for (const taker of this.takers.splice(0)) taker(undefined);
    this.wakeRoomWaiters(true);
  }

  /** Drops what is left and closes. */
  abandon(): void {
    this.items = [];
    this.close();
  }

  private wakeRoomWaiters(all = false): void {
    while (this.roomWaiters.length > 0 && (all || this.items.length < this.capacity)) this.roomWaiters.shift()!();
  }
}

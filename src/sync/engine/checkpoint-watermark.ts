interface OpenPage {
  nextCheckpoint: string | null;
  pending: number;
  listed: number;
}

export interface WatermarkAdvance {
  checkpoint: string | null;
  /** Pages fully done so far. */
  pages: number;
  /** Items listed by those pages (visited or not). */
  listed: number;
}

/**
 * Tracks pages whose items complete out of order and answers the checkpoint that is safe to
 * persist: the one after the last page such that it and every page before it are fully done.
 * Resuming from that checkpoint can only revisit recorded items (skipped), never miss one.
 */
export class CheckpointWatermark {
  private readonly pages = new Map<number, OpenPage>();
  private nextId = 0;
  private lowestOpen = 0;
  private safe: string | null;
  private pagesDone = 0;
  private listedDone = 0;

  constructor(initialCheckpoint: string | null) {
    this.safe = initialCheckpoint;
  }

  /**
   * Registers the next page in listing order: `itemCount` items must complete before it is done;
   * `listedCount` is how many items the page listed (some need no visit).
   */
  open(nextCheckpoint: string | null, itemCount: number, listedCount = itemCount): number {
    const id = this.nextId++;
    this.pages.set(id, { nextCheckpoint, pending: itemCount, listed: listedCount });
    return id;
  }

  complete(pageId: number): void {
    const page = this.pages.get(pageId);
    if (!page || page.pending <= 0) throw new Error(`page ${pageId} has no pending item`);
    page.pending--;
  }

  /** Moves past every leading finished page; answers the new safe checkpoint, or undefined when it did not move. */
  advance(): WatermarkAdvance | undefined {
    let moved = false;
    for (;;) {
      const page = this.pages.get(this.lowestOpen);
      if (!page || page.pending > 0) break;
      this.safe = page.nextCheckpoint;
      this.pages.delete(this.lowestOpen);
      this.lowestOpen++;
      this.pagesDone++;
      this.listedDone += page.listed;
      moved = true;
    }
    return moved ? { checkpoint: this.safe, pages: this.pagesDone, listed: this.listedDone } : undefined;
  }

  get checkpoint(): string | null {
    return this.safe;
  }

  /** Pages listed but not yet fully done. */
  get openPages(): number {
    return this.pages.size;
  }
}

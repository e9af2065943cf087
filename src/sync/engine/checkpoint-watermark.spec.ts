import { CheckpointWatermark } from './checkpoint-watermark';

describe('CheckpointWatermark', () => {
  it('advances only past pages whose items are all done, in listing order', () => {
    const watermark = new CheckpointWatermark(null);
    const first = watermark.open('c1', 2, 5);
    const second = watermark.open('c2', 1);
    watermark.complete(second);
    expect(watermark.advance()).toBeUndefined();
    expect(watermark.checkpoint).toBeNull();
    watermark.complete(first);
    expect(watermark.advance()).toBeUndefined();
    watermark.complete(first);
    expect(watermark.advance()).toEqual({ checkpoint: 'c2', pages: 2, listed: 6 });
    expect(watermark.openPages).toBe(0);
  });

  it('passes an empty page at once and keeps the resumed checkpoint until then', () => {
    const watermark = new CheckpointWatermark('c7');
    expect(watermark.checkpoint).toBe('c7');
    watermark.open('c8', 0);
    expect(watermark.advance()).toEqual({ checkpoint: 'c8', pages: 1, listed: 0 });
  });

  it('ends on null after the last page', () => {
    const watermark = new CheckpointWatermark(null);
    const page = watermark.open(null, 1);
    watermark.complete(page);
    expect(watermark.advance()?.checkpoint).toBeNull();
  });

  it('refuses to complete more items than a page has', () => {
    const watermark = new CheckpointWatermark(null);
    const page = watermark.open('c1', 1);
    watermark.complete(page);
    expect(() => watermark.complete(page)).toThrow('no pending item');
  });

  it('never lets the checkpoint pass an unfinished page, whatever the completion order', () => {
    const watermark = new CheckpointWatermark(null);
    const sizes = [3, 1, 4, 1, 5, 9, 2, 6];
    const pages = sizes.map((size, i) => ({ id: watermark.open(`c${i}`, size), size }));
    const completions = pages.flatMap((p) => Array.from({ length: p.size }, () => p.id));
    // deterministic shuffle
    for (let i = completions.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [completions[i], completions[j]] = [completions[j]!, completions[i]!];
    }
    const remaining = new Map(pages.map((p) => [p.id, p.size]));
    for (const id of completions) {
      watermark.complete(id);
      remaining.set(id, remaining.get(id)! - 1);
      watermark.advance();
      const firstUnfinished = pages.findIndex((p) => remaining.get(p.id)! > 0);
      const expected = firstUnfinished === -1 ? `c${pages.length - 1}` : firstUnfinished === 0 ? null : `c${firstUnfinished - 1}`;
      expect(watermark.checkpoint).toBe(expected);
    }
  });
});

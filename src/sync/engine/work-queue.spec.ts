import { WorkQueue } from './work-queue';

describe('WorkQueue', () => {
  it('hands items to waiting takers in order and ends them with undefined on close', async () => {
    const queue = new WorkQueue<number>(10);
    const first = queue.take();
    const second = queue.take();
    queue.push(1);
    queue.push(2);
    queue.push(3);
    queue.close();
    await expect(first).resolves.toBe(1);
    await expect(second).resolves.toBe(2);
    await expect(queue.take()).resolves.toBe(3);
    await expect(queue.take()).resolves.toBeUndefined();
  });

  it('makes the producer wait while the queue is full', async () => {
    const queue = new WorkQueue<number>(2);
    queue.push(1);
    queue.push(2);
    let roomy = false;
    const room = queue.waitForRoom().then(() => (roomy = true));
    await Promise.resolve();
    expect(roomy).toBe(false);
    await queue.take();
    await room;
    expect(roomy).toBe(true);
  });

  it('drops pending items on abandon', async () => {
    const queue = new WorkQueue<number>(5);
    queue.push(1);
    queue.abandon();
    await expect(queue.take()).resolves.toBeUndefined();
  });
});

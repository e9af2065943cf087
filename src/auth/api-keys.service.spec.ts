import type { AuthConfig } from '../config/configuration';
import type { ApiKey } from './api-key.entity';
import type { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

/** An in-memory key store whose active-key lookups stay pending until released, so lookups can overlap a revocation. */
class HeldKeyStore {
  readonly keys = new Map<string, ApiKey>();
  private readonly heldLookups: Array<() => void> = [];

  asRepository(): ApiKeysRepository {
    return {
      insert: async (key: ApiKey) => this.keys.set(key.id, { ...key }),
      findById: async (id: string) => this.keys.get(id) ?? null,
      markRevoked: async (id: string, at: string) => void (this.keys.get(id)!.revokedAt = at),
      touchLastUsed: async () => undefined,
      findActiveByHash: (hash: string) =>
        new Promise<ApiKey | null>((resolve) =>
          this.heldLookups.push(() => resolve([...this.keys.values()].find((k) => k.hash === hash && !k.revokedAt) ?? null)),
        ),
    } as unknown as ApiKeysRepository;
  }

  /** Answers every lookup asked for so far, from the store as it is now. */
  releaseLookups(): void {
    for (const release of this.heldLookups.splice(0)) release();
  }
}

describe('ApiKeysService', () => {
  const config = { keyCacheMs: 60_000, bootstrapAdminKey: undefined, encryptionKey: undefined } as unknown as AuthConfig;

  async function serviceWithKey(): Promise<{ service: ApiKeysService; store: HeldKeyStore; key: string; id: string }> {
    const store = new HeldKeyStore();
    const service = new ApiKeysService(store.asRepository(), config);
    const created = await service.create('service', 'portal');
    return { service, store, key: created.key, id: created.id };
  }

  it('ends the entries of every connection that verified a key in overlapping lookups when the key is revoked', async () => {
    const { service, store, key, id } = await serviceWithKey();
    const first = { connection: {}, authorization: `Bearer ${key}` };
    const second = { connection: {}, authorization: `Bearer ${key}` };
    const lookups = Promise.all([service.authenticate(key, first), service.authenticate(key, second)]);
    store.releaseLookups();
    expect((await lookups).map((caller) => caller?.role)).toEqual(['service', 'service']);
    expect(service.verifiedOn(first)?.keyId).toBe(id);
    expect(service.verifiedOn(second)?.keyId).toBe(id);

    await service.revoke(id);
    expect(service.verifiedOn(first)).toBeUndefined();
    expect(service.verifiedOn(second)).toBeUndefined();
    expect(service.recentlyVerified(key)).toBeUndefined();
    const after = service.authenticate(key);
    store.releaseLookups();
    expect(await after).toBeNull();
  });

  it('does not remember a key whose lookup was under way when a key was revoked', async () => {
    const { service, store, key, id } = await serviceWithKey();
    const presentation = { connection: {}, authorization: `Bearer ${key}` };
    const lookup = service.authenticate(key, presentation);
    await service.revoke(id);
    store.keys.get(id)!.revokedAt = null; // the lookup's answer was read before the revocation committed
    store.releaseLookups();
    expect((await lookup)?.keyId).toBe(id);
    expect(service.verifiedOn(presentation)).toBeUndefined();
    expect(service.recentlyVerified(key)).toBeUndefined();
  });

  it('recognises only the very header a connection had verified, until the cache time runs out', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const { service, store, key } = await serviceWithKey();
      const connection = {};
      const lookup = service.authenticate(key, { connection, authorization: `Bearer ${key}` });
      store.releaseLookups();
      await lookup;
      expect(service.verifiedOn({ connection, authorization: `Bearer ${key}` })?.role).toBe('service');
      expect(service.verifiedOn({ connection, authorization: `Bearer ${key}x` })).toBeUndefined();
      expect(service.verifiedOn({ connection: {}, authorization: `Bearer ${key}` })).toBeUndefined();
      jest.setSystemTime(60_000);
      expect(service.verifiedOn({ connection, authorization: `Bearer ${key}` })).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});

import { Inject, Injectable, Logger } from '@nestjs/common';
import { hash as digest, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { authConfig, AuthConfig } from '../config/configuration';
import { NotFoundError } from '../common/errors/domain-error';
import { ApiKey } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { Caller, Role } from './roles';

export interface ApiKeySummary {
  id: string;
  prefix: string;
  role: Role;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeySummary {
  /** The key itself: shown once, never stored. */
  key: string;
}

const KEY_PREFIX = 'oc_';
const BOOTSTRAP_KEY_ID = 'bootstrap-admin';
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/** A key found valid, remembered until `until` (ms since the epoch) unless a key is revoked after `revocations` of them. */
interface VerifiedKey {
  caller: Caller;
  until: number;
  /** How many revocations there had been when the key was looked up: a later one ends this entry. */
  revocations: number;
}

/** Where a key was presented: the connection and the whole Authorization header that carried it. */
export interface Presentation {
  connection: object;
  authorization: string;
}

function sha256(value: string): string {
  // One-shot hash: no Hash object per call, which matters on the per-request key check.
  return digest('sha256', value, 'hex');
}

/** String equality in time that depends on the length only, not on where the strings differ. */
function sameSecret(held: string, presented: string): boolean {
  if (held.length !== presented.length) return false;
  let difference = 0;
  for (let i = 0; i < held.length; i++) difference |= held.charCodeAt(i) ^ presented.charCodeAt(i);
  return difference === 0;
}

function summarize(key: ApiKey): ApiKeySummary {
  return {
    id: key.id,
    prefix: key.prefix,
    role: key.role,
    label: key.label,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly bootstrapHash?: Buffer;
  /** Short-lived cache of verified keys, so the hot path does not query per request. */
  private readonly verified = new Map<string, VerifiedKey>();
  /**
   * The Authorization header each open connection last had verified. A keep-alive client repeats its header on every
   * request, so comparing the header string replaces hashing the key (5 to 9 µs of a 60 µs keyed read under load).
   * The header lives as long as its connection, which holds it anyway; expiry and revocation reach these entries too.
   */
  private readonly verifiedOnConnection = new WeakMap<object, { authorization: string; verified: VerifiedKey }>();
  private readonly lastUsedWritten = new Map<string, number>();
  /** Revocations so far: entries remembered before the latest one, wherever they are kept, no longer count. */
  private revocations = 0;

  constructor(
    private readonly keys: ApiKeysRepository,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {
    if (config.bootstrapAdminKey) this.bootstrapHash = Buffer.from(sha256(config.bootstrapAdminKey), 'hex');
  }

  async create(role: Role, label: string): Promise<CreatedApiKey> {
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const entity: ApiKey = {
      id: randomUUID(),
      prefix: key.slice(0, 10),
      hash: sha256(key),
      role,
      label,
      createdAt: new Date().toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.keys.insert(entity);
    return { ...summarize(entity), key };
  }

  async list(): Promise<ApiKeySummary[]> {
    return (await this.keys.listAll()).map(summarize);
  }

  async revoke(id: string): Promise<ApiKeySummary> {
    const key = await this.keys.findById(id);
    if (!key) throw new NotFoundError(`No API key with id ${id}.`, 'api_key_not_found');
    await this.keys.markRevoked(id, new Date().toISOString());
    this.revocations += 1;
    this.verified.clear();
    return summarize((await this.keys.findById(id))!);
  }

  /** The caller of the header this connection had verified less than keyCacheMs ago: no hash, no database. */
  verifiedOn(presentation: Presentation): Caller | undefined {
    const seen = this.verifiedOnConnection.get(presentation.connection);
    if (seen === undefined || !sameSecret(seen.authorization, presentation.authorization)) return undefined;
    return this.isCurrent(seen.verified, Date.now()) ? seen.verified.caller : undefined;
  }

  /** The caller of a key verified less than keyCacheMs ago, without touching the database. */
  recentlyVerified(presented: string, presentation?: Presentation): Caller | undefined {
    return this.cachedCaller(sha256(presented), Date.now(), presentation);
  }

  /** Resolves a presented key to its caller, or null when it is unknown or revoked. */
  async authenticate(presented: string, presentation?: Presentation): Promise<Caller | null> {
    const now = Date.now();
    const revocationsBefore = this.revocations;
    // Verified keys are remembered for keyCacheMs under their hash, so a hot path pays one hash and one map lookup.
    const hash = sha256(presented);
    const cached = this.cachedCaller(hash, now, presentation);
    if (cached) return cached;

    const hashBuffer = Buffer.from(hash, 'hex');
    if (this.bootstrapHash && timingSafeEqual(hashBuffer, this.bootstrapHash)) {
      return this.remember(hash, { keyId: BOOTSTRAP_KEY_ID, role: 'admin' }, now, revocationsBefore, presentation);
    }
    const key = await this.keys.findActiveByHash(hash);
    if (!key || !timingSafeEqual(Buffer.from(key.hash, 'hex'), hashBuffer)) {
      this.verified.delete(hash);
      return null;
    }
    this.recordUse(key.id, now);
    return this.remember(hash, { keyId: key.id, role: key.role }, now, revocationsBefore, presentation);
  }

  /** The caller of a key hash verified less than keyCacheMs ago, remembered on the presenting connection too. */
  private cachedCaller(hash: string, now: number, presentation: Presentation | undefined): Caller | undefined {
    const cached = this.verified.get(hash);
    if (!cached || !this.isCurrent(cached, now)) return undefined;
    if (presentation) this.rememberOn(presentation, cached);
    return cached.caller;
  }

  private isCurrent(verified: VerifiedKey, now: number): boolean {
    return verified.until > now && verified.revocations === this.revocations;
  }

  /** Caches the caller, unless a key was revoked while it was being looked up (the lookup may predate the revocation). */
  private remember(hash: string, caller: Caller, now: number, revocationsBefore: number, presentation: Presentation | undefined): Caller {
    if (this.config.keyCacheMs <= 0 || revocationsBefore !== this.revocations) return caller;
    const verified = { caller, until: now + this.config.keyCacheMs, revocations: revocationsBefore };
    this.verified.set(hash, verified);
    if (presentation) this.rememberOn(presentation, verified);
    return caller;
  }

  private rememberOn(presentation: Presentation, verified: VerifiedKey): void {
    this.verifiedOnConnection.set(presentation.connection, { authorization: presentation.authorization, verified });
  }

  private recordUse(id: string, now: number): void {
    const last = this.lastUsedWritten.get(id) ?? 0;
    if (now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWritten.set(id, now);
    this.keys.touchLastUsed(id, new Date(now).toISOString()).catch((err: unknown) => {
      this.logger.warn({ err, keyId: id }, 'Could not record API key use');
    });
  }
}

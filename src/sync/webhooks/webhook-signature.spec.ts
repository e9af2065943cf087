import { createHmac } from 'node:crypto';
import { isValidWebhookSignature } from './webhook-signature';

const secret = 'a-webhook-secret-of-some-length';
const body = Buffer.from('{"id":"d1","event":"USER_COMPLETED_TRAINING"}');
const sign = (raw: Buffer, key = secret): string => createHmac('sha256', key).update(raw).digest('hex');

describe('isValidWebhookSignature', () => {
  it('accepts the hex HMAC-SHA256 of the raw body, in either case and with a sha256= prefix', () => {
    expect(isValidWebhookSignature(body, sign(body), secret)).toBe(true);
    expect(isValidWebhookSignature(body, sign(body).toUpperCase(), secret)).toBe(true);
    expect(isValidWebhookSignature(body, `sha256=${sign(body)}`, secret)).toBe(true);
  });

  it('refuses another secret, another body, a missing or malformed header', () => {
    expect(isValidWebhookSignature(body, sign(body, 'another-secret-entirely'), secret)).toBe(false);
    expect(isValidWebhookSignature(Buffer.from(`${body.toString()} `), sign(body), secret)).toBe(false);
    expect(isValidWebhookSignature(body, undefined, secret)).toBe(false);
    expect(isValidWebhookSignature(body, 'abc', secret)).toBe(false);
    expect(isValidWebhookSignature(body, 'z'.repeat(64), secret)).toBe(false);
  });
});

import { Webhook } from 'standardwebhooks';
import { deliveryHeaders } from './webhooks.processor';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

describe('deliveryHeaders', () => {
  const now = new Date();
  const payload = JSON.stringify({ id: 'job', status: 'completed' });

  it('signs per Standard Webhooks: the verifier accepts the body and refuses any change', () => {
    const h = deliveryHeaders(new Webhook(SECRET), 'job.final', payload, now);
    expect(h).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'job.final',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    });
    expect(h['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(SECRET).verify(payload, h)).toEqual({ id: 'job', status: 'completed' });
    expect(() => new Webhook(SECRET).verify(payload.replace('completed', 'failed'), h)).toThrow();
    expect(() => new Webhook(SECRET).verify(payload, { ...h, 'webhook-id': 'other' })).toThrow();
  });

  it('sends no signature headers without a secret', () => {
    const h = deliveryHeaders(null, 'job.final', payload, now);
    expect(Object.keys(h).sort()).toEqual(['content-type', 'user-agent']);
  });
});

import Fastify from 'fastify';
import { Agent, request } from 'node:http';
import { listenOnLoopback, LoopbackServer } from './lib/listen';

/**
 * The floor of any companion on this machine for a combined read: a bare Fastify server that answers each request
 * with one keep-alive node:http call to the upstream (the same document the direct baseline sends) and nothing else.
 * What it adds over the direct call is the cost of the extra hop itself.
 */
export async function startForwardingBaselineServer(upstreamUrl: string, token: string, port = 0): Promise<LoopbackServer> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const query = 'query ($uuid: String!) { getUserContext(uuid: $uuid) { errors response { id uuid displayName isActive scope } } }';
  const forward = (uuid: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ query, variables: { uuid } });
      const headers = {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        authorization: `Bearer ${token}`,
        'opigno-client-uuid': uuid,
      };
      const outgoing = request(`${upstreamUrl}/graphql`, { method: 'POST', agent, headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        answer.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  const app = Fastify({ logger: false });
  app.get<{ Params: { uuid: string } }>('/profiles/:uuid', async (request) => {
    const answer = JSON.parse(await forward(request.params.uuid)) as { data: unknown };
    return { uuid: request.params.uuid, upstream: answer.data };
  });
  return listenOnLoopback(app, port, () => agent.destroy());
}

if (require.main === module) {
  const [upstreamUrl, token, port] = process.argv.slice(2);
  void startForwardingBaselineServer(upstreamUrl!, token!, Number(port));
}

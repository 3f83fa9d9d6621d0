/**
 * The JetStream side of the e2e bench, in a process of its own (forked with `--import tsx`) as the local bus is:
 * a pull consumer that POSTs each message to the webhook receiver in CloudEvents structured mode, signed with
 * Standard Webhooks headers (`signWebhook`, as the bus signs; `webhook-id` = the message's Nats-Msg-Id, the event
 * id), up to CONCURRENCY POSTs in flight on keep-alive connections (the bus's default per-subscription
 * concurrency), and acks each message after its 2xx (naks it, to be redelivered a second later, otherwise).
 *
 *   argv: natsUrl stream durable receiverUrl secret concurrency
 * Sends `ready` over IPC once consuming; stops on `stop` or when the parent goes away.
 */
import { signWebhook } from '../../src/delivery/signWebhook';
import { Agent, request } from 'node:http';
import { connect, type JsMsg } from 'nats';

async function main(): Promise<void> {
  const [natsUrl, stream, durable, receiverUrl, secret, concurrencyText] = process.argv.slice(2);
  const concurrency = Number(concurrencyText);
  if (!process.send || !receiverUrl || !secret?.startsWith('whsec_') || !(concurrency > 0)) throw new Error('usage: natsUrl stream durable receiverUrl whsec_… concurrency (forked with IPC)');
  const url = new URL(receiverUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

  const nc = await connect({ servers: natsUrl });
  const consumer = await nc.jetstream().consumers.get(stream, durable);
  const messages = await consumer.consume({ max_messages: 256 });

  let failures = 0;
  const post = (msg: JsMsg): Promise<number> => {
    const id = msg.headers?.get('Nats-Msg-Id') || `${msg.info.stream}-${msg.seq}`;
    const body = msg.data;
    // Signed as the bus signs its webhooks (the same function), so both pipelines do the same work per delivery.
    const signed = signWebhook({ id, timestamp: new Date(), body: Buffer.from(body), secrets: [secret] });
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/cloudevents+json',
          'content-length': body.length,
          ...signed,
        },
      });
      req.setTimeout(15_000, () => req.destroy(new Error('timed out')));
      req.on('response', (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  };

  let inFlight = 0;
  let freed: (() => void) | undefined;
  const deliver = async (msg: JsMsg) => {
    try {
      const status = await post(msg);
      if (status >= 200 && status < 300) msg.ack();
      else {
        failures += 1;
        msg.nak(1000);
      }
    } catch (error) {
      failures += 1;
      if (failures <= 5) console.error('jetstream router: delivery failed', String(error));
      msg.nak(1000);
    } finally {
      inFlight -= 1;
      freed?.();
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await messages.close();
      await nc.drain().catch(() => undefined);
      agent.destroy();
    })()
      .catch((error) => console.error('jetstream router stop failed', error))
      .finally(() => process.exit(0));
    return stopping;
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.send('ready');

  for await (const msg of messages) {
    while (inFlight >= concurrency) await new Promise<void>((resolve) => (freed = resolve));
    inFlight += 1;
    void deliver(msg);
  }
}

main().catch((error) => {
  console.error('jetstream router failed', error);
  process.exit(1);
});
